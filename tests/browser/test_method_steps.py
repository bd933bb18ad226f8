"""The method's steps that once needed the API, through the pages: a solution above the agent's
authority goes for approval and the team lead decides it in the approvals inbox; a work order is
opened and completed; the follow-up link is sent with one click and the customer answers it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from kesu.complaints.models import Complaint
from kesu.complaints.services import complaint_accept
from kesu.escalation.models import ApprovalRequest
from kesu.followup.models import FollowUp, WorkOrder
from kesu.handling.intake import take_in
from kesu.notifications.models import OutboxMessage
from tests.browser.ui import browser_test, css, gone, submit, wait, xpath
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = browser_test

TEXT = "宽带断网三天了，维修一直不上门，耽误了我的网店生意。"


@pytest.fixture
def team(db):
    return TeamFactory(name="投诉一组")


@pytest.fixture
def agent(team):
    return UserFactory(username="agent", team=team, role="agent")


@pytest.fixture
def lead(team):
    return UserFactory(username="lead", team=team, role="team_lead", email="lead@example.com")


def _at(complaint: Complaint, stage: str, **fields) -> Complaint:
    """Put the complaint at a stage directly: the steps before it are driven by other tests."""
    Complaint.objects.filter(pk=complaint.pk).update(stage=stage, **fields)
    return Complaint.objects.get(pk=complaint.pk)


@pytest.fixture
def proposing(agent):
    complaint = take_in(actor=agent, customer=CustomerFactory(name="刘德华"), text=TEXT, channel="phone")
    return _at(complaint_accept(complaint=complaint, actor=agent), "propose")


def test_a_solution_above_the_agents_authority_goes_for_approval_and_the_lead_decides_it(
    browser, login, agent, lead, proposing
):
    login(agent)
    browser.get(f"{browser.base_url}/complaints/{proposing.reference}/")
    # The owner corrects intake's category; the solution catalogue follows it.
    corrections = css(browser, "details.corrections")
    if not corrections.get_attribute("open"):
        css(corrections, "summary").click()
    Select(css(corrections, "[name=category]")).select_by_visible_text("价格/费用")
    Select(css(corrections, "[name=subcategory]")).select_by_visible_text("价格/费用 / 资费")
    submit(browser, xpath(corrections, ".//button[normalize-space()='保存更正']"))
    assert css(browser, "dd.category").text.startswith("价格/费用 / 资费")
    assert "退还多收费用（返还账户）" in css(browser, "ul.catalogue").text
    assert Complaint.objects.get(pk=proposing.pk).audit_events.filter(action="details_changed").exists()

    form = css(browser, "form.solution-form")
    Select(css(form, "[name=solution_type]")).select_by_value("compensation")
    css(form, "[name=text]").send_keys("补偿三个月宽带费3000元，3个工作日内到账。")
    css(form, "[name=amount]").send_keys("3000")
    submit(browser, xpath(form, ".//button[normalize-space()='记录方案']"))

    # Refused beside the amount, nothing typed lost, and 提交审批 offered with a reason to give.
    form = css(browser, "form.solution-form")
    assert "超出" in css(form, "#id_solution_amount").find_element(By.XPATH, "..").text
    assert css(form, "[name=amount]").get_attribute("value") == "3000"
    assert css(form, "[name=text]").get_attribute("value").startswith("补偿三个月宽带费")
    css(form, "[name=reason]").send_keys("网店停业三天，损失有票据。")
    submit(browser, css(form, "button.submit-approval"))
    assert "已提交审批" in css(browser, ".messages li.success").text
    assert "待审批" in css(browser, "ul.approvals").text and "lead" in css(browser, "ul.approvals").text
    approval = ApprovalRequest.objects.get()
    assert approval.assigned_to == lead and approval.reason == "网店停业三天，损失有票据。"

    # The team lead's inbox: rejecting needs a reason (kept on refusal), approving records it.
    login(lead)
    submit(browser, xpath(browser, "//nav/a[normalize-space()='审批']"))
    row = css(browser, f"li.approval-request[data-approval='{approval.pk}']")
    assert proposing.reference in row.text and "¥3000" in row.text and "刘德华" not in row.text
    submit(browser, css(row, "button[value=reject]"))
    row = css(browser, f"li.approval-request[data-approval='{approval.pk}']")
    assert "驳回理由" in css(row, ".form-error").text
    css(row, "input[name=note]").send_keys("损失属实，同意补偿。")
    submit(browser, css(row, "button[value=approve]"))
    assert "损失属实" in css(browser, "#approvals-decided").text

    browser.get(f"{browser.base_url}/complaints/{proposing.reference}/")
    decided = css(browser, "ul.approvals").text
    assert "已批准" in decided and "lead" in decided and "损失属实" in decided
    complaint = Complaint.objects.get(pk=proposing.pk)
    assert complaint.solution_amount == Decimal("3000") and complaint.effective_solution_at
    assert complaint.escalations.get(reason="authority").status == "resolved"


def test_a_work_order_and_the_follow_up_link_from_the_page_and_the_customers_answer(
    browser, login, agent, proposing
):
    complaint = _at(
        proposing, "act", solution_type="repair", solution_text="内部：派单给网络部张工，优先处理"
    )
    login(agent)
    browser.get(f"{browser.base_url}/complaints/{complaint.reference}/")

    # A checklist tick happens in place: the page is not reloaded.
    browser.execute_script("window.notReloaded = true")
    tick = xpath(browser, "//ul[@class='checklist']/li[contains(., '处理缺陷本身')]//button")
    tick.click()
    wait(browser).until(gone(tick))
    ticked = xpath(browser, "//ul[@class='checklist']/li[contains(., '处理缺陷本身')]//button")
    assert wait(browser).until(lambda d: ticked.get_attribute("aria-pressed") == "true")
    assert browser.execute_script("return window.notReloaded") is True
    assert "flaw_fixed" in Complaint.objects.get(pk=complaint.pk).checklist_done

    css(browser, "details.new-work-order summary").click()
    form = css(browser, "details.new-work-order form")
    # Text over the limit is not cut as it is typed: a counter says so, and the server refuses it.
    css(form, "[name=department]").send_keys("网" * 101)
    assert "101 / 100" in css(form, ".counter.over").text
    css(form, "[name=description]").send_keys("上门检修光猫并测试网速")
    assert "11 / 5000" in css(form, "[name=description] + .counter").text
    due = timezone.localtime() + timedelta(days=1)
    browser.execute_script(
        "arguments[0].value = arguments[1]", css(form, "[name=due_at]"), due.strftime("%Y-%m-%dT%H:%M")
    )
    submit(browser, xpath(form, ".//button[normalize-space()='派发工单']"))
    form = css(browser, "details.new-work-order form")
    assert css(form, "[name=department]").get_attribute("value") == "网" * 101
    assert "100" in css(form, ".errorlist").text and not WorkOrder.objects.exists()
    department = css(form, "[name=department]")
    department.clear()
    department.send_keys("网络维护部")
    submit(browser, xpath(form, ".//button[normalize-space()='派发工单']"))
    order = css(browser, "ul.work-orders li.work-order.open")
    assert "网络维护部" in order.text and "剩余" in order.text
    css(order, "input[name=result]").send_keys("已更换光猫，网速正常")
    submit(browser, css(order, "button"))
    assert "按时办结" in css(browser, "ul.work-orders li.done").text
    assert WorkOrder.objects.get().on_time is True

    # 回访: one click sends the SMS and shows the link with its expiry.
    _at(complaint, "follow_up")
    browser.get(f"{browser.base_url}/complaints/{complaint.reference}/")
    submit(browser, xpath(browser, "//button[normalize-space()='发送回访链接']"))
    shown = css(browser, ".issued-link")
    assert "短信" in shown.text and css(shown, "time.link-expiry").text
    url = css(shown, "a.link-url").get_attribute("href")
    assert OutboxMessage.objects.filter(channel="sms", complaint=complaint).exists()

    # The customer's page: greeted by surname, a summary without internal text, radios by labels.
    browser.delete_all_cookies()
    browser.get(url)
    page = css(browser, "section.followup")
    assert "尊敬的刘先生/女士" in page.text and "刘*" not in page.text
    assert "维修" in css(page, ".summary").text and "内部" not in page.text and "张工" not in page.text
    choices = browser.find_elements(By.CSS_SELECTOR, "fieldset.scale label.choice")
    assert [c.text for c in choices] == ["非常满意", "满意", "基本满意", "不满意", "很不满意"]
    radio, words = css(choices[1], "input[type=radio]"), css(choices[1], "span")
    assert abs(radio.location["y"] - words.location["y"]) < 12 and radio.location["x"] < words.location["x"]
    choices[1].click()
    submit(browser, css(page, "button[type=submit]"))
    assert css(browser, "[data-answered=satisfied]")
    assert FollowUp.objects.get(complaint=complaint).result == "satisfied"

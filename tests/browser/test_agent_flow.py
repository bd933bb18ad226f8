"""An agent takes a complaint from acceptance to closure through the page alone."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from kesu.complaints.models import Complaint
from kesu.handling.intake import take_in
from tests.browser.ui import browser_test, css, current_stage, move_to, submit, tick_required, wait, xpath
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = browser_test

TEXT = "手机买了一周就黑屏了，客服一直推脱，我要求换新机。"
BLAMING = "规定就是这样，我也没办法。"


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", team=TeamFactory(name="投诉一组"), role="agent")


@pytest.fixture
def complaint(agent):
    return take_in(actor=agent, customer=CustomerFactory(), text=TEXT, channel="phone")


def test_an_agent_takes_a_complaint_from_acceptance_to_closure(browser, login, agent, complaint):
    login(agent)
    browser.get(f"{browser.base_url}/complaints/{complaint.reference}/")
    assert current_stage(browser) == "受理"
    assert TEXT in css(browser, "blockquote.customer-text").text

    # 受理: become the owner (首问责任制).
    submit(browser, xpath(browser, "//button[normalize-space()='受理（成为负责人）']"))
    assert current_stage(browser) == "倾听与同频"
    assert css(browser, ".messages li.success")

    # 倾听与同频: the reply checker reads the draft as it is typed and flags a blaming phrase.
    box = css(browser, "#id_body")
    box.send_keys(BLAMING)
    finding = wait(browser).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "#reply-check .finding.block"))
    )
    assert "规定就是这样" in css(browser, "#reply-check").text
    assert "禁止" in finding.text
    # …so the agent replaces it with a suggested script (插入) and sends that.
    box.clear()
    insert = xpath(browser, "//div[@class='scripts']//button[normalize-space()='插入']")
    script_text = insert.get_attribute("data-text")
    insert.click()
    assert box.get_attribute("value") == script_text
    wait(browser).until(
        lambda d: "规定就是这样" not in css(d, "#reply-check").text
        and not d.find_elements(By.CSS_SELECTOR, "#reply-check .finding.block")
        and css(d, "#reply-check").text.strip()
    )
    assert Select(css(browser, "select[name=kind]")).first_selected_option.get_attribute("value") == "agent"
    submit(browser, xpath(browser, "//form[contains(@class,'reply-form')]//button[normalize-space()='发送']"))
    replies = browser.find_elements(By.CSS_SELECTOR, ".conversation .msg.agent")
    assert [r.text.splitlines()[-1] for r in replies] == [script_text.splitlines()[-1]]

    tick_required(browser)
    move_to(browser, "确认需求")
    tick_required(browser)
    move_to(browser, "方案")

    # 方案: pick an option from the catalogue; it fills the solution form.
    option = xpath(browser, "//ul[@class='catalogue']//button[normalize-space()='换新']")
    option.click()
    form = css(browser, "form.solution-form")
    assert Select(css(form, "[name=solution_type]")).first_selected_option.get_attribute("value") == (
        "replacement"
    )
    assert css(form, "[name=text]").get_attribute("value") == option.get_attribute("data-text")
    submit(browser, xpath(form, ".//button[normalize-space()='记录方案']"))
    tick_required(browser)
    move_to(browser, "达成一致")

    # 达成一致: record what the customer agreed to (this ticks the stage's required item).
    css(browser, "textarea[name=note]").send_keys("客户同意换新，新机3个工作日内发出。")
    submit(browser, xpath(browser, "//button[normalize-space()='记录认可']"))
    move_to(browser, "执行")
    tick_required(browser)
    move_to(browser, "回访")

    # 回访: the follow-up result, then close.
    Select(css(browser, "select[name=result]")).select_by_value("satisfied")
    css(browser, "input[name=note]").send_keys("客户表示新机使用正常。")
    submit(browser, xpath(browser, "//button[normalize-space()='记录回访']"))
    move_to(browser, "关闭")
    assert css(browser, ".stage-name").text == "关闭"

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.stage == "closed" and not complaint.is_open
    assert complaint.owner == agent
    assert complaint.first_reply_at is not None
    assert complaint.effective_solution_at is not None
    assert complaint.closed_at is not None
    assert complaint.solution_type == "replacement"
    assert complaint.follow_up_result == "satisfied"
    actions = list(complaint.audit_events.order_by("created_at", "id").values_list("action", flat=True))
    for step in (
        "created",
        "accepted",
        "message_agent",
        "checklist",
        "stage_changed",
        "solution_recorded",
        "agreement_recorded",
        "follow_up_recorded",
    ):
        assert step in actions
    stages = [
        e.changes["stage"][1]
        for e in complaint.audit_events.filter(action__in=["accepted", "stage_changed"]).order_by(
            "created_at", "id"
        )
    ]
    assert stages == ["listen", "confirm", "propose", "agree", "act", "follow_up", "closed"]
    # The page's own audit trail shows who did each step and what changed.
    # The page's own audit trail, collapsed until opened, reads as sentences.
    assert not css(browser, "table.audit").is_displayed()
    css(browser, "details.audit-trail summary").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "table.audit tbody tr")
    assert "agent" in rows[-1].text and "将投诉从「回访」推进到「关闭」" in rows[-1].text
    assert any("勾选了「" in row.text for row in rows)

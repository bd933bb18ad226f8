"""The customer's follow-up links in the browser: with two links sent, the customer answers the
newer one, and the older one then says, in Chinese, that it is no longer valid (never a 500)."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from kesu.complaints.models import Complaint
from kesu.complaints.services import complaint_accept
from kesu.followup import services
from kesu.followup.models import FollowUp
from kesu.handling.intake import take_in
from tests.browser.ui import browser_test, css, submit
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = browser_test


def test_the_customer_answers_one_link_and_the_other_is_no_longer_valid(browser):
    agent = UserFactory(username="agent", team=TeamFactory(name="投诉一组"), role="agent")
    complaint = take_in(
        actor=agent, customer=CustomerFactory(name="刘德华"), text="宽带断网三天了。", channel="phone"
    )
    complaint = complaint_accept(complaint=complaint, actor=agent)
    Complaint.objects.filter(pk=complaint.pk).update(stage="follow_up", solution_type="repair")
    complaint = Complaint.objects.get(pk=complaint.pk)
    first = services.follow_up_link_issue(complaint=complaint, actor=agent)
    second = services.follow_up_link_issue(complaint=complaint, actor=agent)  # e.g. the SMS was lost

    browser.delete_all_cookies()
    browser.get(browser.base_url + second.path)
    page = css(browser, "section.followup")
    browser.find_elements(By.CSS_SELECTOR, "fieldset.scale label.choice")[0].click()
    submit(browser, css(page, "button[type=submit]"))
    assert css(browser, "[data-answered=very_satisfied]")

    browser.get(browser.base_url + first.path)
    refused = css(browser, "section.followup[data-refusal=link_retired]")
    assert "此链接已失效" in refused.text and "已完成回访" in refused.text
    assert "Server Error" not in browser.page_source
    assert FollowUp.objects.filter(complaint=complaint).count() == 1

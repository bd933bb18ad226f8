"""Closing the loop end to end in Chromium: a regulator's referral is solved, but closing waits for
its case review; the owner writes the STAR-L review with a root cause and submits it, and then
closes; the team lead approves the review and opens an improvement action from it."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from kesu.complaints import services as complaint_services
from kesu.reviews.models import ImprovementAction, Review
from tests.browser.ui import browser_test, css, page_errors, submit, wait, xpath
from tests.followup.conftest import walk_to
from tests.reviews.conftest import REGULATOR_TEXT, STAR_L

pytestmark = browser_test


@pytest.fixture
def solved_referral(make_complaint, agent):
    complaint = walk_to(
        make_complaint(text=REGULATOR_TEXT, channel="referral", source="regulator_miit"), agent, "follow_up"
    )
    return complaint_services.complaint_set_close_reason(complaint=complaint, actor=agent, reason="客户已确认修复")


def close_button(browser):
    return xpath(browser, "//form[contains(@class,'transition')]//button[@value='closed']")


def test_regulator_complaint_to_an_approved_review_and_an_action(browser, login, solved_referral, agent, lead):
    reference = solved_referral.reference
    login(agent)
    browser.get(f"{browser.base_url}/complaints/{reference}/")

    # Solved, but it cannot close before its review is submitted.
    button = close_button(browser)
    button.click()
    wait(browser).until(lambda d: page_errors(d))
    assert "此投诉需要复盘" in page_errors(browser)[0]

    # The owner opens the review from the complaint: the chain is prefilled from the trail.
    submit(browser, css(browser, "#start-review button"))
    assert "工信部转来" in css(browser, "#review-chain").text
    form = css(browser, "#review-form")
    for name, text in STAR_L.items():
        field = css(form, f"textarea[name={name}]")
        field.clear()
        field.send_keys(text)
    css(form, "#review-causes input[value=training_gap]").click()
    submit(browser, css(browser, "#review-submit"))
    assert css(browser, "#review-status").text == "待审批"

    # Now the complaint closes.
    browser.get(f"{browser.base_url}/complaints/{reference}/")
    submit(browser, close_button(browser))
    assert "关闭" in css(browser, ".stage-name").text

    # The team lead finds it waiting, approves it, and opens an improvement action from it.
    review = Review.objects.get(complaint=solved_referral)
    login(lead)
    browser.get(f"{browser.base_url}/reviews/")
    submit(browser, xpath(browser, f"//section[@id='reviews-to-approve']//a[normalize-space()='R-{review.pk}']"))
    submit(browser, css(browser, "#review-decide button[value=approve]"))
    assert css(browser, "#review-status").text == "已批准"
    assert not browser.find_elements(By.CSS_SELECTOR, "#review-decide")

    form = css(browser, "#action-form")
    css(form, "input[name=title]").send_keys("一线沟通培训覆盖到80%")
    css(form, "input[name=department]").send_keys("培训部")
    browser.execute_script("arguments[0].value = '2026-12-31'", css(form, "input[name=due_date]"))
    Select(css(form, "select[name=owner]")).select_by_visible_text(str(lead))
    Select(css(form, "select[name=measure_rate]")).select_by_value("escalation_rate")
    Select(css(form, "select[name=measure_root_cause]")).select_by_value("training_gap")
    submit(browser, css(form, "button.primary"))
    assert "一线沟通培训覆盖到80%" in css(browser, "h1").text
    assert f"R-{review.pk}" in css(browser, ".facts").text
    action = ImprovementAction.objects.get()
    assert action.root_cause.code == "training_gap" and list(action.reviews.all()) == [review]

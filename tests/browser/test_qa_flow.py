"""Quality inspection end to end in Chromium: the inspector overrides an automatic score with a
reason, scores the manual items and completes; the agent appeals the result once; the team lead
upholds the appeal with a new score, and the total follows."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from kesu.qa import services
from tests.browser.ui import browser_test, css, submit, xpath
from tests.factories import CustomerFactory
from tests.qa.conftest import close

pytestmark = browser_test


@pytest.fixture
def queued(make_complaint, agent, qa):
    complaint = close(make_complaint(customer=CustomerFactory(), channel="chat"), agent)
    return services.inspect_complaint(complaint=complaint, actor=qa)


def item_form(browser, code):
    return css(browser, f"#item-{code} form.score-form")


def final_score(browser) -> int:
    return int(css(browser, "#qa-score .big").text)


def test_inspect_then_appeal_then_decide(browser, login, queued, qa, agent, lead):
    # The inspector finds the inspection in the queue, with the transcript and its evidence marked.
    login(qa)
    browser.get(f"{browser.base_url}/qa/")
    submit(browser, xpath(browser, f"//section[@id='qa-queue']//a[normalize-space()='QA-{queued.pk}']"))
    assert "给您添麻烦" in [
        m.text for m in browser.find_elements(By.CSS_SELECTOR, "#qa-transcript mark.evidence")
    ]
    assert "共情与致歉" in css(browser, "#item-empathy_apology").text
    automatic = final_score(browser)

    # Override "asking how to address the customer" with a reason; score the manual items.
    form = item_form(browser, "ask_name")
    Select(css(form, "select[name=score]")).select_by_visible_text("0")
    css(form, "input[name=reason]").send_keys("称呼是客户主动报的，坐席没有询问")
    submit(browser, css(form, "button"))
    assert "称呼是客户主动报的" in css(browser, "#item-ask_name .override").text
    assert final_score(browser) < automatic
    for code in ("solution_fit", "compliance"):
        form = item_form(browser, code)
        Select(css(form, "select[name=score]")).select_by_visible_text("100")
        submit(browser, css(form, "button"))
    submit(browser, css(browser, "#qa-complete"))
    assert "已完成" in css(browser, ".qa-summary h1").text
    completed = final_score(browser)

    # The agent reads the result among their own and appeals once.
    login(agent)
    browser.get(f"{browser.base_url}/qa/mine/")
    submit(browser, xpath(browser, f"//a[normalize-space()='QA-{queued.pk}']"))
    form = css(browser, "form.appeal-form")
    css(form, "input[value=ask_name]").click()
    css(form, "textarea[name=reason]").send_keys("通话开头我问过“请问怎么称呼您”，请复核。")
    submit(browser, css(form, "button.primary"))
    assert "待班组长裁决" in css(browser, "#qa-appeal").text
    assert not browser.find_elements(By.CSS_SELECTOR, "form.appeal-form")  # one appeal only

    # The team lead sees it waiting, upholds it with a new score for the disputed item.
    login(lead)
    browser.get(f"{browser.base_url}/qa/")
    submit(browser, xpath(browser, f"//section[@id='qa-appeals']//a[normalize-space()='QA-{queued.pk}']"))
    form = css(browser, "form.decide-form")
    css(form, "input[name=score_ask_name]").send_keys("1")
    css(form, "textarea[name=note]").send_keys("复核属实，改判。")
    submit(browser, css(form, "button[value=uphold]"))
    assert "申诉成立" in css(browser, "#qa-appeal").text
    assert final_score(browser) > completed
    assert not browser.find_elements(By.CSS_SELECTOR, "form.decide-form")

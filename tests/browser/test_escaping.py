"""What a customer writes is shown as text, never run: a complaint taken in through the form
with a script in the customer's words opens no dialog anywhere it is shown."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from kesu.complaints.models import Complaint
from tests.browser.ui import browser_test, css, submit, wait
from tests.factories import TeamFactory, UserFactory

pytestmark = browser_test

PAYLOAD = "<script>alert(1)</script>"
TEXT = f"网页上显示 {PAYLOAD} 然后手机就黑屏了 <img src=x onerror=alert(2)>"


def assert_no_dialog(driver) -> None:
    try:
        wait(driver, 1).until(ec.alert_is_present())
    except TimeoutException:
        return
    text = driver.switch_to.alert.text
    driver.switch_to.alert.dismiss()
    pytest.fail(f"a dialog opened: {text!r}")


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", team=TeamFactory(name="投诉一组"), role="agent")


def test_a_script_in_the_customers_words_shows_literally(browser, login, agent):
    login(agent)
    browser.get(f"{browser.base_url}/complaints/new/")
    css(browser, "input[name=customer_name]").send_keys(f"张{PAYLOAD}")
    Select(css(browser, "select[name=channel]")).select_by_value("web")
    css(browser, "textarea[name=text]").send_keys(TEXT)
    submit(browser, css(browser, "form.two-col button[type=submit]"))

    complaint = Complaint.objects.get()
    assert complaint.text == TEXT
    assert_no_dialog(browser)
    assert PAYLOAD in css(browser, "blockquote.customer-text").text
    assert "onerror=alert(2)" in css(browser, "blockquote.customer-text").text
    assert PAYLOAD in css(browser, ".conversation .msg.customer").text
    scripts = browser.find_elements(By.TAG_NAME, "script")
    assert all("alert(" not in script.get_attribute("innerHTML") for script in scripts)
    assert not browser.find_elements(By.CSS_SELECTOR, "main img")

    for path in ("/", "/complaints/"):
        browser.get(f"{browser.base_url}{path}")
        assert_no_dialog(browser)
        assert complaint.reference in css(browser, "main").text

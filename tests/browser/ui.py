"""Small page helpers for the browser tests: explicit waits only, never sleeps."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

WAIT_SECONDS = 10
PASSWORD = "pw-kesu-123"  # tests.factories.UserFactory

#: Every browser test: a live server on a real (transactional) database whose migration-seeded
#: rows (stages, checklists, tiers, scripts, roles) are restored after each test.
browser_test = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait(driver: WebDriver, seconds: float = WAIT_SECONDS) -> WebDriverWait:
    """A wait that looks again when htmx replaced the element it was reading (a stale element)."""
    return WebDriverWait(driver, seconds, ignored_exceptions=(StaleElementReferenceException,))


def css(driver: WebDriver | WebElement, selector: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, selector)


def xpath(driver: WebDriver | WebElement, expression: str) -> WebElement:
    return driver.find_element(By.XPATH, expression)


def page_errors(driver: WebDriver) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".messages li.error")]


def gone(element: WebElement):
    """A wait condition: the element has left the page. While the page is being replaced,
    chromedriver may answer with a generic inspector error ("does not belong to the
    document") instead of a stale-element error; both mean the old page is gone."""

    def check(_driver: WebDriver) -> bool:
        try:
            element.is_enabled()
        except (StaleElementReferenceException, WebDriverException):
            return True
        return False

    return check


def submit(driver: WebDriver, button: WebElement) -> None:
    """Click a button that posts a form, wait for the next page, and fail on an error message."""
    button.click()
    wait(driver).until(gone(button))
    wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")
    errors = page_errors(driver)
    assert not errors, f"the page refused the action: {errors}"


def current_stage(driver: WebDriver) -> str:
    return css(driver, ".stagebar li.current").text.strip()


def tick_required(driver: WebDriver) -> list[str]:
    """Tick every required checklist item of the current stage, one form post each."""
    ticked = []
    while True:
        open_items = driver.find_elements(
            By.XPATH,
            "//ul[@class='checklist']/li[span[contains(@class,'tag')]][.//button[@aria-pressed='false']]",
        )
        if not open_items:
            return ticked
        item = open_items[0]
        ticked.append(css(item, "input[name=item]").get_attribute("value"))
        submit(driver, css(item, "button.check"))


def move_to(driver: WebDriver, label: str) -> None:
    """Press the 'move to' button of a stage and check the stage bar followed."""
    submit(
        driver, xpath(driver, f"//form[contains(@class,'transition')]//button[normalize-space()='{label}']")
    )
    assert current_stage(driver) == label

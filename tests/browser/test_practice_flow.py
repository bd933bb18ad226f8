"""Training end to end in Chromium: a trainee practises solo against the simulated customer — the live
reply checker flags a forbidden phrase, the customer tells a hidden fact to an open question and accepts
a solution within the standard with a time limit — and sees the score; then two trainees in two
browsers at once play a pair: the customer speaks from the persona card, the agent sees it arrive
(HTMX polling) and answers, the customer rates, and both see the score."""

from __future__ import annotations

import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from kesu.practice import services
from kesu.practice.models import Scenario
from tests.browser.ui import PASSWORD, browser_test, css, submit, wait
from tests.factories import UserFactory

pytestmark = browser_test

ASK = "非常抱歉，茶具碎了给您添麻烦了，我理解您的心情。能告诉我茶具是多少钱买的吗？"
SOLVE = "按照标准，我为您赔偿茶具300元和运费20元，共320元，今天下午5点前退回到您的支付账户。"


@pytest.fixture
def trainee(team):
    return UserFactory(username="trainee", team=team, role="agent")


@pytest.fixture
def partner(team):
    return UserFactory(username="partner", team=team, role="agent")


@pytest.fixture
def trainer(db):
    return UserFactory(username="trainer", team=None, role="trainer")


def reply(browser, text):
    box = css(browser, "#id_text")
    box.send_keys(text)
    submit(browser, css(browser, "#send-reply"))


def test_solo_practice_against_the_simulated_customer_to_the_score(browser, login, trainee):
    login(trainee)
    browser.get(f"{browser.base_url}/training/")
    submit(browser, css(browser, "tr[data-scenario=compensation_beyond_standard] button.start-solo"))
    assert "茶具全碎了" in css(browser, "#practice-turns").text
    assert css(browser, "#analysis-panel").is_displayed()  # the workbench, as in live handling

    # The live reply checker reads the draft as it is typed.
    css(browser, "#id_text").send_keys("规定就是这样")
    wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#reply-check .finding.block")))
    css(browser, "#id_text").clear()

    reply(browser, ASK)
    assert "运费是20元" in browser.find_elements(By.CSS_SELECTOR, "#practice-turns li.customer")[-1].text
    reply(browser, SOLVE)
    assert "按你说的办" in browser.find_elements(By.CSS_SELECTOR, "#practice-turns li.customer")[-1].text
    reply(browser, "谢谢您的理解和耐心！")
    submit(browser, css(browser, "#finish-session"))
    assert css(browser, "#practice-total").text == "100"
    assert "今天下午5点前" in css(browser, "#criterion-solution").text
    assert "接受" in css(browser, "#customer-state").text


@pytest.fixture
def second_browser(_chromium):
    """A second Chromium, so that two trainees are logged in at the same time."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    from tests.browser.conftest import CHROMEDRIVER, CHROMIUM

    os.environ.setdefault("SE_OFFLINE", "true")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--lang=zh-CN",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def log_in(driver, base_url, user):
    driver.get(f"{base_url}/login/")
    driver.find_element(By.NAME, "username").send_keys(user.username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".topbar .who")))


def test_a_pair_practises_in_two_browsers_at_once(browser, login, second_browser, trainer, trainee, partner):
    scenario = Scenario.objects.get(code="compensation_beyond_standard")
    group = services.group_create(trainer=trainer, scenario=scenario, members=[trainee, partner], name="一组")
    session = group.sessions.get()
    url = f"{browser.base_url}/training/sessions/{session.pk}/"

    login(partner)  # the customer, in the first browser
    browser.get(url)
    assert "茶具是我在网上买的" in css(browser, "#persona-card").text
    agent = second_browser  # the agent, in the second
    log_in(agent, browser.base_url, trainee)
    agent.get(url)
    assert not agent.find_elements(By.CSS_SELECTOR, "#persona-card")

    css(browser, "#id_customer_text").send_keys("快递箱子压扁了，茶具全碎了！我要求赔偿3000元！")
    css(browser, "#send-customer").click()
    # The agent's page polls the conversation and shows the customer's words without a reload.
    wait(agent, 15).until(lambda d: "我要求赔偿3000元" in css(d, "#practice-turns").text)
    # … and the workbench reads them, as in live handling: the demand and its amount.
    wait(agent, 15).until(lambda d: "3000" in css(d, "#analysis-panel").text)
    css(agent, "#id_text").send_keys(ASK)
    submit(agent, css(agent, "#send-reply"))
    wait(browser, 15).until(lambda d: "能告诉我茶具是多少钱买的吗" in css(d, "#practice-turns").text)

    css(browser, "#id_customer_text").send_keys("300元买的，运费20元。")
    css(browser, "#send-customer").click()
    wait(agent, 15).until(lambda d: "运费20元" in css(d, "#practice-turns").text)
    css(agent, "#id_text").send_keys(SOLVE)
    submit(agent, css(agent, "#send-reply"))
    submit(agent, css(agent, "#finish-session"))
    assert css(agent, "#practice-total").text != "—"

    # The customer's page learns the practice ended, and the customer rates the satisfaction.
    wait(browser, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#practice-score"))
    Select(css(browser, "select[name=rating]")).select_by_visible_text("5")
    submit(browser, css(browser, ".rate-form button"))
    assert "100" in css(browser, "#criterion-satisfaction").text
    agent.refresh()
    assert "100" in css(agent, "#criterion-satisfaction").text
    # In a pair the customer also holds the scoring sheet: an override needs a reason.
    form = css(browser, "form.override-form")
    Select(css(form, "select[name=code]")).select_by_value("last")
    css(form, "input[name=reason]").send_keys("没有说感谢，LAST 不完整")
    submit(browser, css(form, "button"))
    assert "没有说感谢" in css(browser, "#criterion-last .override").text

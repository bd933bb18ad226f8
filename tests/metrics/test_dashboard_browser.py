"""The dashboard in headless Chromium: a figure on the page equals the database's count, each against
both target schemes with the pending deadlines apart; the trend is a server-drawn SVG; the charts
draw from the vendored Chart.js; the export downloads with Chinese headers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kesu.complaints.models import Complaint
from kesu.sla.models import ClockStatus
from tests.metrics.conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture
def browser():
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if os.environ.get("KESU_REQUIRE_BROWSER") == "1":
            pytest.fail("KESU_REQUIRE_BROWSER=1 but /usr/bin/chromium or /usr/bin/chromedriver is missing")
        pytest.skip("Chromium is not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_the_dashboard_shows_what_the_database_holds(september, live_server, browser, client, manager, team):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    client.force_login(manager)
    browser.get(live_server.url + "/static/metrics/metrics.css")  # a page of the site, for the cookie
    browser.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
    browser.get(f"{live_server.url}/metrics/?month=2026-09&team={team.pk}")

    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-kpi="on_time_effective_reply"]')
    # Counted in the month the effective reply fell due (not the month received), pending apart.
    due = Complaint.objects.filter(
        team=team, sla__effective_due_at__gte=at(1, 0), sla__effective_due_at__lt=at(1, 0, month=10)
    )
    in_time = due.filter(sla__effective_status=ClockStatus.MET).count()
    assert row.find_element(By.CSS_SELECTOR, ".numerator").text == str(in_time)
    assert row.find_element(By.CSS_SELECTOR, ".denominator").text == str(due.count())
    assert row.find_element(By.CSS_SELECTOR, ".value").text == f"{in_time / due.count() * 100:.1f}%"
    assert row.find_element(By.CSS_SELECTOR, ".pending-count").text == "0"
    # Each figure against both target schemes, assessed in Chinese.
    standard = row.find_element(By.CSS_SELECTOR, 'td[data-scheme="standard"]').text
    group = row.find_element(By.CSS_SELECTOR, 'td[data-scheme="group"]').text
    assert "96.0%" in standard and "未达标" in standard and "无目标" in group
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.kpis thead th")][:6]
    assert headers[3:6] == ["待定", "指标标准", "集团指标"]
    # The trend: the select shows another KPI's SVG, with its target lines labelled.
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "trend-kpi")).select_by_value("work_order_on_time")
    chart = browser.find_element(By.CSS_SELECTOR, '.trend-chart[data-kpi="work_order_on_time"]')
    assert chart.is_displayed() and chart.size["height"] >= 250
    assert not browser.find_element(
        By.CSS_SELECTOR, '.trend-chart[data-kpi="first_reply_timeliness"]'
    ).is_displayed()
    labels = [t.text for t in chart.find_elements(By.CSS_SELECTOR, "g.target text")]
    assert labels == ["指标标准 96.0%", "集团指标 95.0%"]
    # The export downloads with Chinese headers (fetched as the page's own link, with the session).
    link = browser.find_element(By.CSS_SELECTOR, "p.exports a[href*='export.csv']").get_attribute("href")
    text = browser.execute_async_script(
        "var done = arguments[1]; fetch(arguments[0]).then(function (r) { return r.text(); }).then(done);",
        link,
    )
    assert (
        "指标,客户等级,从,至,数值" in text
        and "投诉处理回复及时率" in text
        and "on_time_effective_reply" not in text
    )

    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return !!(window.kesuCharts && window.kesuCharts.pareto)")
    )
    bars = browser.execute_script("return window.kesuCharts.pareto.data.datasets[0].data")
    received = Complaint.objects.filter(
        team=team, received_at__gte=at(1, 0), received_at__lt=at(1, 0, month=10)
    )
    assert sum(bars) == received.count()

    row.find_element(By.CSS_SELECTOR, ".numerator").click()
    WebDriverWait(browser, 10).until(lambda b: "/metrics/complaints/" in b.current_url)
    shown = {a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.list tbody td:first-child a")}
    assert shown == set(due.filter(sla__effective_status=ClockStatus.MET).values_list("reference", flat=True))

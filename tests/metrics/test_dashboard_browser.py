"""The dashboard in headless Chromium: a figure on the page equals the database's count, and the
charts draw from the vendored Chart.js."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kesu.complaints.models import Complaint
from kesu.sla.models import ClockStatus

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
    received = Complaint.objects.filter(team=team, received_at__year=2026, received_at__month=9)
    in_time = received.filter(sla__effective_status=ClockStatus.MET).count()
    assert row.find_element(By.CSS_SELECTOR, ".numerator").text == str(in_time)
    assert row.find_element(By.CSS_SELECTOR, ".denominator").text == str(received.count())
    assert row.find_element(By.CSS_SELECTOR, ".value").text == f"{in_time / received.count() * 100:.1f} %"

    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return !!(window.kesuCharts && window.kesuCharts.pareto)")
    )
    bars = browser.execute_script("return window.kesuCharts.pareto.data.datasets[0].data")
    assert sum(bars) == received.count()

    row.find_element(By.CSS_SELECTOR, ".numerator").click()
    WebDriverWait(browser, 10).until(lambda b: "/metrics/complaints/" in b.current_url)
    shown = {a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.list tbody td:first-child a")}
    assert shown == set(
        received.filter(sla__effective_status=ClockStatus.MET).values_list("reference", flat=True)
    )

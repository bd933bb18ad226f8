"""Headless Chromium for the browser tests: Debian's chromium and chromedriver, never a
downloaded browser or driver (the driver path is always given, so Selenium Manager stays idle).

Without /usr/bin/chromium the tests skip, unless KESU_REQUIRE_BROWSER=1 (CI), where they fail.
The Chromium session is shared by the whole run (it takes a second or two to start); each test
starts logged out.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def _require_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    message = f"headless Chromium needs {' and '.join(missing)} (apt-get install chromium chromium-driver)"
    if os.environ.get("KESU_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def _chromium(live_server) -> Iterator:
    """One Chromium for the run. It depends on the live server so that it quits first: its
    keep-alive connections end, and the server threads close their database connections
    before the test database is dropped (PostgreSQL refuses to drop a database in use)."""
    _require_browser()
    os.environ.setdefault("SE_OFFLINE", "true")  # belt and braces: Selenium Manager never downloads
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1000",
        "--lang=zh-CN",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(_chromium, live_server):
    """The shared Chromium, logged out, with ``browser.base_url`` pointing at the live server."""
    _chromium.get(f"{live_server.url}/login/")
    _chromium.delete_all_cookies()
    _chromium.base_url = live_server.url
    yield _chromium
    # A dialog left open (a failing XSS test) would break the next test's first command.
    try:
        _chromium.switch_to.alert.dismiss()
    except Exception:  # no alert is the normal case
        pass


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test leaves a screenshot and the page's HTML beside its tmp files."""
    report = yield
    driver = item.funcargs.get("browser") if hasattr(item, "funcargs") else None
    if report.failed and driver is not None and call.when == "call":
        target = Path(item.config._tmp_path_factory.getbasetemp()) / f"browser-{item.name}"
        try:
            driver.save_screenshot(f"{target}.png")
            Path(f"{target}.html").write_text(driver.page_source, encoding="utf-8")
            report.sections.append(("browser", f"screenshot and HTML: {target}.png / .html"))
        except Exception as error:  # the browser itself may be what failed
            report.sections.append(("browser", f"no screenshot: {error!r}"))
    return report


@pytest.fixture
def login(browser) -> Callable[..., None]:
    """Log ``user`` in through the login page (/login/) and wait for the home page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    from tests.browser.ui import PASSWORD, gone, wait

    def log_in(user, password: str | None = None) -> None:
        # Start from no session: with one still open, the login page shows the previous user's top bar,
        # and waiting for it would return before the new login has been posted.
        browser.get(f"{browser.base_url}/login/")
        browser.delete_all_cookies()
        browser.get(f"{browser.base_url}/login/")
        browser.find_element(By.NAME, "username").send_keys(user.username)
        browser.find_element(By.NAME, "password").send_keys(password or PASSWORD)
        button = browser.find_element(By.CSS_SELECTOR, "form button[type=submit]")
        button.click()
        # gone(), not staleness_of: while the page is replaced chromedriver may answer with an
        # inspector error instead of a stale element (the flake this met in a full run).
        wait(browser).until(gone(button))
        wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".topbar .who")))

    return log_in

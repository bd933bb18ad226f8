"""A team lead imports a spreadsheet: uploads it, watches the progress bar fill while the background run
takes the rows in, and reads the per-row report at the end — on a page the CSP allows (no inline code)."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from kesu.handling.importer import run_import, run_pending_imports
from kesu.imports.models import ImportJob
from tests.browser.ui import browser_test, css, submit, wait

pytestmark = browser_test

CSV = (
    "客户姓名,渠道,投诉内容,外部编号\n"
    "张伟,电话,流量包扣费两次，要求退还多扣的30元,B-1\n"
    "王芳,传真,渠道不对的一行,B-2\n"
    "赵敏,在线客服,快递一周没动静，客服只会说明天到,B-3\n"
)


def test_a_lead_uploads_a_file_watches_the_progress_and_reads_the_report(browser, login, lead, tmp_path):
    path = tmp_path / "十二月投诉.csv"
    path.write_text(CSV, encoding="utf-8")
    login(lead)
    browser.get_log("browser")  # the shared browser's log so far belongs to the tests before this one
    browser.get(f"{browser.base_url}/complaints/import/")
    assert "导入在后台进行" in css(browser, "#import-semantics").text
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
    submit(browser, css(browser, "form button.primary"))

    job = ImportJob.objects.get()
    assert css(browser, "#import-job h1").text.endswith("十二月投诉.csv")
    assert css(browser, "progress.import-progress")  # queued: an indeterminate bar
    run_import(job.pk, budget_seconds=0)  # the background run takes one row in, then yields
    wait(browser).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "progress.import-progress").get_attribute("value") == "1"
    )
    assert "已处理 1 / 3 行" in css(browser, "#import-counts").text
    assert run_pending_imports() == 1  # and the rest
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#import-report"))
    bar = css(browser, "progress.import-progress")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("3", "3")
    assert css(browser, "#import-job").get_attribute("data-status") == "done"
    rows = browser.find_elements(By.CSS_SELECTOR, "#import-report tbody tr")
    assert [r.find_element(By.CSS_SELECTOR, "td").text for r in rows] == ["2", "3", "4"]
    assert "已驳回" in rows[1].text and "channel" in rows[1].text
    link = rows[0].find_element(By.CSS_SELECTOR, "a")
    assert link.text.startswith("KS")
    errors = [e for e in browser.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    assert not errors, errors

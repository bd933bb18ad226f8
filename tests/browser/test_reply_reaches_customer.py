"""An agent answers a customer's mail from the complaint page, with a file attached: the reply
goes out through the outbox to a real SMTP server, and the page says it was sent."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from kesu.handling.intake import take_in
from kesu.notifications.delivery import deliver_due
from tests.browser.ui import browser_test, css, submit, wait, xpath
from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.mail.conftest import smtp  # noqa: F401  (the SMTP server fixture)
from tests.mail.mails import PDF

pytestmark = browser_test
REPLY = "张先生，我理解您的着急。我已为您申请换新，新机会在48小时内寄出。"


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", team=TeamFactory(name="投诉一组"), role="agent")


@pytest.fixture
def complaint(agent):
    return take_in(
        actor=agent,
        customer=CustomerFactory(email="zhang@example.cn"),
        text="手机买了一周就黑屏了，我要求换新机。",
        channel="email",
    )


def test_an_agent_sends_a_reply_that_reaches_the_customer_by_email(
    browser, login, agent, complaint, smtp, settings, tmp_path  # noqa: F811
):
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    bill = tmp_path / "换新申请单.pdf"
    bill.write_bytes(PDF)
    login(agent)
    browser.get(f"{browser.base_url}/complaints/{complaint.reference}/")
    submit(browser, xpath(browser, "//button[normalize-space()='受理（成为负责人）']"))

    css(browser, "#id_body").send_keys(REPLY)
    wait(browser).until(lambda d: css(d, "#reply-check").text.strip())
    assert Select(css(browser, "select[name=deliver]")).first_selected_option.text == "邮件"
    css(browser, "input[name=files]").send_keys(str(bill))
    submit(browser, xpath(browser, "//form[contains(@class,'reply-form')]//button[normalize-space()='发送']"))

    reply = css(browser, ".conversation .msg.agent")
    assert REPLY in reply.text
    assert "邮件 · 待发送" in css(reply, ".delivery").text
    assert reply.find_element(By.LINK_TEXT, "换新申请单.pdf")

    deliver_due()  # the outbox worker's round (Celery, or the minute loop of `kesu serve`)
    browser.refresh()
    assert "邮件 · 已发送" in css(browser, ".conversation .msg.agent .delivery").text

    [mail] = smtp.to_customer()
    assert mail["To"] == "zhang@example.cn"
    assert f"[{complaint.reference}]" in mail["Subject"]
    assert REPLY in mail.get_body(("plain",)).get_content()
    assert [a.get_filename() for a in mail.iter_attachments()] == ["换新申请单.pdf"]

"""The complaint page: an agent's reply reaches the customer by e-mail and its state shows beside
it (待发送 / 已发送 / 失败 with the reason); evidence is listed, opened only by those allowed, and an
ID document is withheld from roles that do not see personal data."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kesu.complaints.models import Attachment, MessageKind
from kesu.complaints.services.attachments import Upload
from kesu.escalation.services import escalate_complaint
from kesu.handling.conversation import add_message
from kesu.handling.intake import take_in
from kesu.notifications.delivery import deliver_due
from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.mail.conftest import free_port
from tests.mail.mails import PDF, PNG

pytestmark = pytest.mark.django_db
REPLY = "张先生，我已为您申请换新，新机会在48小时内寄出，快递单号稍后短信告知。"


@pytest.fixture
def team():
    return TeamFactory(name="投诉一组")


@pytest.fixture
def agent(team):
    return UserFactory(username="agent", team=team, role="agent")


@pytest.fixture
def complaint(agent):
    complaint = take_in(
        actor=agent,
        customer=CustomerFactory(email="zhang@example.cn"),
        text="手机买了一周就黑屏了，我要求换新机。",
        channel="email",
        attachments=[Upload(filename="身份证.jpg", content=b"\xff\xd8\xff\xe0 photo", kind="id_document")],
    )
    complaint.owner = agent
    complaint.stage = "listen"
    complaint.save()
    return complaint


def page(client, complaint) -> str:
    return client.get(f"/complaints/{complaint.reference}/").content.decode()


def send_reply(client, complaint, **extra):
    data = {"body": REPLY, "kind": "agent", "deliver": "email", **extra}
    return client.post(f"/complaints/{complaint.reference}/message/", data)


def test_a_reply_sent_from_the_page_reaches_the_customer_and_shows_its_state(client, agent, complaint, smtp):
    client.force_login(agent)
    assert 'value="email" selected' in page(client, complaint)  # a mail is answered by mail
    send_reply(client, complaint, files=[SimpleUploadedFile("换新单.pdf", PDF)])
    assert "邮件 · 待发送" in page(client, complaint)

    deliver_due()
    html = page(client, complaint)
    assert "邮件 · 已发送" in html
    assert "换新单.pdf" in html
    [mail] = smtp.to_customer()
    assert mail["To"] == "zhang@example.cn"
    assert f"[{complaint.reference}]" in mail["Subject"]
    assert REPLY in mail.get_body(("plain",)).get_content()
    assert [a.get_filename() for a in mail.iter_attachments()] == ["换新单.pdf"]
    event = complaint.audit_events.get(action="message_agent")
    assert event.changes["delivery"] == [None, "email"]


def test_a_reply_the_mail_server_refuses_shows_the_reason_and_then_gives_up(client, agent, complaint, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.KESU_OUTBOX_MAX_ATTEMPTS = 2
    client.force_login(agent)
    send_reply(client, complaint)

    deliver_due()
    html = page(client, complaint)
    assert "待发送（上次发送失败，将自动重试）" in html and "ConnectionRefusedError" in html
    message = complaint.messages.get(kind=MessageKind.AGENT)
    assert deliver_due().claimed == 0  # backing off
    deliver_due(now=message.delivery.next_attempt_at)
    html = page(client, complaint)
    assert "邮件 · 失败" in html and "ConnectionRefusedError" in html


def test_the_reply_checker_still_guards_what_is_sent(client, agent, complaint, smtp):
    client.force_login(agent)
    response = send_reply(client, complaint, body="规定就是这样，我也没办法。")
    # Refused on the page itself, the draft kept in the reply box (nothing typed is lost).
    assert response.status_code == 400 and "规定就是这样，我也没办法。</textarea>" in response.content.decode()
    assert not complaint.messages.filter(kind=MessageKind.AGENT).exists()
    deliver_due()
    assert smtp.to_customer() == []


def test_sms_to_a_customer_without_a_phone_is_refused_in_chinese(client, agent, complaint):
    complaint.customer.phone = ""
    complaint.customer.save()
    client.force_login(agent)
    response = send_reply(client, complaint, deliver="sms")
    assert response.status_code == 400 and "客户没有手机号码，请选择其他送达方式。" in response.content.decode()


def test_an_oversize_or_wrong_file_is_refused_with_a_clear_chinese_error(client, agent, complaint, settings):
    settings.KESU_ATTACHMENT_MAX_BYTES = 1024
    client.force_login(agent)
    big = SimpleUploadedFile("照片.png", PNG + b"\x00" * 2048)
    html = send_reply(client, complaint, files=[big]).content.decode()
    assert "文件 照片.png 大小为 2.1\xa0KB，超过了 1.0\xa0KB 的上限。" in html
    program = SimpleUploadedFile("账单.pdf", b"MZ\x90\x00")
    html = send_reply(client, complaint, files=[program]).content.decode()
    assert "文件 账单.pdf 的类型不受支持" in html
    assert not complaint.messages.filter(kind=MessageKind.AGENT).exists()


def test_evidence_is_served_only_to_those_allowed_and_id_documents_are_withheld(client, agent, complaint, team):
    id_card = Attachment.objects.get(complaint=complaint)
    url = f"/complaints/{complaint.reference}/attachments/{id_card.pk}/"

    client.force_login(agent)  # handles complaints: sees personal data
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    assert "身份证.jpg" in response["Content-Disposition"] or "filename*=" in response["Content-Disposition"]

    inspector = UserFactory(username="qa", role="qa_inspector")
    client.force_login(inspector)
    assert "身份证件（已隐藏）" in page(client, complaint)
    assert "身份证.jpg" not in page(client, complaint)
    assert client.get(url).status_code == 403

    stranger = UserFactory(username="other", team=TeamFactory(name="投诉二组"), role="agent")
    client.force_login(stranger)
    assert client.get(url).status_code == 404


def test_the_escalation_package_lists_the_evidence_without_the_id_documents_name(agent, complaint):
    bill = Upload(filename="三月账单.pdf", content=PDF)
    add_message(complaint=complaint, actor=agent, body="客户补充了账单。", kind="note", attachments=[bill])
    escalation = escalate_complaint(complaint=complaint, actor=agent, reason="manual", note="客户要求见主管")
    listed = escalation.package["attachments"]
    assert [(a["kind"], a["filename"]) for a in listed] == [("id_document", None), ("bill", "三月账单.pdf")]


def test_a_complaint_escalated_at_intake_lists_the_evidence_it_came_with(agent):
    complaint = take_in(
        actor=agent,
        customer=CustomerFactory(email="wang@example.cn"),
        text="再不给我退款我就去工信部投诉，还要找媒体曝光！",
        channel="email",
        attachments=[
            Upload(filename="三月账单.pdf", content=PDF),
            Upload(filename="身份证.jpg", content=b"\xff\xd8\xff\xe0 photo", kind="id_document"),
        ],
    )
    escalation = complaint.escalations.get()  # at intake, in the transaction that stored the files
    listed = escalation.package["attachments"]
    assert [(a["kind"], a["filename"]) for a in listed] == [("bill", "三月账单.pdf"), ("id_document", None)]


def test_the_api_sends_a_reply_with_a_file_and_reports_its_delivery(client, agent, complaint, smtp):
    client.force_login(agent)
    url = f"/api/v1/complaints/{complaint.reference}/messages/"
    response = client.post(
        url, {"body": REPLY, "deliver": "email", "files": [SimpleUploadedFile("换新单.pdf", PDF)]}
    )
    assert response.status_code == 201, response.content
    assert response.json()["delivery"]["status"] == "pending"
    deliver_due()
    listed = client.get(url).json()
    reply = next(m for m in listed if m["kind"] == "agent")
    assert reply["delivery"]["status"] == "sent"
    assert [a["filename"] for a in reply["attachments"]] == ["换新单.pdf"]
    assert len(smtp.to_customer()) == 1
    refused = client.post(url, {"body": REPLY, "deliver": "fax"}, content_type="application/json")
    assert refused.status_code == 400


def test_the_intake_page_takes_the_customers_evidence(client, agent):
    client.force_login(agent)
    response = client.post(
        "/complaints/new/",
        {
            "customer_name": "刘女士",
            "phone": "13900139000",
            "channel": "walk_in",
            "source": "customer",
            "text": "燃气表走得特别快，这是上个月的账单。",
            "files": [SimpleUploadedFile("燃气账单.pdf", PDF), SimpleUploadedFile("表盘.png", PNG)],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    complaint = Attachment.objects.first().complaint
    assert sorted(a.filename for a in complaint.attachments.all()) == ["燃气账单.pdf", "表盘.png"]
    assert "燃气账单.pdf" in page(client, complaint)


def test_a_reply_by_sms_goes_through_the_gateway_once(client, agent, complaint, settings, tmp_path):
    settings.KESU_SMS_BACKEND = "kesu.notifications.channels.sms.FileSms"
    settings.KESU_SMS_DIR = tmp_path / "sms"
    client.force_login(agent)
    send_reply(client, complaint, deliver="sms")
    deliver_due()
    deliver_due()
    [sms] = list((tmp_path / "sms").glob("*.sms"))
    text = sms.read_text(encoding="utf-8")
    assert f"To: {complaint.customer.phone}" in text
    assert f"【客诉】{REPLY}（投诉编号 {complaint.reference}）" in text
    assert "短信 · 已发送" in page(client, complaint)

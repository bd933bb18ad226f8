"""A customer's mail travels as in production — SMTP in, IMAP to the poller — and the agent's
reply goes back out by SMTP through the outbox; the thread holds on both sides."""

from __future__ import annotations

import ssl
from email import policy
from email.parser import BytesParser

import pytest

from kesu.complaints.models import Complaint, MessageKind
from kesu.complaints.services import complaint_accept
from kesu.complaints.services.attachments import Upload
from kesu.handling.conversation import add_message
from kesu.handling.inbound import handle_pending
from kesu.mailbox.imap import fetch_new
from kesu.mailbox.models import InboundMail, Status
from kesu.notifications.delivery import deliver_due
from kesu.notifications.models import OutboxMessage
from kesu.notifications.models import Status as Outbox
from kesu.sla.models import ComplaintSla
from kesu.sla.services import complaint_wait_for_customer
from tests.factories import TeamFactory, UserFactory
from tests.mail.mails import PDF, PNG, QP, customer_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return TeamFactory(name="邮件组")


@pytest.fixture
def desk(team):
    """The account mail complaints are taken in as (KESU_MAIL_INTAKE_USER, default "mailbox")."""
    return UserFactory(username="mailbox", team=team, role="agent")


@pytest.fixture
def agent(team):
    return UserFactory(username="wang", first_name="王芳", team=team, role="agent")


@pytest.fixture
def mailroom(smtp, imap, desk):
    smtp.deliver_to = imap
    return smtp


def poll():
    fetched = fetch_new()
    return fetched, handle_pending()


def test_a_gbk_mail_with_a_bill_opens_a_complaint_and_the_reply_and_answer_thread(mailroom, imap, agent):
    raw, first_id = customer_mail(attachments=(("../../三月账单.pdf", PDF), ("截图.png", PNG)))
    mailroom.send(raw)

    fetched, handled = poll()
    assert (fetched.stored, handled.new_complaints) == (1, 1)
    complaint = Complaint.objects.get()
    assert complaint.channel == "email"
    assert complaint.customer.email == "li.na@example.cn" and complaint.customer.name == "李娜"
    assert "每天晚上八点以后就断网" in complaint.text and "要求退费" in complaint.text
    assert sorted(a.filename for a in complaint.attachments.all()) == ["三月账单.pdf", "截图.png"]
    assert {a.kind for a in complaint.attachments.all()} == {"bill", "screenshot"}
    assert imap.unseen() == 0

    complaint_accept(complaint=complaint, actor=agent)
    add_message(
        complaint=complaint,
        actor=agent,
        body="李女士，我理解断网给您带来的困扰。我会在今天下午5点前安排师傅上门检修，并在24小时内为您办理本月费用的退还。",
        deliver="email",
    )
    reply = complaint.messages.get(kind=MessageKind.AGENT)
    assert reply.delivery.status == Outbox.PENDING
    assert deliver_due().sent == 1
    reply.delivery.refresh_from_db()
    assert reply.delivery.status == Outbox.SENT

    [sent] = mailroom.to_customer()
    assert sent["To"] == "li.na@example.cn"
    assert f"[{complaint.reference}]" in sent["Subject"]
    assert sent["In-Reply-To"] == first_id and first_id in sent["References"]
    assert "今天下午5点前" in sent.get_body(("plain",)).get_content()
    assert sent["Message-ID"] == reply.email_message_id

    # The customer answers from another client: Big5, quoted-printable, our mail quoted below.
    answer, _ = customer_mail(
        subject=f"回覆：{sent['Subject']}",
        body="師傅還沒有來，請問什麼時候到？\n\n在 2026年12月3日 週四 10:05，客訴中心 寫道：\n> 李女士，我理解斷網給您帶來的困擾。",
        charset="big5",
        subject_charset="utf-8",  # our subject holds simplified characters Big5 lacks
        encoding=QP,
        in_reply_to=sent["Message-ID"],
        references=f"{first_id} {sent['Message-ID']}",
    )
    mailroom.send(answer)
    fetched, handled = poll()
    assert (fetched.stored, handled.threaded, handled.new_complaints) == (1, 1, 0)
    assert Complaint.objects.count() == 1
    latest = complaint.messages.filter(kind=MessageKind.CUSTOMER).latest("created_at", "id")
    assert latest.body == "師傅還沒有來，請問什麼時候到？"
    assert latest.analysis["emotion"]  # analysed like any customer message
    assert "我理解斷網" in latest.quoted
    assert latest.channel == "email"

    # Polling again finds nothing new: nothing is taken twice.
    fetched, handled = poll()
    assert (fetched.fetched, handled.threaded, handled.new_complaints) == (0, 0, 0)
    assert InboundMail.objects.count() == 2


def test_the_reference_in_the_subject_threads_only_for_the_complaints_own_customer(mailroom, desk):
    raw, _ = customer_mail(sender="zhao@example.cn", name="赵先生", charset="gb18030")
    mailroom.send(raw)
    poll()
    complaint = Complaint.objects.get()

    same, _ = customer_mail(
        sender="zhao@example.cn", subject=f"补充材料 [{complaint.reference}]", body="补充一下，订单号 8812345。",
        charset="utf-8",
    )
    stranger, _ = customer_mail(
        sender="someone@example.org", subject=f"Re: [{complaint.reference}]", body="我也遇到了同样的问题。",
        charset="utf-8",
    )
    mailroom.send(same)
    mailroom.send(stranger)
    _, handled = poll()
    assert (handled.threaded, handled.new_complaints) == (1, 1)
    assert complaint.messages.filter(kind=MessageKind.CUSTOMER).count() == 2
    assert Complaint.objects.count() == 2


def test_an_answer_to_a_closed_complaint_reopens_it(mailroom, agent):
    raw, first_id = customer_mail(charset="utf-8")
    mailroom.send(raw)
    poll()
    complaint = Complaint.objects.get()
    complaint.stage, complaint.owner = "closed", agent
    complaint.save()

    answer, _ = customer_mail(charset="utf-8", body="又断网了！", in_reply_to=first_id)
    mailroom.send(answer)
    poll()
    complaint.refresh_from_db()
    assert complaint.stage == "listen" and complaint.reopen_count == 1
    assert complaint.audit_events.filter(action="reopened", actor=None).exists()
    assert complaint.audit_events.filter(action="message_customer").count() == 1


@pytest.mark.parametrize(
    "headers, sender",
    [
        ({"Auto-Submitted": "auto-replied"}, "li.na@example.cn"),
        ({"Precedence": "bulk"}, "news@shop.example"),
        ({"List-Unsubscribe": "<mailto:unsubscribe@shop.example>"}, "news@shop.example"),
        ({}, "MAILER-DAEMON@mx.example.cn"),
    ],
)
def test_auto_replies_bounces_and_bulk_mail_open_nothing(mailroom, headers, sender):
    raw, _ = customer_mail(sender=sender, subject="自动回复：我正在休假", charset="utf-8", headers=headers)
    mailroom.send(raw)
    _, handled = poll()
    assert handled.ignored == 1
    assert not Complaint.objects.exists()
    assert InboundMail.objects.get().status == Status.IGNORED


def test_a_program_disguised_as_a_bill_is_not_kept(mailroom):
    raw, _ = customer_mail(charset="utf-8", attachments=(("账单.pdf", b"MZ\x90\x00 not a bill"), ("账单2.pdf", PDF)))
    mailroom.send(raw)
    poll()
    complaint = Complaint.objects.get()
    assert [a.filename for a in complaint.attachments.all()] == ["账单2.pdf"]
    assert "账单.pdf" in InboundMail.objects.get().reason


def test_the_reply_mail_carries_the_agents_attachment(mailroom, agent):
    mailroom.send(customer_mail(charset="utf-8")[0])
    poll()
    complaint = Complaint.objects.get()
    complaint_accept(complaint=complaint, actor=agent)
    add_message(
        complaint=complaint,
        actor=agent,
        body="我已为您办理退费，退费凭证见附件，预计24小时内到账。",
        deliver="email",
        attachments=[Upload(filename="退费凭证.pdf", content=PDF)],
    )
    assert deliver_due().sent == 1, list(OutboxMessage.objects.values_list("status", "last_error"))
    [sent] = mailroom.to_customer()
    assert sent.get_content_type() == "multipart/mixed", sent.as_string()[:3000]
    [attachment] = list(sent.iter_attachments())
    assert attachment.get_filename() == "退费凭证.pdf"
    assert attachment.get_content() == PDF
    assert BytesParser(policy=policy.default).parsebytes(mailroom.raw[-1])["Message-ID"] == sent["Message-ID"]


def test_the_mailbox_is_read_over_tls_with_the_servers_certificate_checked(smtp, imap_tls, desk, settings):
    smtp.deliver_to = imap_tls
    smtp.send(customer_mail(charset="gb18030", body="手机信号很差，要求检修基站。")[0])
    fetched, handled = poll()
    assert (fetched.stored, handled.new_complaints) == (1, 1)

    settings.KESU_IMAP_CAFILE = ""  # a self-signed certificate the system does not trust
    smtp.send(customer_mail(charset="utf-8", body="第二封")[0])
    with pytest.raises(ssl.SSLCertVerificationError):
        fetch_new()


def test_an_answer_to_a_complaint_waiting_for_the_customer_lets_its_clocks_run_again(mailroom, agent):
    raw, first_id = customer_mail(charset="utf-8")
    mailroom.send(raw)
    poll()
    complaint = Complaint.objects.get()
    complaint_accept(complaint=complaint, actor=agent)
    complaint_wait_for_customer(complaint=complaint, actor=agent, note="请客户发来本月账单截图")
    assert ComplaintSla.objects.get(pk=complaint.pk).paused_since is not None

    answer, _ = customer_mail(charset="utf-8", body="账单截图在附件里。", in_reply_to=first_id, attachments=(("账单.png", PNG),))
    mailroom.send(answer)
    poll()
    assert ComplaintSla.objects.get(pk=complaint.pk).paused_since is None
    assert complaint.audit_events.filter(action="sla_resumed").exists()
    assert complaint.attachments.filter(filename="账单.png", message__isnull=False).exists()


def test_a_known_customers_mail_on_a_new_matter_is_a_new_complaint_of_the_same_customer(mailroom):
    mailroom.send(customer_mail(charset="utf-8", body="宽带每天晚上断网，要求退费。")[0])
    poll()
    mailroom.send(customer_mail(charset="utf-8", subject="电视会员重复扣费", body="电视会员这个月扣了两次费，要求退回一次。")[0])
    _, handled = poll()
    assert handled.new_complaints == 1
    first, second = Complaint.objects.order_by("received_at", "id")
    assert first.customer_id == second.customer_id
    assert second.repeat_of is None  # another matter: not linked as a repeat


def test_the_beat_task_and_the_minute_loop_of_the_embedded_default_poll_the_mailbox(mailroom, settings):
    from django.core.management import call_command

    from kesu.handling.tasks import poll_mailbox

    mailroom.send(customer_mail(sender="a@example.cn", charset="utf-8")[0])
    assert poll_mailbox.delay().get()["new_complaints"] == 1
    mailroom.send(customer_mail(sender="b@example.cn", charset="utf-8")[0])
    call_command("run_periodic", "--once")
    assert sorted(Complaint.objects.values_list("customer__email", flat=True)) == ["a@example.cn", "b@example.cn"]
    assert "mailbox-poll" in settings.CELERY_BEAT_SCHEDULE


def test_an_empty_mail_is_set_aside(mailroom):
    mailroom.send(customer_mail(charset="utf-8", subject="", body="")[0])
    _, handled = poll()
    assert handled.ignored == 1 and not Complaint.objects.exists()
    assert InboundMail.objects.get().reason == "empty mail"

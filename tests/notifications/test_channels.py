"""What each channel puts on the wire."""

from __future__ import annotations

import io
import time

import pytest
from django.core import mail

from kesu.notifications import services
from kesu.notifications.channels.email import DjangoEmail
from kesu.notifications.channels.sms import ConsoleSms, FileSms
from kesu.notifications.delivery import deliver_due
from kesu.notifications.models import OutboxMessage, Status, WebhookEndpoint
from kesu.notifications.signing import verify_signature


@pytest.mark.django_db
def test_a_webhook_carries_headers_the_receiver_can_verify(gateway):
    endpoint = WebhookEndpoint.objects.create(
        name="CRM", url=gateway.url, event_types=["sla.first_reply_48h"]
    )
    services.emit_event(
        event_key="sla.first_reply_48h:KS2026112300000001",
        event_type="sla.first_reply_48h",
        payload={"reference": "KS2026112300000001", "customer": "张伟"},
    )
    assert deliver_due().sent == 1
    [request] = gateway.requests
    headers = request.headers
    assert headers["X-Kesu-Event"] == "sla.first_reply_48h"
    assert headers["Idempotency-Key"] == "sla.first_reply_48h:KS2026112300000001"
    assert headers["Content-Type"].startswith("application/json")
    assert abs(int(headers["X-Kesu-Timestamp"]) - time.time()) < 60
    assert verify_signature(
        endpoint.secret,
        request.body,
        headers["X-Kesu-Timestamp"],
        headers["X-Kesu-Signature"],
        now=time.time(),
    )
    assert not verify_signature(
        "wrong", request.body, headers["X-Kesu-Timestamp"], headers["X-Kesu-Signature"], now=time.time()
    )
    body = request.json()
    assert body["id"] == "sla.first_reply_48h:KS2026112300000001"
    assert body["data"] == {"reference": "KS2026112300000001", "customer": "张伟"}


@pytest.mark.django_db
def test_a_webhook_to_a_deactivated_endpoint_is_given_up(gateway):
    endpoint = WebhookEndpoint.objects.create(name="CRM", url=gateway.url)
    services.emit_event(event_key="e1", event_type="stage.changed", payload={})
    endpoint.active = False
    endpoint.save()
    assert deliver_due().dead == 1
    assert "inactive" in OutboxMessage.objects.get().last_error
    assert not gateway.requests


@pytest.mark.django_db
def test_an_email_goes_through_djangos_backend_with_a_stable_message_id():
    services.enqueue_email(
        event_key="followup.survey:KS1",
        to="zhang.wei@example.com",
        subject="回访：您对投诉处理满意吗？",
        body="请回复 1–5 评价本次处理。",
    )
    assert deliver_due().sent == 1
    [sent] = mail.outbox
    assert sent.to == ["zhang.wei@example.com"]
    assert sent.subject == "回访：您对投诉处理满意吗？"
    first_id = sent.message()["Message-ID"]
    DjangoEmail().send(OutboxMessage.objects.get())  # what a re-delivery would send
    assert mail.outbox[1].message()["Message-ID"] == first_id
    assert first_id.startswith("<kesu.") and first_id.endswith(">")
    assert OutboxMessage.objects.get().status == Status.SENT


@pytest.mark.django_db
def test_file_sms_never_writes_a_second_message_for_one_key(tmp_path):
    services.enqueue_sms(event_key="k", phone="13800138000", text="第一次")
    message = OutboxMessage.objects.get()
    backend = FileSms(tmp_path / "out")
    backend.send(message)
    message.body = "第二次"
    backend.send(message)
    [written] = (tmp_path / "out").iterdir()
    assert "第一次" in written.read_text(encoding="utf-8")
    assert "第二次" not in written.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_console_sms_prints_the_message():
    services.enqueue_sms(event_key="k", phone="13800138000", text="您的投诉已受理")
    stream = io.StringIO()
    ConsoleSms(stream).send(OutboxMessage.objects.get())
    assert stream.getvalue() == "[SMS to 13800138000] 您的投诉已受理\n"

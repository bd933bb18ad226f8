"""Enqueuing: one row per event key, written with the caller's transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from kesu.notifications import services
from kesu.notifications.models import Channel, OutboxMessage, Status, WebhookEndpoint
from kesu.notifications.services import SmsRow


@pytest.mark.django_db
def test_an_sms_is_queued_once_per_event_key(make_complaint):
    complaint = make_complaint()
    key = f"sla.first_reply_48h:{complaint.reference}"
    text = "【客诉中心】您的投诉已受理，我们会在48小时内给您答复。"
    assert services.enqueue_sms(event_key=key, phone="13800138000", text=text, complaint=complaint)
    assert not services.enqueue_sms(event_key=key, phone="13800138000", text="另一条", complaint=complaint)
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient, message.body) == (Channel.SMS, "13800138000", text)
    assert message.complaint == complaint and message.status == Status.PENDING
    assert message.idempotency_key == f"{key}:13800138000"
    assert list(complaint.notifications.all()) == [message]


@pytest.mark.django_db
def test_the_same_event_may_reach_two_recipients_and_two_channels():
    services.enqueue_sms(event_key="followup:1", phone="13800138000", text="回访")
    services.enqueue_sms(event_key="followup:1", phone="13900139000", text="回访")
    services.enqueue_email(event_key="followup:1", to="zhang.wei@example.com", subject="回访", body="回访")
    assert OutboxMessage.objects.count() == 3


@pytest.mark.django_db
def test_a_rolled_back_event_leaves_no_notification():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.enqueue_sms(event_key="stage.closed:KS1", phone="13800138000", text="已结案")
        raise RuntimeError("the stage change failed")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_duplicate_does_not_break_the_callers_transaction():
    services.enqueue_sms(event_key="k", phone="13800138000", text="t")
    with transaction.atomic():
        assert not services.enqueue_sms(event_key="k", phone="13800138000", text="t")
        assert services.enqueue_sms(event_key="k2", phone="13800138000", text="t")
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db
def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        services.enqueue_sms(event_key="", phone="13800138000", text="t")
    with pytest.raises(ValueError):
        services.enqueue_sms(event_key="k", phone=" ", text="t")
    with pytest.raises(ValueError):
        services.enqueue_email(event_key="k", to="not an address", subject="s", body="b")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_many_sms_in_batches_skip_keys_already_queued(make_complaint):
    complaint = make_complaint()
    services.enqueue_sms(event_key="sweep:3", phone="13800000003", text="已有")
    rows = [SmsRow(f"sweep:{n}", f"138{n:08d}", f"第{n}条", complaint.pk) for n in range(2500)]
    rows.append(("sweep:7", "13800000007", "同一批里重复"))
    assert services.enqueue_many_sms(rows, batch_size=1000) == 2499
    assert OutboxMessage.objects.count() == 2500
    assert OutboxMessage.objects.get(event_key="sweep:3").body == "已有"
    assert OutboxMessage.objects.get(event_key="sweep:7").body == "第7条"
    assert OutboxMessage.objects.filter(complaint=complaint).count() == 2499
    # A second sweep over the same complaints adds nothing.
    assert services.enqueue_many_sms(rows, batch_size=1000) == 0
    assert OutboxMessage.objects.count() == 2500


@pytest.mark.django_db
def test_an_event_goes_to_each_active_subscribed_endpoint():
    crm = WebhookEndpoint.objects.create(name="CRM", url="http://127.0.0.1:9/crm", event_types=[])
    sla = WebhookEndpoint.objects.create(
        name="SLA board", url="http://127.0.0.1:9/sla", event_types=["sla.first_reply_48h"]
    )
    WebhookEndpoint.objects.create(name="Old", url="http://127.0.0.1:9/old", active=False)
    WebhookEndpoint.objects.create(name="Stages", url="http://127.0.0.1:9/st", event_types=["stage.changed"])

    payload = {"reference": "KS2026112300000001", "overdue_hours": 2}
    created = services.emit_event(event_key="sla:KS1", event_type="sla.first_reply_48h", payload=payload)
    assert created == 2
    assert services.emit_event(event_key="sla:KS1", event_type="sla.first_reply_48h", payload=payload) == 0
    messages = OutboxMessage.objects.order_by("endpoint__name")
    assert [m.endpoint for m in messages] == [crm, sla]
    assert messages[0].payload["id"] == "sla:KS1"
    assert messages[0].payload["type"] == "sla.first_reply_48h"
    assert messages[0].payload["data"] == payload
    assert services.emit_event(event_key="x", event_type="nobody.listens", payload={}) == 1  # CRM takes all


@pytest.mark.django_db
def test_delivery_starts_once_after_the_transaction_commits(settings, django_capture_on_commit_callbacks):
    settings.KESU_OUTBOX_DELIVER_ON_COMMIT = True
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            services.enqueue_sms(event_key="a", phone="13800138000", text="一")
            services.enqueue_sms(event_key="b", phone="13800138000", text="二")
            services.enqueue_sms(event_key="a", phone="13800138000", text="一")
    assert len(callbacks) == 1
    # Celery is eager on the embedded default, so the kick delivered both at once.
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    assert len(list((settings.KESU_SMS_DIR).iterdir())) == 2


@pytest.mark.django_db
def test_retry_gives_a_dead_message_fresh_attempts_and_leaves_sent_ones_alone():
    services.enqueue_sms(event_key="dead", phone="13800138000", text="t")
    services.enqueue_sms(event_key="sent", phone="13800138000", text="t")
    OutboxMessage.objects.filter(event_key="dead").update(
        status=Status.DEAD, attempts=8, last_error="HTTP 500"
    )
    OutboxMessage.objects.filter(event_key="sent").update(status=Status.SENT, attempts=1)
    ids = list(OutboxMessage.objects.values_list("pk", flat=True))
    assert services.retry_messages(message_ids=ids) == 1
    dead = OutboxMessage.objects.get(event_key="dead")
    assert (dead.status, dead.attempts) == (Status.PENDING, 0)
    assert OutboxMessage.objects.get(event_key="sent").status == Status.SENT

"""The worker: claims, leases, retries with back-off, giving up."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from kesu.notifications import services
from kesu.notifications.channels.sms import sms_file_name
from kesu.notifications.delivery import backoff_seconds, claim_due, deliver_due
from kesu.notifications.models import OutboxMessage, Status

PHONE = "13800138000"


def test_back_off_doubles_up_to_the_cap_and_jitters_the_second_half():
    assert backoff_seconds(1, base=30, cap=3600, rand=lambda: 0.0) == 15
    assert backoff_seconds(1, base=30, cap=3600, rand=lambda: 1.0) == 30
    assert backoff_seconds(3, base=30, cap=3600, rand=lambda: 1.0) == 120
    assert backoff_seconds(20, base=30, cap=3600, rand=lambda: 1.0) == 3600
    assert backoff_seconds(20, base=30, cap=3600, rand=lambda: 0.0) == 1800


@pytest.mark.django_db
def test_a_due_sms_is_written_once_and_marked_sent(settings):
    services.enqueue_sms(event_key="sla.first_reply_48h:KS1", phone=PHONE, text="您的投诉正在处理中。")
    now = timezone.now()
    report = deliver_due(now=now)
    assert report.as_dict() == {"claimed": 1, "sent": 1, "retrying": 0, "dead": 0}
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts, message.sent_at, message.lease_until) == (
        Status.SENT,
        1,
        now,
        None,
    )
    path = settings.KESU_SMS_DIR / sms_file_name(message)
    assert path.read_text(encoding="utf-8").endswith("您的投诉正在处理中。\n")
    assert f"To: {PHONE}" in path.read_text(encoding="utf-8")
    assert deliver_due().claimed == 0


@pytest.mark.django_db
def test_limit_bounds_one_run_and_the_rest_waits_for_the_next(settings):
    settings.KESU_OUTBOX_LEASE_SECONDS = 40  # two seconds per message at most: claims of 2
    settings.KESU_SMS_TIMEOUT = 10
    for n in range(5):
        services.enqueue_sms(event_key=f"k{n}", phone=PHONE, text="t")
    assert deliver_due(limit=3).sent == 3
    assert deliver_due(limit=3).sent == 2
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 5


@pytest.mark.django_db
def test_a_leased_message_is_not_taken_again_until_the_lease_runs_out(settings):
    settings.KESU_OUTBOX_LEASE_SECONDS = 300
    services.enqueue_sms(event_key="k", phone=PHONE, text="t")
    now = timezone.now()
    [claimed] = claim_due(limit=10, now=now, token="crashed-worker")
    assert (claimed.status, claimed.attempts, claimed.lease_until) == (
        Status.SENDING,
        1,
        now + timedelta(seconds=300),
    )
    assert deliver_due(now=now + timedelta(seconds=299)).claimed == 0
    report = deliver_due(now=now + timedelta(seconds=300))
    assert (report.claimed, report.sent) == (1, 1)
    assert OutboxMessage.objects.get().attempts == 2


@pytest.mark.django_db
def test_a_worker_lost_during_the_last_attempt_gives_the_message_up(settings):
    settings.KESU_OUTBOX_MAX_ATTEMPTS = 1
    services.enqueue_sms(event_key="k", phone=PHONE, text="t")
    now = timezone.now()
    claim_due(limit=10, now=now, token="crashed-worker")
    report = deliver_due(now=now + timedelta(hours=1))
    assert report.dead == 1
    message = OutboxMessage.objects.get()
    assert message.status == Status.DEAD and "last attempt" in message.last_error
    assert not settings.KESU_SMS_DIR.exists()  # nothing was sent again


@pytest.mark.django_db
def test_a_failing_gateway_is_retried_with_back_off_until_it_answers(http_sms):
    http_sms.statuses = [500, 503]
    services.enqueue_sms(event_key="sla:KS1", phone=PHONE, text="您好")
    t0 = timezone.now()

    assert deliver_due(now=t0).retrying == 1
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert "HTTP 500" in message.last_error
    first_delay = (message.next_attempt_at - t0).total_seconds()
    assert 15 <= first_delay <= 30

    assert deliver_due(now=message.next_attempt_at - timedelta(seconds=1)).claimed == 0
    t1 = message.next_attempt_at
    assert deliver_due(now=t1).retrying == 1
    message.refresh_from_db()
    assert message.attempts == 2 and "HTTP 503" in message.last_error
    assert 30 <= (message.next_attempt_at - t1).total_seconds() <= 60

    assert deliver_due(now=message.next_attempt_at).sent == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 3, "")

    assert len(http_sms.requests) == 3
    assert {r.headers["Idempotency-Key"] for r in http_sms.requests} == {f"sla:KS1:{PHONE}"}
    assert all(r.headers["X-Api-Key"] == "test-api-key" for r in http_sms.requests)
    assert http_sms.requests[0].json() == {"to": PHONE, "text": "您好", "id": f"sla:KS1:{PHONE}"}
    assert http_sms.requests[0].path == "/sms/send"
    assert sum(http_sms.delivered.values()) == 1


@pytest.mark.django_db
def test_a_gateway_down_for_good_ends_in_dead_after_the_last_attempt(settings, http_sms):
    settings.KESU_OUTBOX_MAX_ATTEMPTS = 3
    http_sms.statuses = [500] * 10
    services.enqueue_sms(event_key="k", phone=PHONE, text="t")
    now = timezone.now()
    for _ in range(3):
        deliver_due(now=now)
        now = OutboxMessage.objects.get().next_attempt_at
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (Status.DEAD, 3)
    assert deliver_due(now=now + timedelta(days=1)).claimed == 0
    assert len(http_sms.requests) == 3 and not http_sms.delivered


@pytest.mark.django_db
def test_a_refusal_is_not_retried(http_sms):
    http_sms.statuses = [400]
    services.enqueue_sms(event_key="k", phone="12345", text="t")
    assert deliver_due().dead == 1
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (Status.DEAD, 1)
    assert "HTTP 400" in message.last_error
    assert len(http_sms.requests) == 1


@pytest.mark.django_db
def test_an_unreachable_gateway_is_retried(settings, http_sms):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.KESU_SMS_URL = f"http://127.0.0.1:{closed_port}/sms"
    services.enqueue_sms(event_key="k", phone=PHONE, text="t")
    assert deliver_due().retrying == 1
    message = OutboxMessage.objects.get()
    assert message.status == Status.FAILED and "ConnectionRefused" in message.last_error

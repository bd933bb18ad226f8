"""Running the worker (task, command, beat entry) and looking after the outbox in the admin."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from kesu.celery import app as celery_app
from kesu.notifications import services
from kesu.notifications.models import OutboxMessage, Status, WebhookEndpoint
from kesu.notifications.schedule import BEAT_SCHEDULE
from kesu.notifications.tasks import deliver_outbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(team):
    user = UserFactory(username="root", team=team)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_the_task_delivers_and_reports_and_can_run_twice():
    services.enqueue_sms(event_key="k", phone="13800138000", text="t")
    assert deliver_outbox.delay().get() == {"claimed": 1, "sent": 1, "retrying": 0, "dead": 0}
    assert deliver_outbox.delay().get() == {"claimed": 0, "sent": 0, "retrying": 0, "dead": 0}


def test_the_beat_entry_names_the_registered_task():
    [entry] = BEAT_SCHEDULE.values()
    assert entry["task"] == deliver_outbox.name
    assert entry["task"] in celery_app.tasks


def test_the_management_command_delivers_what_is_due():
    services.enqueue_sms(event_key="a", phone="13800138000", text="t")
    services.enqueue_sms(event_key="b", phone="13800138000", text="t")
    out = StringIO()
    call_command("deliver_outbox", "--limit", "1", stdout=out)
    assert out.getvalue().strip() == "claimed 1, sent 1, retrying 0, given up 0"
    call_command("deliver_outbox", stdout=out)
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 2


def test_the_outbox_is_read_only_in_the_admin_with_phone_numbers_masked(client, superuser):
    services.enqueue_sms(event_key="sla:KS1", phone="13812345678", text="t")
    client.force_login(superuser)
    page = client.get(reverse("admin:notifications_outboxmessage_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "sla:KS1" in html and "13812345678" not in html and "5678" in html
    assert client.get(reverse("admin:notifications_outboxmessage_add")).status_code == 403
    message = OutboxMessage.objects.get()
    change = client.post(
        reverse("admin:notifications_outboxmessage_change", args=[message.pk]), {"body": "x"}
    )
    assert change.status_code == 403
    assert OutboxMessage.objects.get().body == "t"


def test_an_admin_retries_a_dead_message(client, superuser):
    services.enqueue_sms(event_key="dead", phone="13800138000", text="t")
    services.enqueue_sms(event_key="sent", phone="13800138000", text="t")
    OutboxMessage.objects.filter(event_key="dead").update(
        status=Status.DEAD, attempts=8, last_error="HTTP 500"
    )
    OutboxMessage.objects.filter(event_key="sent").update(status=Status.SENT)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:notifications_outboxmessage_changelist"),
        {"action": "retry", "_selected_action": list(OutboxMessage.objects.values_list("pk", flat=True))},
        follow=True,
    )
    assert "将重新发送 1 条消息" in response.content.decode()  # the admin speaks Chinese first
    dead = OutboxMessage.objects.get(event_key="dead")
    assert (dead.status, dead.attempts) == (Status.PENDING, 0)
    assert OutboxMessage.objects.get(event_key="sent").status == Status.SENT


def test_webhook_endpoints_are_configured_in_the_admin(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:notifications_webhookendpoint_add"),
        {
            "name": "CRM",
            "url": "https://crm.example.com/hooks/kesu",
            "secret": "s3cret",
            "event_types": "[]",
            "active": "on",
        },
    )
    assert response.status_code == 302
    refused = client.post(
        reverse("admin:notifications_webhookendpoint_add"),
        {"name": "Local file", "url": "file:///etc/passwd", "secret": "s", "event_types": "[]"},
    )
    assert refused.status_code == 200  # the form again, with its error
    assert list(WebhookEndpoint.objects.values_list("name", flat=True)) == ["CRM"]

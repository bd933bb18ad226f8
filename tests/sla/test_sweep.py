"""The SLA sweep: at-risk warnings, escalation on breach, the 48-hour SMS — once, however often
or concurrently it runs, and even when the delivery worker dies mid-delivery."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import Count
from django.utils import timezone

from kesu.complaints import services
from kesu.complaints.models import AuditEvent
from kesu.escalation.models import Escalation
from kesu.handling.conversation import add_message
from kesu.handling.sweep import sweep
from kesu.notifications.delivery import deliver_due
from kesu.notifications.models import OutboxMessage
from kesu.sla.models import ComplaintSla
from tests.factories import CustomerFactory
from tests.notifications.test_exactly_once import run_together, run_worker_that_dies

HOURS = timedelta(hours=1)


@pytest.mark.django_db
def test_a_complaint_without_a_first_reply_for_48_hours_breaches_escalates_and_texts_the_customer(
    make_complaint, lead
):
    now = timezone.now()
    late = make_complaint(received_at=now - 49 * HOURS)
    fresh = make_complaint(received_at=now - 1 * HOURS, customer=CustomerFactory())
    report = sweep(now=now)
    assert report.breached["first_reply"] == 1 and report.customer_sms == 1
    row = ComplaintSla.objects.get(pk=late.pk)
    assert row.first_reply_status == "breached" and row.customer_sms_at == now
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.complaint == late and sms.recipient == late.customer.phone and late.reference in sms.body
    escalation = Escalation.objects.get(complaint=late)
    assert escalation.reason == "sla_breach" and escalation.level_code == "team_lead"
    assert escalation.assigned_to == lead
    assert ComplaintSla.objects.get(pk=fresh.pk).first_reply_status == "on_track"
    assert AuditEvent.objects.filter(complaint=late, action="sla_breached").exists()


@pytest.mark.django_db
def test_the_owner_is_warned_at_75_percent(make_complaint, agent):
    agent.email = "agent@example.com"
    agent.save()
    now = timezone.now()
    complaint = services.complaint_accept(complaint=make_complaint(received_at=now - 37 * HOURS), actor=agent)
    report = sweep(now=now)
    assert report.at_risk["first_reply"] == 1 and report.at_risk["effective"] == 1
    warnings = OutboxMessage.objects.filter(channel="email", complaint=complaint)
    assert {m.recipient for m in warnings} == {"agent@example.com"} and warnings.count() == 2
    assert ComplaintSla.objects.get(pk=complaint.pk).first_reply_status == "at_risk"


@pytest.mark.django_db
def test_sweeping_again_does_nothing_new(make_complaint):
    make_complaint(received_at=timezone.now() - 60 * HOURS)
    sweep()
    again = sweep()
    assert again.breached == {"first_reply": 0, "effective": 0} and again.customer_sms == 0
    assert OutboxMessage.objects.filter(channel="sms").count() == 1
    assert Escalation.objects.count() == 1


@pytest.mark.django_db
def test_replied_paused_or_closed_complaints_are_not_swept(make_complaint, agent):
    now = timezone.now()
    replied = services.complaint_accept(complaint=make_complaint(received_at=now - 60 * HOURS), actor=agent)
    add_message(complaint=replied, actor=agent, body="您好，我来处理")
    waiting = services.complaint_accept(
        complaint=make_complaint(received_at=now - 60 * HOURS, customer=CustomerFactory()), actor=agent
    )
    from kesu.sla.services import complaint_wait_for_customer

    complaint_wait_for_customer(complaint=waiting, actor=agent, note="等待客户提供凭证")
    report = sweep(now=now)
    assert report.customer_sms == 0
    assert report.breached["effective"] == 1  # the replied one still has no effective solution


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_and_a_worker_killed_mid_delivery_send_one_sms_per_complaint(
    settings, make_complaint
):
    now = timezone.now()
    complaints = [make_complaint(received_at=now - 50 * HOURS, customer=CustomerFactory()) for _ in range(12)]
    reports = run_together(2, lambda _: sweep(now=now))
    assert sum(r.customer_sms for r in reports) == 12
    assert sum(r.breached["first_reply"] for r in reports) == 12
    per_complaint = OutboxMessage.objects.filter(channel="sms").values("complaint").annotate(n=Count("id"))
    assert sorted(row["n"] for row in per_complaint) == [1] * 12
    assert Escalation.objects.filter(reason="sla_breach").count() == 12

    sms_dir = Path(settings.KESU_SMS_DIR)
    run_worker_that_dies(
        KESU_SMS_BACKEND="tests.notifications.dying.FileSmsThenDie", KESU_SMS_DIR=str(sms_dir)
    )
    assert len(list(sms_dir.glob("*.sms"))) == 1  # one went out, then the worker was killed
    lease_over = timezone.now() + timedelta(minutes=30)
    deliver_due(now=lease_over, limit=100)
    files = list(sms_dir.glob("*.sms"))
    assert len(files) == 12
    for complaint in complaints:
        assert sum(complaint.reference in f.read_text(encoding="utf-8") for f in files) == 1


@pytest.mark.django_db
def test_the_embedded_scheduler_sweeps_and_delivers(make_complaint, settings, tmp_path):
    from django.core.management import call_command

    settings.KESU_SMS_DIR = tmp_path / "sms"
    late = make_complaint(received_at=timezone.now() - 49 * HOURS)
    call_command("run_periodic", "--once")
    assert ComplaintSla.objects.get(pk=late.pk).first_reply_status == "breached"
    assert OutboxMessage.objects.get(channel="sms").status == "sent"
    assert len(list((tmp_path / "sms").glob("*.sms"))) == 1


@pytest.mark.django_db
def test_a_breach_escalates_by_the_rules_of_every_escalation(make_complaint, team):
    """The same assignee rule (the complaint's team first, the least loaded), the same package and
    the same notifications (e-mail to the assignee, the webhook event) as an escalation by hand."""
    from kesu.notifications.models import WebhookEndpoint
    from tests.factories import UserFactory

    busy = UserFactory(username="lead_busy", team=team, role="team_lead", email="busy@example.com")
    free = UserFactory(username="lead_free", team=team, role="team_lead", email="free@example.com")
    UserFactory(username="lead_elsewhere", role="team_lead", email="else@example.com")
    WebhookEndpoint.objects.create(name="crm", url="https://crm.example.com/hook", secret="s" * 32)
    now = timezone.now()
    earlier = make_complaint(received_at=now - 1 * HOURS)
    Escalation.objects.create(
        complaint=earlier, level=2, level_code="manager", reason="manual", assigned_to=busy, created_at=now
    )
    late = make_complaint(received_at=now - 49 * HOURS, customer=CustomerFactory())
    sweep(now=now)
    escalation = Escalation.objects.get(complaint=late, reason="sla_breach")
    assert escalation.assigned_to == free  # busy already holds one open escalation
    assert set(escalation.package) >= {"customer", "problem", "timeline", "tried", "evidence", "owner"}
    assert escalation.package["problem"]["text"] and escalation.package["timeline"]
    key = f"escalation:{escalation.pk}"
    assert OutboxMessage.objects.filter(event_key=key, channel="email", recipient="free@example.com").exists()
    assert OutboxMessage.objects.filter(event_key=key, channel="webhook").exists()
    event = AuditEvent.objects.get(complaint=late, action="escalated")
    assert event.changes["assigned_to"] == [None, "lead_free"] and event.note == "sla_breach"

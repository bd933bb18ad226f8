"""The clocks of each complaint, as stored for the sweep: started at intake, stopped by the acts
that deliver (the first reply, the effective solution, closure), paused while waiting for the
customer, run anew when a complaint is reopened. The arithmetic is :mod:`kesu.core.sla`.

These are steps of the acts in :mod:`kesu.handling` (``ON_INTAKE``, ``ON_REPLY``, ``ON_SOLUTION``,
``ON_CLOSE``, ``ON_REOPEN``), each in the act's transaction; nothing else calls them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.dateparse import parse_datetime

from kesu import inserts
from kesu.accounts.models import User
from kesu.complaints import clock
from kesu.complaints.audit import AuditAction, record_event
from kesu.complaints.models import Complaint
from kesu.core import sla as core
from kesu.sla.models import Clock, ClockStatus, ComplaintSla
from kesu.sla.policies import calendar_for, policy_for


def row_pauses(row: ComplaintSla) -> list[core.Pause]:
    closed = [core.Pause(parse_datetime(start), parse_datetime(end)) for start, end in row.pauses]
    if row.paused_since is not None:
        closed.append(core.Pause(row.paused_since, None))
    return closed


def row_targets(row: ComplaintSla) -> dict[str, timedelta]:
    return {
        Clock.FIRST_REPLY: timedelta(hours=float(row.first_reply_hours)),
        Clock.EFFECTIVE: timedelta(hours=float(row.effective_reply_hours)),
    }


def _reschedule(row: ComplaintSla, now: datetime) -> None:
    """Recompute the deadlines and at-risk instants from the pauses so far (after a resume)."""
    calendar = calendar_for(row.calendar_id)
    pauses = row_pauses(row)
    ratio = float(row.at_risk_ratio)
    for name, target in row_targets(row).items():
        due = core.deadline(
            received=row.received_at, target=target, now=now, pauses=pauses, calendar=calendar
        )
        risk = core.deadline(
            received=row.received_at, target=target * ratio, now=now, pauses=pauses, calendar=calendar
        )
        setattr(row, f"{name}_due_at", due)
        setattr(row, f"{name}_risk_at", risk)


def sla_start(complaint: Complaint) -> ComplaintSla:
    """Start both clocks at receipt, with the policy of the customer's tier and the priority."""
    applied = policy_for(tier=complaint.customer.tier.code, priority=complaint.priority)
    row = ComplaintSla(
        complaint=complaint,
        received_at=complaint.received_at,
        first_reply_hours=applied.first_reply_hours,
        effective_reply_hours=applied.effective_reply_hours,
        at_risk_ratio=applied.at_risk_ratio,
        calendar_id=applied.calendar_id,
    )
    _reschedule(row, complaint.received_at)
    return inserts.insert(row)


def sla_restart(*, complaint: Complaint, actor: User | None, at: datetime) -> None:
    """Run both clocks anew from ``at`` (a reopened complaint is handled again), with the targets
    that apply now; the pauses, warnings and breaches of the earlier round are done with."""
    row = ComplaintSla.objects.select_for_update().filter(pk=complaint.pk).first()
    if row is None:
        return
    applied = policy_for(tier=complaint.customer.tier.code, priority=complaint.priority)
    before = {
        "received_at": row.received_at,
        "first_reply": row.first_reply_status,
        "effective": row.effective_status,
    }
    row.received_at = at
    row.first_reply_hours = applied.first_reply_hours
    row.effective_reply_hours = applied.effective_reply_hours
    row.at_risk_ratio = applied.at_risk_ratio
    row.calendar_id = applied.calendar_id
    row.pauses, row.paused_since = [], None
    row.first_reply_status = row.effective_status = ClockStatus.ON_TRACK
    row.first_reply_warned_at = row.effective_warned_at = None
    row.first_reply_breached_at = row.effective_breached_at = None
    row.customer_sms_at = None
    _reschedule(row, at)
    row.save()
    record_event(
        complaint=complaint,
        actor=actor,
        action=AuditAction.SLA_RESTARTED,
        changes={
            "sla.received_at": [before["received_at"], at],
            "sla.first_reply": [before["first_reply"], row.first_reply_status],
            "sla.effective": [before["effective"], row.effective_status],
        },
    )


def sla_stop(*, complaint: Complaint, which: str, at: datetime) -> None:
    """Stop a clock: ``first_reply`` at the first reply, ``effective`` at the effective solution,
    ``both`` at closure. A clock stopped on or before its deadline is met, after it met late."""
    row = ComplaintSla.objects.select_for_update().filter(pk=complaint.pk).first()
    if row is None:
        return
    if row.paused_since is not None:  # the open pause counts up to the stop
        _reschedule(row, at)
    fields = []
    for name in ["first_reply", "effective"] if which == "both" else [which]:
        if getattr(row, f"{name}_status") in (ClockStatus.MET, ClockStatus.MET_LATE):
            continue
        met = at <= getattr(row, f"{name}_due_at")
        setattr(row, f"{name}_status", ClockStatus.MET if met else ClockStatus.MET_LATE)
        fields.append(f"{name}_status")
    if fields:
        row.save(update_fields=fields)


def sla_resume(*, complaint: Complaint, actor: User | None) -> bool:
    """Let the clocks run again (the customer answered, or by hand); deadlines move out by the
    working time spent waiting. Returns whether the clocks were paused."""
    row = ComplaintSla.objects.select_for_update().filter(pk=complaint.pk).first()
    if row is None or row.paused_since is None:
        return False
    now = clock.now()
    started = row.paused_since
    row.pauses = [*row.pauses, [started.isoformat(), now.isoformat()]]
    row.paused_since = None
    _reschedule(row, now)
    row.save(
        update_fields=[
            "pauses",
            "paused_since",
            "first_reply_due_at",
            "first_reply_risk_at",
            "effective_due_at",
            "effective_risk_at",
        ]
    )
    record_event(
        complaint=complaint,
        actor=actor,
        action=AuditAction.SLA_RESUMED,
        changes={"paused_since": [started, None], "first_reply_due_at": [None, row.first_reply_due_at]},
    )
    return True

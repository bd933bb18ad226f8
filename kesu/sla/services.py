"""The clocks of each complaint: started at intake, stopped by the acts that deliver (the first
reply, the effective solution, closure), paused while waiting for the customer. The arithmetic
is :mod:`kesu.core.sla`; this module stores its results where the sweep can find them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import clock, permissions
from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.complaints.models import Complaint
from kesu.complaints.services import _locked, record_event
from kesu.core import sla as core
from kesu.sla.models import ClockStatus, ComplaintSla
from kesu.sla.policies import calendar_for, policy_for


def _pauses(row: ComplaintSla) -> list[core.Pause]:
    closed = [core.Pause(parse_datetime(start), parse_datetime(end)) for start, end in row.pauses]
    if row.paused_since is not None:
        closed.append(core.Pause(row.paused_since, None))
    return closed


def _targets(row: ComplaintSla) -> dict[str, timedelta]:
    return {
        "first_reply": timedelta(hours=float(row.first_reply_hours)),
        "effective": timedelta(hours=float(row.effective_reply_hours)),
    }


def _reschedule(row: ComplaintSla, now: datetime) -> None:
    """Recompute the deadlines and at-risk instants from the pauses so far (after a resume)."""
    calendar = calendar_for(row.calendar_id)
    pauses = _pauses(row)
    ratio = float(row.at_risk_ratio)
    for name, target in _targets(row).items():
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
    row.save(force_insert=True)
    return row


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
        action="sla_restarted",
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


@dataclass(frozen=True)
class ClockView:
    name: str
    status: str
    deadline: datetime
    remaining_seconds: float
    ratio_used: float
    paused: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "deadline": self.deadline.isoformat(),
            "remaining_seconds": round(self.remaining_seconds),
            "ratio_used": round(self.ratio_used, 3),
            "paused": self.paused,
        }


def sla_view(complaint: Complaint, *, now: datetime | None = None) -> dict[str, ClockView]:
    """Deadlines, time left and state of both clocks now, computed exactly (not the stored
    sweep state, which may lag by one sweep interval)."""
    row = getattr(complaint, "sla", None)
    if row is None:
        return {}
    now = now or clock.now()
    calendar = calendar_for(row.calendar_id)
    pauses = _pauses(row)
    stops = {"first_reply": complaint.first_reply_at, "effective": complaint.effective_solution_at}
    if complaint.closed_at is not None:
        stops = {k: v or complaint.closed_at for k, v in stops.items()}
    views = {}
    for name, target in _targets(row).items():
        state = core.clock_state(
            received=row.received_at,
            target=target,
            now=now,
            pauses=pauses,
            calendar=calendar,
            stopped_at=stops[name],
            at_risk_ratio=float(row.at_risk_ratio),
        )
        views[name] = ClockView(
            name, state.status.value, state.deadline, state.remaining_seconds, state.ratio_used, state.paused
        )
    return views


def complaint_wait_for_customer(*, complaint: Complaint, actor: User, note: str) -> Complaint:
    """Pause the clocks while the complaint waits for the customer (e.g. for documents)."""
    if not (note or "").strip():
        raise ComplaintError("reason_required", _("Say what the customer is expected to do."))
    with transaction.atomic():
        complaint = _locked(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        row = ComplaintSla.objects.select_for_update().get(pk=complaint.pk)
        if row.paused_since is not None:
            raise ComplaintError("already_paused", _("The clocks are already paused."))
        row.paused_since = clock.now()
        row.save(update_fields=["paused_since"])
        record_event(
            complaint=complaint,
            actor=actor,
            action="sla_paused",
            changes={"paused_since": [None, row.paused_since]},
            note=note.strip(),
        )
    return complaint


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
        action="sla_resumed",
        changes={"paused_since": [started, None], "first_reply_due_at": [None, row.first_reply_due_at]},
    )
    return True


def complaint_resume_clocks(*, complaint: Complaint, actor: User) -> Complaint:
    with transaction.atomic():
        complaint = _locked(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if not sla_resume(complaint=complaint, actor=actor):
            raise ComplaintError("not_paused", _("The clocks are not paused."))
    return complaint

"""The periodic SLA sweep: find the clocks that crossed a threshold since the last sweep and act.

Each question is an indexed range query over the running, unpaused clocks (partial indexes in
the migration), never a Python loop over every open complaint:

- a clock whose at-risk instant has passed turns *at risk* and its owner is warned (e-mail);
- a clock whose deadline has passed turns *breached*, and the breached complaints go to the
  caller's ``on_breach`` (:func:`kesu.handling.sweep.sweep` escalates them, in bulk, by the same
  rules as any escalation: :func:`kesu.escalation.automatic.escalate_on_breach`);
- a first-reply clock breached without any reply sends the customer the automatic SMS of
  SPEC §7 (首次回复 48 h: the system tells the customer the complaint is being handled).

Rows are claimed in batches with ``SELECT … FOR UPDATE SKIP LOCKED`` (on SQLite, write
transactions serialise instead), then updated only where the state still matches, so two
sweeps at the same moment act once. Every notification is keyed by its event (an outbox row
with a unique key), so even a repeated action cannot send twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import override

from kesu.complaints import clock as service_clock
from kesu.complaints.audit import AuditAction, record_events
from kesu.complaints.models import Complaint
from kesu.notifications.models import StaffNotificationKind
from kesu.notifications.services import EmailRow, SmsRow, enqueue_many_email, enqueue_many_sms
from kesu.notifications.staff import StaffRow, notify_staff
from kesu.notifications.templates import Placeholders, template_text
from kesu.sla.models import Clock, ClockStatus, ComplaintSla

BATCH = 5000

#: ``on_breach(rows, clock, now)``: act on complaints whose clock just breached, in the sweep's
#: transaction; returns how many it escalated. Each row is a :data:`SWEPT_FIELDS` dict.
BreachStep = Callable[[list[dict], Clock, datetime], int]
SWEPT_FIELDS = (
    "pk",
    "reference",
    "owner_id",
    "owner__email",
    "team_id",
    "customer__phone",
    "escalation_level",
    "reopen_count",
)


@dataclass
class SweepReport:
    at_risk: dict[str, int] = field(default_factory=lambda: {"first_reply": 0, "effective": 0})
    breached: dict[str, int] = field(default_factory=lambda: {"first_reply": 0, "effective": 0})
    customer_sms: int = 0
    escalated: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def _claim(condition: Q, order_field: str) -> list[int]:
    """Lock and return up to BATCH matching clock ids; rows another sweep holds are skipped."""
    queryset = ComplaintSla.objects.filter(condition).order_by(order_field)
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True)
    return list(queryset.values_list("pk", flat=True)[:BATCH])


def _complaints(ids: Iterable[int]) -> list[dict]:
    return list(Complaint.objects.filter(pk__in=list(ids)).values(*SWEPT_FIELDS))


def _round(row: dict) -> str:
    """A reopened complaint's clocks run again (a new round): its warnings and SMS are new events."""
    return f":{row['reopen_count']}" if row["reopen_count"] else ""


def _warn_owners(rows: list[dict], name: Clock) -> None:
    with override(settings.LANGUAGE_CODE):
        label = str(name.label)
        subject = _("%(clock)s deadline at risk: %(ref)s")
        body = _("Complaint %(ref)s has used most of its %(clock)s time. Please act now.")
    enqueue_many_email(
        EmailRow(
            event_key=f"sla.{name}.at_risk:{row['reference']}{_round(row)}",
            to=row["owner__email"],
            subject=subject % {"clock": label, "ref": row["reference"]},
            body=body % {"clock": label, "ref": row["reference"]},
            complaint_id=row["pk"],
            event_type="sla.at_risk",
        )
        for row in rows
        if row["owner__email"]
    )


def _tell_owners(rows: list[dict], name: Clock, kind: str) -> None:
    """The owner's bell: their complaint is at risk or breached (once per clock and round)."""
    notify_staff(
        StaffRow(
            event_key=f"sla.{name}.{kind}:{row['reference']}{_round(row)}",
            user_id=row["owner_id"],
            kind=StaffNotificationKind.AT_RISK if kind == "at_risk" else StaffNotificationKind.BREACHED,
            complaint_id=row["pk"],
            reference=row["reference"],
            note=str(name.label),
        )
        for row in rows
        if row["owner_id"]
    )


def _customer_sms(rows: list[dict]) -> int:
    """The automatic SMS of the 48-hour rule, in the admin's words (template ``sla-first-reply-sms``)."""
    _subject, text = template_text("sla-first-reply-sms")
    return enqueue_many_sms(
        SmsRow(
            event_key=f"sla.first_reply.sms:{row['reference']}{_round(row)}",
            phone=row["customer__phone"],
            text=text.format_map(Placeholders(ref=row["reference"])).strip(),
            complaint_id=row["pk"],
        )
        for row in rows
        if row["customer__phone"]
    )


def _step(name: Clock, kind: str, now: datetime, report: SweepReport, on_breach: BreachStep) -> None:
    status_field, instant_field = f"{name}_status", f"{name}_{'risk' if kind == 'at_risk' else 'due'}_at"
    current = [ClockStatus.ON_TRACK] if kind == "at_risk" else [ClockStatus.ON_TRACK, ClockStatus.AT_RISK]
    condition = Q(
        **{f"{status_field}__in": current, "paused_since__isnull": True, f"{instant_field}__lte": now}
    )
    action = AuditAction.SLA_AT_RISK if kind == "at_risk" else AuditAction.SLA_BREACHED
    while True:
        with transaction.atomic():
            ids = _claim(condition, instant_field)
            if not ids:
                return
            stamp = {f"{name}_warned_at" if kind == "at_risk" else f"{name}_breached_at": now}
            new_status = ClockStatus.AT_RISK if kind == "at_risk" else ClockStatus.BREACHED
            ComplaintSla.objects.filter(condition, pk__in=ids).update(**{status_field: new_status}, **stamp)
            rows = _complaints(ids)
            changes = {f"sla.{name}": ["running", new_status.value]}
            record_events(action=action, at=now, events=((row["pk"], changes, "") for row in rows))
            _tell_owners(rows, name, kind)
            if kind == "at_risk":
                _warn_owners(rows, name)
                report.at_risk[name] += len(rows)
                continue
            report.breached[name] += len(rows)
            report.escalated += on_breach(rows, name, now)
            if name == Clock.FIRST_REPLY:
                report.customer_sms += _customer_sms(rows)
                ComplaintSla.objects.filter(pk__in=ids).update(customer_sms_at=now)


def sweep(*, on_breach: BreachStep, now: datetime | None = None) -> SweepReport:
    """One pass over both clocks; safe to run concurrently and repeatedly. Run it through
    :func:`kesu.handling.sweep.sweep`, which says what a breach sets off."""
    started = time.perf_counter()
    now = now or service_clock.now()
    report = SweepReport()
    for name in (Clock.FIRST_REPLY, Clock.EFFECTIVE):
        _step(name, "breached", now, report, on_breach)
        _step(name, "at_risk", now, report, on_breach)
    report.seconds = round(time.perf_counter() - started, 3)
    return report

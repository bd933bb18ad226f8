"""The periodic SLA sweep: find the clocks that crossed a threshold since the last sweep and act.

Each question is an indexed range query over the running, unpaused clocks (partial indexes in
the migration), never a Python loop over every open complaint:

- a clock whose at-risk instant has passed turns *at risk* and its owner is warned (e-mail);
- a clock whose deadline has passed turns *breached* and the complaint escalates one level;
- a first-reply clock breached without any reply sends the customer the automatic SMS of
  SPEC §7 (首次回复 48 h: the system tells the customer the complaint is being handled).

Rows are claimed in batches with ``SELECT … FOR UPDATE SKIP LOCKED`` (on SQLite, write
transactions serialise instead), then updated only where the state still matches, so two
sweeps at the same moment act once. Every notification is keyed by its event (an outbox row
with a unique key), so even a repeated action cannot send twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _
from django.utils.translation import override

from kesu.accounts.models import User
from kesu.complaints import clock as service_clock
from kesu.complaints.models import AuditEvent, Complaint
from kesu.escalation.models import Escalation, EscalationLevel, Reason
from kesu.notifications.models import Channel, OutboxMessage
from kesu.notifications.services import SmsRow, enqueue_many_sms
from kesu.sla.models import ClockStatus, ComplaintSla

BATCH = 5000
CLOCK_LABELS = {"first_reply": "首次回复", "effective": "有效回复"}


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
    return list(
        Complaint.objects.filter(pk__in=list(ids)).values(
            "pk", "reference", "owner_id", "owner__email", "team_id", "customer__phone", "escalation_level"
        )
    )


def _audit(rows: list[dict], action: str, now: datetime, changes: dict) -> None:
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(complaint_id=row["pk"], actor=None, action=action, changes=changes, created_at=now)
            for row in rows
        ],
        batch_size=2000,
    )


def _warn_owners(rows: list[dict], name: str, now: datetime) -> None:
    with override(settings.LANGUAGE_CODE):
        subject = _("%(clock)s deadline at risk: %(ref)s")
        body = _("Complaint %(ref)s has used most of its %(clock)s time. Please act now.")
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                event_key=f"sla.{name}.at_risk:{row['reference']}",
                event_type="sla.at_risk",
                channel=Channel.EMAIL,
                recipient=row["owner__email"],
                subject=subject % {"clock": CLOCK_LABELS[name], "ref": row["reference"]},
                body=body % {"clock": CLOCK_LABELS[name], "ref": row["reference"]},
                complaint_id=row["pk"],
                next_attempt_at=now,
                created_at=now,
            )
            for row in rows
            if row["owner__email"]
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )


#: A breach hands the complaint to the team lead (the first level above the agent); one already
#: escalated that far is not escalated again by the clock.
BREACH_LEVEL = 1


def _escalate(rows: list[dict], name: str, now: datetime) -> int:
    """Escalate breached complaints to the team lead, in bulk. The partial unique index on open
    escalations per level makes a repeated attempt a no-op."""
    level = EscalationLevel.objects.filter(position=BREACH_LEVEL).first()
    holders: dict[int | None, int] = {}
    if level is not None:
        for pk, team_id in (
            User.objects.filter(is_active=True, groups__name=level.role)
            .order_by("pk")
            .values_list("pk", "team_id")
        ):
            holders.setdefault(team_id, pk)
    anyone = min(holders.values(), default=None)
    new = []
    for row in rows:
        if level is None or row["escalation_level"] >= BREACH_LEVEL:
            continue
        new.append(
            Escalation(
                complaint_id=row["pk"],
                level=level.position,
                level_code=level.code,
                reason=Reason.SLA_BREACH,
                triggers=[{"code": "overdue", "evidence": name}],
                package={"complaint": row["reference"], "clock": name, "breached_at": now.isoformat()},
                assigned_to_id=holders.get(row["team_id"], anyone),
                created_at=now,
            )
        )
    Escalation.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    ids = [e.complaint_id for e in new]
    if ids:
        Complaint.objects.filter(pk__in=ids).update(
            escalation_level=Greatest(F("escalation_level"), BREACH_LEVEL)
        )
    return len(new)


def _customer_sms(rows: list[dict]) -> int:
    with override(settings.LANGUAGE_CODE):
        text = _(
            "[Kesu] Your complaint %(ref)s is being handled; the person in charge will contact you shortly. "
            "We apologise for the wait."
        )
    return enqueue_many_sms(
        SmsRow(
            event_key=f"sla.first_reply.sms:{row['reference']}",
            phone=row["customer__phone"],
            text=text % {"ref": row["reference"]},
            complaint_id=row["pk"],
        )
        for row in rows
        if row["customer__phone"]
    )


def _step(name: str, kind: str, now: datetime, report: SweepReport) -> None:
    status_field, instant_field = f"{name}_status", f"{name}_{'risk' if kind == 'at_risk' else 'due'}_at"
    current = [ClockStatus.ON_TRACK] if kind == "at_risk" else [ClockStatus.ON_TRACK, ClockStatus.AT_RISK]
    condition = Q(
        **{f"{status_field}__in": current, "paused_since__isnull": True, f"{instant_field}__lte": now}
    )
    while True:
        with transaction.atomic():
            ids = _claim(condition, instant_field)
            if not ids:
                return
            stamp = {f"{name}_warned_at" if kind == "at_risk" else f"{name}_breached_at": now}
            new_status = ClockStatus.AT_RISK if kind == "at_risk" else ClockStatus.BREACHED
            ComplaintSla.objects.filter(condition, pk__in=ids).update(**{status_field: new_status}, **stamp)
            rows = _complaints(ids)
            _audit(rows, f"sla_{kind}", now, {f"sla.{name}": ["running", new_status.value]})
            if kind == "at_risk":
                _warn_owners(rows, name, now)
                report.at_risk[name] += len(rows)
                continue
            report.breached[name] += len(rows)
            report.escalated += _escalate(rows, name, now)
            if name == "first_reply":
                report.customer_sms += _customer_sms(rows)
                ComplaintSla.objects.filter(pk__in=ids).update(customer_sms_at=now)


def sweep(*, now: datetime | None = None) -> SweepReport:
    """One pass of the sweep; safe to run concurrently and repeatedly."""
    started = time.perf_counter()
    now = now or service_clock.now()
    report = SweepReport()
    for name in ("first_reply", "effective"):
        _step(name, "breached", now, report)
        _step(name, "at_risk", now, report)
    report.seconds = round(time.perf_counter() - started, 3)
    return report

"""Escalations nobody asks for: at intake, when the analysis found a serious trigger or the
complaint is the third on the same matter (SPEC §3, §4: important/urgent complaints escalate at
once), and on an SLA breach. Steps of :mod:`kesu.handling` (``ON_INTAKE``, the sweep's breach);
the same ladder, assignee rule, package and notifications as an escalation by hand.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F
from django.db.models.functions import Greatest

from kesu.complaints.analysis import StoredAnalysis
from kesu.complaints.audit import AuditAction, record_events
from kesu.complaints.models import Complaint
from kesu.escalation.ladder import assignees, level_at
from kesu.escalation.models import Escalation, Reason, Status
from kesu.escalation.packages import compile_packages
from kesu.escalation.services import escalate_complaint, escalated_changes, notify

#: Analysis triggers that escalate a complaint as soon as it is taken in. Weighed in this order
#: when several fire.
INTAKE_TRIGGERS = (
    "legal",
    "regulator",
    "public_exposure",
    "supervisor_request",
    "extreme_emotion",
    "vip_urgent",
)
#: A third complaint on the same matter (two earlier ones) escalates.
REPEAT_ESCALATES_AT = 2
#: Escalations at intake and on a breach go to the team lead, the first level above the agent;
#: a complaint already escalated that far is not escalated again by them.
AUTOMATIC_LEVEL = 1


def escalate_on_intake(complaint: Complaint) -> Escalation | None:
    """Escalate at once when the analysis found a serious trigger, or on a third complaint."""
    analysis = StoredAnalysis(complaint.analysis)
    fired = analysis.raw_triggers()
    codes = analysis.trigger_codes
    for code in INTAKE_TRIGGERS:
        if code in codes:
            return escalate_complaint(
                complaint=complaint,
                actor=None,
                reason=code,
                triggers=fired,
                to_level=AUTOMATIC_LEVEL,
                fresh=True,
            )
    if complaint.repeat_count >= REPEAT_ESCALATES_AT:
        return escalate_complaint(
            complaint=complaint,
            actor=None,
            reason=Reason.REPEAT,
            triggers=fired,
            to_level=AUTOMATIC_LEVEL,
            fresh=True,
        )
    return None


def escalate_on_analysis(complaint: Complaint, analysis: dict, *, before: frozenset[str] = frozenset()) -> Escalation | None:
    """A later reading of the customer's words (a new message, or the semantic tier's refinement)
    found a serious trigger that was not there before: escalate, as at intake. A complaint already
    at the team lead or above is not escalated again (``escalate_complaint`` returns None)."""
    read = StoredAnalysis(analysis)
    for code in INTAKE_TRIGGERS:
        if code in read.trigger_codes and code not in before:
            return escalate_complaint(
                complaint=complaint,
                actor=None,
                reason=code,
                triggers=read.raw_triggers(),
                to_level=AUTOMATIC_LEVEL,
            )
    return None


def escalate_on_breach(rows: list[dict], clock: str, now: datetime) -> int:
    """Escalate the complaints whose ``clock`` just breached (the sweep's rows, in its transaction)
    to the team lead, in a few statements however many there are; returns how many escalated.

    The partial unique index on open escalations per level makes a repeated attempt a no-op."""
    level = level_at(AUTOMATIC_LEVEL)
    due = [row["pk"] for row in rows if row["escalation_level"] < AUTOMATIC_LEVEL]
    if level is None or not due:
        return 0
    complaints = list(
        Complaint.objects.filter(pk__in=due)
        .select_related("customer", "customer__tier", "owner")
        .order_by("pk")
    )
    packages = compile_packages(complaints)
    chosen = assignees(level, (c.team_id for c in complaints))
    triggers = [{"code": "overdue", "evidence": str(clock)}]
    new = [
        Escalation(
            complaint=complaint,
            level=level.position,
            level_code=level.code,
            reason=Reason.SLA_BREACH,
            triggers=triggers,
            package=packages[complaint.pk],
            assigned_to=assignee,
            created_at=now,
        )
        for complaint, assignee in zip(complaints, chosen, strict=True)
    ]
    Escalation.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    # Which were inserted (a conflict inserts nothing), and their keys: they name the notifications.
    inserted = dict(
        Escalation.objects.filter(
            complaint_id__in=due,
            level=level.position,
            reason=Reason.SLA_BREACH,
            status=Status.OPEN,
            created_at=now,
        ).values_list("complaint_id", "pk")
    )
    made = [e for e in new if e.complaint_id in inserted]
    for escalation in made:
        escalation.pk = inserted[escalation.complaint_id]
    if not made:
        return 0
    before = {c.pk: c.escalation_level for c in complaints}
    Complaint.objects.filter(pk__in=[e.complaint_id for e in made]).update(
        escalation_level=Greatest(F("escalation_level"), AUTOMATIC_LEVEL)
    )
    record_events(
        action=AuditAction.ESCALATED,
        at=now,
        events=(
            (e.complaint_id, escalated_changes(before[e.complaint_id], e), Reason.SLA_BREACH) for e in made
        ),
    )
    notify(made)
    return len(made)

"""The complaint's row lock and its append-only audit trail, for every capability's acts.

An act locks the complaint it changes (:func:`lock_complaint`), writes, and appends what it
changed (:func:`record_event`), all in one transaction. :class:`AuditAction` is the one list of
what can happen to a complaint, each with the name a person reads (English here, Chinese in the
catalogue); the audit page, the admin and the API's codes all come from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu import inserts
from kesu.accounts.models import User
from kesu.complaints import clock
from kesu.complaints.models import AuditEvent, Complaint


class AuditAction(models.TextChoices):
    CREATED = "created", _("Recorded")
    LINKED_REPEAT = "linked_repeat", _("Linked as a repeat")
    ACCEPTED = "accepted", _("Accepted")
    STAGE_CHANGED = "stage_changed", _("Stage changed")
    REOPENED = "reopened", _("Reopened")
    CHECKLIST = "checklist", _("Checklist")
    MESSAGE_CUSTOMER = "message_customer", _("Customer message")
    MESSAGE_AGENT = "message_agent", _("Reply sent")
    MESSAGE_NOTE = "message_note", _("Internal note")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    SOLUTION_RECORDED = "solution_recorded", _("Solution recorded")
    AGREEMENT_RECORDED = "agreement_recorded", _("Agreement recorded")
    FOLLOW_UP_RECORDED = "follow_up_recorded", _("Follow-up recorded")
    FOLLOW_UP_LINK_SENT = "follow_up_link_sent", _("Follow-up link sent")
    FOLLOW_UP_LINK_ANSWERED = "follow_up_link_answered", _("Follow-up link answered")
    FOLLOW_UP_LINK_RETIRED = "follow_up_link_retired", _("Follow-up link retired")
    CLOSE_REASON_RECORDED = "close_reason_recorded", _("Reason for closing recorded")
    TRANSFERRED = "transferred", _("Transferred")
    DETAILS_CHANGED = "details_changed", _("Details changed")
    REANALYSED = "reanalysed", _("Analysed again")
    ANALYSIS_REFINED = "analysis_refined", _("Analysis refined by the semantic tier")
    BAD_FAITH_MARKED = "bad_faith_marked", _("Marked as bad-faith")
    ESCALATED = "escalated", _("Escalated")
    ESCALATION_RESOLVED = "escalation_resolved", _("Escalation resolved")
    DE_ESCALATED = "de_escalated", _("De-escalated")
    APPROVAL_REQUESTED = "approval_requested", _("Approval requested")
    APPROVAL_DECIDED = "approval_decided", _("Approval decided")
    SLA_PAUSED = "sla_paused", _("Clocks paused")
    SLA_RESUMED = "sla_resumed", _("Clocks resumed")
    SLA_RESTARTED = "sla_restarted", _("Clocks restarted")
    SLA_AT_RISK = "sla_at_risk", _("At risk")
    SLA_BREACHED = "sla_breached", _("Breached")
    WORK_ORDER_OPENED = "work_order_opened", _("Work order opened")
    WORK_ORDER_COMPLETED = "work_order_completed", _("Work order completed")

    @classmethod
    def for_message(cls, kind: str) -> AuditAction:
        """``message_customer``, ``message_agent`` or ``message_note``."""
        return cls(f"message_{kind}")


def action_label(code: str) -> str:
    """The name of a stored action code; a code this version does not know shows as itself."""
    try:
        return str(AuditAction(code).label)
    except ValueError:
        return code


def lock_complaint(complaint: Complaint) -> Complaint:
    """Re-read the row under a lock so concurrent acts serialise (SELECT … FOR UPDATE); call it
    inside the act's transaction and go on with the instance it returns."""
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _clean(changes: dict[str, Any] | None) -> dict[str, list[Any]]:
    return {k: [_json(v[0]), _json(v[1])] for k, v in (changes or {}).items()}


def record_event(
    *,
    complaint: Complaint,
    actor: User | None,
    action: AuditAction | str,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one audit event. ``changes`` maps a field to ``[before, after]``."""
    return inserts.insert(
        AuditEvent(
            complaint=complaint,
            actor=actor if actor and actor.pk else None,
            action=AuditAction(action),
            changes=_clean(changes),
            note=note,
            created_at=clock.now(),
        )
    )


def record_events(
    *, action: AuditAction, at: datetime, events: Iterable[tuple[int, dict[str, Any] | None, str]]
) -> None:
    """System events (no actor) for many complaints in a few statements, the sweep's: each of
    ``events`` is ``(complaint id, changes, note)``."""
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                complaint_id=pk, actor=None, action=action, changes=_clean(changes), note=note, created_at=at
            )
            for pk, changes, note in events
        ],
        batch_size=2000,
    )


def set_fields(complaint: Complaint, changes: dict[str, list[Any]], **values: Any) -> None:
    """Assign fields and remember before/after for the audit event."""
    for field, value in values.items():
        before = getattr(complaint, field)
        if before != value:
            changes[field] = [before, value]
            setattr(complaint, field, value)


def save_fields(complaint: Complaint, changes: dict[str, list[Any]]) -> None:
    """Save the fields :func:`set_fields` changed (nothing when none did)."""
    if changes:
        complaint.save(update_fields=[*changes.keys(), "updated_at"])

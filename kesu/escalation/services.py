"""Escalation 升级 (SPEC §6): compile the case, hand it to the next level, keep the owner involved,
record the outcome. Also requests for approval of solutions above the proposer's authority.

Escalations happen by hand (with a reason) or automatically (:mod:`kesu.escalation.automatic`: at
intake from the analysis triggers and repeat complaints, and on an SLA breach). Automatic
escalation is idempotent: one open escalation per complaint and level (a partial unique index).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kesu import inserts
from kesu.accounts.models import User
from kesu.complaints import clock, permissions
from kesu.complaints.audit import AuditAction, lock_complaint, record_event
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.models import Complaint, RefundMethod, SolutionType
from kesu.complaints.services.solution import amount_promised, solution_check
from kesu.escalation.ladder import assignees, level_at, level_with_authority, levels
from kesu.escalation.models import ApprovalRequest, Escalation, EscalationLevel, Reason, Status
from kesu.escalation.packages import compile_package
from kesu.notifications.models import StaffNotificationKind
from kesu.notifications.services import EmailRow, EventRow, emit_many_events, enqueue_many_email
from kesu.notifications.staff import StaffRow, notify_staff


def escalate_complaint(
    *,
    complaint: Complaint,
    actor: User | None,
    reason: str,
    note: str = "",
    triggers: list[dict[str, Any]] | None = None,
    to_level: int | None = None,
    fresh: bool = False,
) -> Escalation | None:
    """Hand the complaint to the next level (or ``to_level``). The owner stays the owner
    (首问责任制) and stays involved; the level above takes it over with the agent's help.

    ``actor`` is None for automatic escalations, which name their ``to_level``: they return None
    when the complaint is already at or above it, so triggers may fire repeatedly without harm.
    ``fresh`` is for intake, inside the transaction that just created the complaint: nothing
    else can hold or have escalated it yet, and its history is the creation alone.
    """
    if reason not in Reason.values:
        raise ComplaintError(ErrorCode.INVALID_REASON, _("Unknown escalation reason."))
    if actor is not None and reason == Reason.MANUAL and not note.strip():
        raise ComplaintError(ErrorCode.REASON_REQUIRED, _("Say why the complaint is escalated."))
    ladder = levels()
    # A fresh complaint escalates inside the transaction that creates it: no savepoint of its
    # own, a failure rolls back the intake as a whole.
    with transaction.atomic(savepoint=not fresh):
        if not fresh:
            complaint = lock_complaint(complaint)
        if actor is not None and not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        target = to_level if to_level is not None else complaint.escalation_level + 1
        level = next((lv for lv in ladder if lv.position == target), None)
        if level is None:
            if actor is None:
                return None
            raise ComplaintError(
                ErrorCode.TOP_LEVEL, _("The complaint is already at the top escalation level.")
            )
        if target <= complaint.escalation_level and actor is None:
            return None
        if (
            not fresh
            and Escalation.objects.filter(complaint=complaint, level=target, status=Status.OPEN).exists()
        ):
            return None
        fields = {
            "complaint": complaint,
            "level": level.position,
            "level_code": level.code,
            "reason": reason,
            "triggers": triggers or [],
            "note": note.strip(),
            "package": compile_package(complaint, fresh=fresh),
            "raised_by": actor,
            "assigned_to": assignees(level, [complaint.team_id])[0],
            "created_at": clock.now(),
        }
        if fresh:  # nobody else sees the complaint yet, so nobody else can have escalated it
            escalation = inserts.insert(Escalation(**fields))
        else:
            try:
                with transaction.atomic():
                    escalation = Escalation.objects.create(**fields)
            except IntegrityError:  # a concurrent trigger escalated it to this level first
                return None
        before = complaint.escalation_level
        complaint.escalation_level = level.position
        complaint.save(update_fields=["escalation_level", "updated_at"])
        record_event(
            complaint=complaint,
            actor=actor,
            action=AuditAction.ESCALATED,
            changes=escalated_changes(before, escalation),
            note=f"{reason}: {note.strip()}" if note.strip() else reason,
        )
        notify([escalation])
    return escalation


def escalated_changes(before: int, escalation: Escalation) -> dict[str, list[Any]]:
    """What an escalation changed, for its audit event."""
    assignee = escalation.assigned_to
    return {
        "escalation_level": [before, escalation.level],
        "assigned_to": [None, assignee.username if assignee is not None else None],
    }


def notify(escalations: list[Escalation]) -> None:
    """Tell each assignee (e-mail) and subscribed systems (webhook ``complaint.escalated``), in
    the escalation's transaction; once per escalation however often this runs."""
    emails, events = [], []
    subject, body = _("Complaint %(ref)s escalated to you"), _("Reason: %(reason)s\n%(note)s")
    for escalation in escalations:
        reference = escalation.complaint.reference
        key = f"escalation:{escalation.pk}"
        assignee = escalation.assigned_to
        if assignee is not None and assignee.email:
            emails.append(
                EmailRow(
                    event_key=key,
                    to=assignee.email,
                    subject=subject % {"ref": reference},
                    body=body % {"reason": escalation.get_reason_display(), "note": escalation.note},
                    complaint_id=escalation.complaint_id,
                )
            )
        events.append(
            EventRow(
                event_key=key,
                event_type="complaint.escalated",
                payload={
                    "complaint": reference,
                    "level": escalation.level_code,
                    "reason": escalation.reason,
                    "assigned_to": assignee.username if assignee else None,
                },
                complaint_id=escalation.complaint_id,
            )
        )
    enqueue_many_email(emails)
    emit_many_events(events)
    notify_staff(
        StaffRow(
            event_key=f"escalation:{e.pk}",
            user_id=e.assigned_to_id,
            kind=StaffNotificationKind.ESCALATION,
            complaint_id=e.complaint_id,
            reference=e.complaint.reference,
            note=e.get_reason_display(),
        )
        for e in escalations
        if e.assigned_to_id
    )


def _can_handle_escalation(actor: User, escalation: Escalation) -> bool:
    if escalation.assigned_to_id == actor.pk or actor.is_superuser:
        return True
    level = EscalationLevel.objects.filter(position=escalation.level).first()
    holds_role = level is not None and actor.groups.filter(name=level.role).exists()
    return holds_role and permissions.can_view(actor, escalation.complaint)


def _close(escalation: Escalation, actor: User, status: str, text: str, action: AuditAction) -> Escalation:
    if not (text or "").strip():
        raise ComplaintError(ErrorCode.REASON_REQUIRED, _("A reason is required."))
    with transaction.atomic():
        escalation = Escalation.objects.select_for_update().select_related("complaint").get(pk=escalation.pk)
        if escalation.status != Status.OPEN:
            raise ComplaintError(ErrorCode.ESCALATION_CLOSED, _("This escalation is already closed."))
        if not _can_handle_escalation(actor, escalation):
            raise PermissionRefused()
        _close_row(escalation, actor, status, text, action)
    return escalation


def _close_row(
    escalation: Escalation,
    actor: User | None,
    status: str,
    text: str,
    action: AuditAction,
    complaint: Complaint | None = None,
) -> None:
    """Close a locked open escalation and audit it, in the caller's transaction."""
    complaint = complaint or lock_complaint(escalation.complaint)
    escalation.status = status
    escalation.outcome = text.strip()
    escalation.closed_by = actor
    escalation.closed_at = clock.now()
    escalation.save(update_fields=["status", "outcome", "closed_by", "closed_at"])
    changes: dict[str, list[Any]] = {"escalation": [Status.OPEN, status]}
    if status == Status.DE_ESCALATED and complaint.escalation_level == escalation.level:
        changes["escalation_level"] = [complaint.escalation_level, escalation.level - 1]
        complaint.escalation_level = escalation.level - 1
        complaint.save(update_fields=["escalation_level", "updated_at"])
    record_event(complaint=complaint, actor=actor, action=action, changes=changes, note=text.strip())


def escalation_resolve(*, escalation: Escalation, actor: User, outcome: str) -> Escalation:
    """Record the outcome of an escalation handled at its level."""
    return _close(escalation, actor, Status.RESOLVED, outcome, AuditAction.ESCALATION_RESOLVED)


def escalation_de_escalate(*, escalation: Escalation, actor: User, note: str) -> Escalation:
    """Hand the complaint back down a level (e.g. the customer has calmed down)."""
    return _close(escalation, actor, Status.DE_ESCALATED, note, AuditAction.DE_ESCALATED)


def approval_request(
    *,
    complaint: Complaint,
    actor: User,
    solution_type: str,
    text: str,
    amount: Decimal,
    refund_method: str = "",
    cash_reason: str = "",
    reason: str = "",
) -> ApprovalRequest:
    """Propose a solution above one's own authority. It waits for the lowest holder of enough
    authority: someone already on the complaint (the team lead it was escalated to) when their
    authority covers it, else the level whose role's authority does, to which the complaint is
    escalated (reason: authority). Deciding it closes that escalation."""
    if amount is None or amount <= 0:
        raise ComplaintError(ErrorCode.INVALID_AMOUNT, _("An approval needs a positive amount."))
    solution_check(
        solution_type=solution_type,
        text=text,
        amount=amount,
        refund_method=refund_method,
        cash_reason=cash_reason,
    )
    if not permissions.can_act(actor, complaint):
        raise PermissionRefused()
    amount = amount_promised(text=text, amount=amount) or amount  # the words may promise more
    if amount <= actor.effective_authority_limit():
        raise ComplaintError(
            ErrorCode.WITHIN_AUTHORITY, _("This amount is within your authority; record it directly.")
        )
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if not complaint.is_open:
            raise ComplaintError(ErrorCode.COMPLAINT_CLOSED, _("The complaint is closed; reopen it first."))
        escalation, assignee = _approver(complaint, amount)
        if assignee is None:
            target = level_with_authority(amount)
            escalation = escalate_complaint(
                complaint=complaint,
                actor=None,
                reason=Reason.AUTHORITY,
                note=_("%(amount)s yuan needs approval") % {"amount": amount},
                to_level=target if target is not None else complaint.escalation_level + 1,
            )
            if escalation is not None:
                assignee = escalation.assigned_to
            elif target is not None and (level := level_at(target)) is not None:
                assignee = assignees(level, [complaint.team_id])[0]  # the level is on it already
        refund = solution_type == SolutionType.REFUND
        approval = ApprovalRequest.objects.create(
            complaint=complaint,
            requested_by=actor,
            solution_type=solution_type,
            text=text.strip(),
            amount=amount,
            refund_method=refund_method if refund else "",
            cash_reason=cash_reason.strip() if refund and refund_method == RefundMethod.CASH else "",
            reason=(reason or "").strip(),
            assigned_to=assignee,
            escalation=escalation,
            created_at=clock.now(),
        )
        record_event(
            complaint=complaint,
            actor=actor,
            action=AuditAction.APPROVAL_REQUESTED,
            changes={
                "amount": [None, amount],
                "solution_type": [None, solution_type],
                "assigned_to": [None, assignee.username if assignee is not None else None],
            },
            note=approval.reason,
        )
        if assignee is not None:
            notify_approval(approval)
    return approval


def _approver(complaint: Complaint, amount: Decimal) -> tuple[Escalation | None, User | None]:
    """Someone already on the complaint (an open escalation's assignee, the lowest level first)
    whose own authority covers the amount: they decide without a further escalation."""
    for escalation in (
        complaint.escalations.filter(status=Status.OPEN, assigned_to__isnull=False)
        .select_related("assigned_to")
        .order_by("level")
    ):
        if escalation.assigned_to.effective_authority_limit() >= amount:
            return (escalation if escalation.reason == Reason.AUTHORITY else None), escalation.assigned_to
    return None, None


def notify_approval(approval: ApprovalRequest) -> None:
    """Tell whoever the approval waits for (e-mail), once per request."""
    assignee = approval.assigned_to
    if assignee is None:
        return
    notify_staff(
        [
            StaffRow(
                event_key=f"approval:{approval.pk}",
                user_id=assignee.pk,
                kind=StaffNotificationKind.APPROVAL,
                complaint_id=approval.complaint_id,
                reference=approval.complaint.reference,
                note=f"¥{approval.amount}",
            )
        ]
    )
    if not assignee.email or assignee.notify_by_email:  # those who want e-mail have it already
        return
    enqueue_many_email(
        [
            EmailRow(
                event_key=f"approval:{approval.pk}",
                to=assignee.email,
                subject=_("Approval waiting: complaint %(ref)s") % {"ref": approval.complaint.reference},
                body=_("%(amount)s yuan, proposed by %(who)s.\n%(text)s")
                % {"amount": approval.amount, "who": approval.requested_by, "text": approval.text},
                complaint_id=approval.complaint_id,
            )
        ]
    )


def escalation_close_for_decision(*, approval: ApprovalRequest, actor: User) -> None:
    """The decision on an approval closes the escalation for authority that brought it to the
    decider, in the caller's transaction (the decision itself checked the permission)."""
    escalation = approval.escalation
    if escalation is None or escalation.reason != Reason.AUTHORITY:
        return
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.status != Status.OPEN:
        return
    outcome = (
        _("Approved: %(amount)s yuan") if approval.status == "approved" else _("Rejected: %(amount)s yuan")
    ) % {"amount": approval.amount}
    if approval.decision_note:
        outcome = f"{outcome}。{approval.decision_note}"
    _close_row(escalation, actor, Status.RESOLVED, outcome, AuditAction.ESCALATION_RESOLVED)


def escalations_close_with_complaint(*, complaint: Complaint, actor: User | None) -> int:
    """Closing a complaint resolves its open escalations (in the closing transaction), each with
    an outcome that says so and an audit event; returns how many."""
    rows = list(complaint.escalations.select_for_update().filter(status=Status.OPEN).order_by("level"))
    for escalation in rows:
        _close_row(
            escalation,
            actor,
            Status.RESOLVED,
            _("Resolved with the complaint's closure."),
            AuditAction.ESCALATION_RESOLVED,
            complaint=complaint,
        )
    return len(rows)

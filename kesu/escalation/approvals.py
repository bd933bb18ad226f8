"""The decision on a request for approval of a solution above the proposer's authority. An approved
solution is recorded in the decider's name by :func:`kesu.handling.solution.decide_approval`,
which also stops the effective-reply clock; that is the act to call."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import clock, permissions
from kesu.complaints.audit import AuditAction, record_event
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.escalation.models import ApprovalRequest, ApprovalStatus


def approval_decision(
    *, approval: ApprovalRequest, actor: User, approve: bool, note: str = ""
) -> ApprovalRequest:
    """Record a supervisor's decision in the caller's transaction: approve (within their own
    authority) or reject (with a reason). The caller records an approved solution."""
    with transaction.atomic(savepoint=False):
        approval = ApprovalRequest.objects.select_for_update().select_related("complaint").get(pk=approval.pk)
        if approval.status != ApprovalStatus.PENDING:
            raise ComplaintError(ErrorCode.ALREADY_DECIDED, _("This request was already decided."))
        if not may_decide(actor, approval):
            raise PermissionRefused()
        if approve and approval.amount > actor.effective_authority_limit() and not actor.is_superuser:
            raise PermissionRefused(_("The amount is above your authority too; escalate further."))
        if not approve and not (note or "").strip():
            raise ComplaintError(ErrorCode.REASON_REQUIRED, _("Say why the proposal is rejected."))
        approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
        approval.decided_by = actor
        approval.decided_at = clock.now()
        approval.decision_note = (note or "").strip()
        approval.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return approval


def may_decide(actor: User, approval: ApprovalRequest) -> bool:
    """Whom the request waits for, the complaint's supervisors and superusers decide it (each
    within their own authority, checked on approval)."""
    return (
        actor.is_superuser
        or approval.assigned_to_id == actor.pk
        or permissions.is_supervisor_of(actor, approval.complaint)
    )


def approval_record_decided(*, approval: ApprovalRequest, actor: User) -> None:
    """The decision's audit event, after the approved solution (if any) was recorded."""
    record_event(
        complaint=approval.complaint,
        actor=actor,
        action=AuditAction.APPROVAL_DECIDED,
        changes={"approval": [ApprovalStatus.PENDING, approval.status]},
        note=approval.decision_note,
    )

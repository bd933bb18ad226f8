"""The complaint's record of its follow-up 回访, or of why it closes without one."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import clock, permissions
from kesu.complaints.audit import AuditAction, lock_complaint, record_event, save_fields, set_fields
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.models import MAX_CLOSE_REASON, Complaint, FollowUpResult
from kesu.core.workflow import Stage


def complaint_record_follow_up(
    *, complaint: Complaint, actor: User | None, result: str, note: str = ""
) -> Complaint:
    """Record the follow-up call (回访). An unreachable customer counts as an unsuccessful one.
    ``actor`` is None when the customer answered through a signed follow-up link, which the
    caller (``kesu.followup.services``) has verified."""
    if result not in FollowUpResult.values:
        raise ComplaintError(ErrorCode.INVALID_FOLLOW_UP, _("Unknown follow-up result."))
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if actor is not None and not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if complaint.stage_enum != Stage.FOLLOW_UP:
            raise ComplaintError(
                ErrorCode.NOT_IN_FOLLOW_UP, _("Follow-up results are recorded at the follow-up stage.")
            )
        changes: dict[str, list[Any]] = {}
        set_fields(
            complaint,
            changes,
            follow_up_result=result,
            follow_up_note=(note or "").strip(),
            follow_up_at=clock.now(),
        )
        save_fields(complaint, changes)
        record_event(complaint=complaint, actor=actor, action=AuditAction.FOLLOW_UP_RECORDED, changes=changes)
    return complaint


def complaint_set_close_reason(*, complaint: Complaint, actor: User, reason: str) -> Complaint:
    """A reason to close without a follow-up result (e.g. the customer declined the call)."""
    if not (reason or "").strip():
        raise ComplaintError(ErrorCode.REASON_REQUIRED, _("A reason is required."))
    limit = MAX_CLOSE_REASON
    if len(reason.strip()) > limit:
        raise ComplaintError(
            ErrorCode.TEXT_TOO_LONG,
            _("The reason is too long: at most %(limit)s characters.") % {"limit": limit},
        )
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        changes: dict[str, list[Any]] = {}
        set_fields(complaint, changes, close_reason=reason.strip())
        save_fields(complaint, changes)
        record_event(
            complaint=complaint, actor=actor, action=AuditAction.CLOSE_REASON_RECORDED, changes=changes
        )
    return complaint

"""Who owns a complaint (首问责任制: transfers are explicit and reasoned), its corrected details, and
a team lead's bad-faith mark."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import clock, permissions
from kesu.complaints.audit import AuditAction, lock_complaint, record_event, save_fields, set_fields
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.models import Category, Complaint, Priority


def complaint_transfer(*, complaint: Complaint, actor: User, to_user: User, reason: str) -> Complaint:
    """Hand a complaint to another owner: explicit, reasoned and audited (首问责任制)."""
    if not (reason or "").strip():
        raise ComplaintError(ErrorCode.REASON_REQUIRED, _("A transfer needs a reason."))
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if not permissions.can_transfer(actor, complaint):
            raise PermissionRefused()
        if not to_user.is_active or not to_user.has_perm("complaints.handle_complaint"):
            raise ComplaintError(ErrorCode.INVALID_NEW_OWNER, _("The new owner cannot handle complaints."))
        if complaint.owner_id == to_user.pk:
            raise ComplaintError(ErrorCode.SAME_OWNER, _("This person already owns the complaint."))
        changes: dict[str, list[Any]] = {}
        before = complaint.owner.username if complaint.owner_id else None
        set_fields(complaint, changes, owner=to_user)
        changes["owner"] = [before, to_user.username]
        if to_user.team_id and to_user.team_id != complaint.team_id:
            changes["team"] = [complaint.team.name, to_user.team.name]
            complaint.team_id = to_user.team_id
        complaint.save(update_fields=["owner", "team", "updated_at"])
        record_event(
            complaint=complaint,
            actor=actor,
            action=AuditAction.TRANSFERRED,
            changes=changes,
            note=reason.strip(),
        )
    return complaint


def complaint_update_details(
    *, complaint: Complaint, actor: User, category: Category | None = None, priority: int | None = None
) -> Complaint:
    """Correct the category or priority (the analysis suggests; the agent decides)."""
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        changes: dict[str, list[Any]] = {}
        if category is not None:
            # A person decided: the analysis (the semantic tier's refinement) no longer moves it.
            set_fields(complaint, changes, category=category, category_by_analysis=False)
        if priority is not None:
            if priority not in Priority.values:
                raise ComplaintError(ErrorCode.INVALID_PRIORITY, _("Unknown priority."))
            set_fields(complaint, changes, priority=priority)
        if "category" in changes and category is not None:
            changes["category"] = [getattr(changes["category"][0], "code", None), category.code]
        save_fields(complaint, changes)
        if changes:
            record_event(
                complaint=complaint, actor=actor, action=AuditAction.DETAILS_CHANGED, changes=changes
            )
    return complaint


def complaint_mark_bad_faith(
    *, complaint: Complaint, actor: User, reason: str, bad_faith: bool = True
) -> Complaint:
    """Only a team lead marks (or unmarks) a complaint as bad-faith, always with a reason. The mark
    is a judgement for the record: it never stops the complaint from being handled."""
    if not (reason or "").strip():
        raise ComplaintError(ErrorCode.REASON_REQUIRED, _("A reason is required."))
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if not (permissions.can_view(actor, complaint) and actor.has_perm("complaints.mark_bad_faith")):
            raise PermissionRefused(_("Only a team lead can mark a complaint as bad-faith."))
        changes: dict[str, list[Any]] = {}
        set_fields(
            complaint,
            changes,
            bad_faith=bad_faith,
            bad_faith_reason=reason.strip(),
            bad_faith_marked_by=actor,
            bad_faith_marked_at=clock.now(),
        )
        if "bad_faith_marked_by" in changes:
            changes["bad_faith_marked_by"] = [None, actor.username]
        save_fields(complaint, changes)
        record_event(
            complaint=complaint,
            actor=actor,
            action=AuditAction.BAD_FAITH_MARKED,
            changes=changes,
            note=reason.strip(),
        )
    return complaint

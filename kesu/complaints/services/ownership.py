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
from kesu.core import privacy
from kesu.notifications.models import StaffNotificationKind
from kesu.notifications.staff import StaffRow, notify_staff


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
        notify_staff(
            [
                StaffRow(
                    event_key=f"transfer:{complaint.pk}:{to_user.pk}:{clock.now().timestamp()}",
                    user_id=to_user.pk,
                    kind=StaffNotificationKind.TRANSFER,
                    complaint_id=complaint.pk,
                    reference=complaint.reference,
                    note=reason.strip(),
                )
            ]
            if to_user.pk != actor.pk
            else []
        )
    return complaint


#: Not given: the field is left as it is (None is a value for the sub-category: none).
UNCHANGED: Any = object()


def complaint_update_details(
    *,
    complaint: Complaint,
    actor: User,
    category: Category | None = UNCHANGED,
    subcategory: Category | None = UNCHANGED,
    priority: int | None = UNCHANGED,
    product: str | None = UNCHANGED,
    phone: str | None = UNCHANGED,
    email: str | None = UNCHANGED,
) -> Complaint:
    """Correct what intake got wrong — category, sub-category, priority, product, the customer's
    contact — by the owner or a supervisor, audited (personal data masked in the trail). The
    analysis suggests; a person who corrects the category decides it for good, and the page's
    guidance (scripts, solution catalogue) follows the corrected category."""
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if not permissions.can_correct(actor, complaint):
            raise PermissionRefused()
        changes: dict[str, list[Any]] = {}
        if category is not UNCHANGED and category is not None:
            if category.parent_id is not None:
                raise ComplaintError(ErrorCode.UNKNOWN_CATEGORY, _("Choose a main category."))
            # A person decided: the analysis (the semantic tier's refinement) no longer moves it.
            set_fields(complaint, changes, category=category, category_by_analysis=False)
        if subcategory is not UNCHANGED:
            if subcategory is not None and subcategory.parent_id != complaint.category_id:
                raise ComplaintError(
                    ErrorCode.UNKNOWN_CATEGORY, _("The sub-category does not belong to the category.")
                )
            set_fields(complaint, changes, subcategory=subcategory)
        elif "category" in changes and complaint.subcategory_id is not None:
            set_fields(complaint, changes, subcategory=None)  # the old one belongs to the old category
        if priority is not UNCHANGED and priority is not None:
            if priority not in Priority.values:
                raise ComplaintError(ErrorCode.INVALID_PRIORITY, _("Unknown priority."))
            set_fields(complaint, changes, priority=priority)
        if product is not UNCHANGED and product is not None:
            set_fields(complaint, changes, product=product.strip()[:200])
        for key in ("category", "subcategory"):
            if key in changes:
                changes[key] = [getattr(value, "code", None) for value in changes[key]]
        save_fields(complaint, changes)
        customer = complaint.customer
        contact: dict[str, list[Any]] = {}
        for field, value, mask in (
            ("phone", phone, privacy.mask_phone),
            ("email", email, privacy.mask_email),
        ):
            if value is not UNCHANGED and value is not None and value.strip() != getattr(customer, field):
                contact[f"customer.{field}"] = [mask(getattr(customer, field)), mask(value.strip())]
                setattr(customer, field, value.strip())
        if contact:
            customer.save(update_fields=[key.removeprefix("customer.") for key in contact])
            changes.update(contact)
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

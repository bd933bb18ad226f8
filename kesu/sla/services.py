"""Acts on a complaint's clocks by hand: pause them while the complaint waits for the customer
(e.g. for documents), and let them run again."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import clock, permissions
from kesu.complaints.audit import AuditAction, lock_complaint, record_event
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.models import Complaint
from kesu.sla.clocks import sla_resume
from kesu.sla.models import ComplaintSla


def complaint_wait_for_customer(*, complaint: Complaint, actor: User, note: str) -> Complaint:
    """Pause the clocks while the complaint waits for the customer (e.g. for documents)."""
    if not (note or "").strip():
        raise ComplaintError(ErrorCode.REASON_REQUIRED, _("Say what the customer is expected to do."))
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        row = ComplaintSla.objects.select_for_update().get(pk=complaint.pk)
        if row.paused_since is not None:
            raise ComplaintError(ErrorCode.ALREADY_PAUSED, _("The clocks are already paused."))
        row.paused_since = clock.now()
        row.save(update_fields=["paused_since"])
        record_event(
            complaint=complaint,
            actor=actor,
            action=AuditAction.SLA_PAUSED,
            changes={"paused_since": [None, row.paused_since]},
            note=note.strip(),
        )
    return complaint


def complaint_resume_clocks(*, complaint: Complaint, actor: User) -> Complaint:
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if not sla_resume(complaint=complaint, actor=actor):
            raise ComplaintError(ErrorCode.NOT_PAUSED, _("The clocks are not paused."))
    return complaint

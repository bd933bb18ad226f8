"""The solution 方案 and the customer's agreement 达成一致.

:func:`solution_record` is the complaint's part of recording a solution; the first one stamps the
effective-solution time 有效回复 and stops the effective-reply clock, so callers record solutions
with :func:`kesu.handling.solution.record_solution`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import clock, permissions
from kesu.complaints.audit import AuditAction, lock_complaint, record_event, save_fields, set_fields
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.models import COMPENSATING, Complaint, RefundMethod, SolutionType
from kesu.core.replies import promised_amounts


@dataclass(frozen=True)
class RecordedSolution:
    """The locked complaint with its solution, and whether this one was the effective solution
    (the first since the complaint was taken in or reopened)."""

    complaint: Complaint
    actor: User
    effective: bool


def amount_promised(*, text: str, amount: Decimal | None) -> Decimal | None:
    """What a solution gives the customer: its amount, or more if its words promise more — the
    reply checker's rule finds them (an amount beside 赔偿, 补偿, 退款 …; not a restated demand):
    "赔偿客户现金5000元" with no amount, or an amount of 100 beside it, promises 5000."""
    stated = [Decimal(str(value)).quantize(Decimal("0.01")) for value in promised_amounts(text or "")]
    return max([*stated, *([amount] if amount is not None else [])], default=None)


def solution_check(
    *, solution_type: str, text: str, amount: Decimal | None, refund_method: str, cash_reason: str = ""
) -> None:
    """Refunds say how they are paid; credit to the bill or account comes first (话费返回优于现金退还),
    so a cash refund needs the reason the customer declined a credit. What pays the customer says
    how much (the amount is checked against authority)."""
    if solution_type not in SolutionType.values:
        raise ComplaintError(ErrorCode.INVALID_SOLUTION, _("Unknown solution type."))
    if not (text or "").strip():
        raise ComplaintError(
            ErrorCode.SOLUTION_TEXT_REQUIRED, _("Describe the solution: the steps and the time limit.")
        )
    if amount is not None and amount < 0:
        raise ComplaintError(ErrorCode.INVALID_AMOUNT, _("The amount cannot be negative."))
    if solution_type == SolutionType.REFUND and refund_method not in RefundMethod.values:
        raise ComplaintError(ErrorCode.REFUND_METHOD_REQUIRED, _("Choose how the refund is paid."))
    if (
        solution_type == SolutionType.REFUND
        and refund_method == RefundMethod.CASH
        and not cash_reason.strip()
    ):
        raise ComplaintError(
            ErrorCode.CASH_REASON_REQUIRED,
            _("Offer a credit to the bill or account first; record why the customer wants cash."),
        )
    if solution_type in COMPENSATING and not amount:
        raise ComplaintError(
            ErrorCode.AMOUNT_REQUIRED,
            _("A refund or compensation states its amount, so that it is checked against authority."),
        )


def solution_record(
    *,
    complaint: Complaint,
    actor: User,
    solution_type: str,
    text: str,
    amount: Decimal | None = None,
    refund_method: str = "",
    cash_reason: str = "",
) -> RecordedSolution:
    """Record the proposed solution in the caller's transaction, within the actor's authority."""
    solution_check(
        solution_type=solution_type,
        text=text,
        amount=amount,
        refund_method=refund_method,
        cash_reason=cash_reason,
    )
    with transaction.atomic(savepoint=False):
        complaint = lock_complaint(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if not complaint.is_open:
            raise ComplaintError(ErrorCode.COMPLAINT_CLOSED, _("The complaint is closed; reopen it first."))
        promised = amount_promised(text=text, amount=amount)
        if promised is not None and promised > actor.effective_authority_limit() and not actor.is_superuser:
            raise ComplaintError(
                ErrorCode.ABOVE_AUTHORITY,
                _("%(amount)s yuan is above your authority limit of %(limit)s yuan; escalate for approval.")
                % {"amount": promised, "limit": actor.effective_authority_limit()},
            )
        changes: dict[str, list[Any]] = {}
        set_fields(
            complaint,
            changes,
            solution_type=solution_type,
            solution_text=text.strip(),
            solution_amount=amount,
            refund_method=refund_method if solution_type == SolutionType.REFUND else "",
        )
        effective = complaint.effective_solution_at is None
        if effective:
            set_fields(complaint, changes, effective_solution_at=clock.now())
        save_fields(complaint, changes)
        record_event(
            complaint=complaint,
            actor=actor,
            action=AuditAction.SOLUTION_RECORDED,
            changes=changes,
            note=cash_reason.strip(),
        )
    return RecordedSolution(complaint, actor, effective)


def complaint_record_agreement(*, complaint: Complaint, actor: User, note: str) -> Complaint:
    """The customer accepted the solution (达成一致); the agreed next steps are recorded."""
    if not (note or "").strip():
        raise ComplaintError(
            ErrorCode.AGREEMENT_NOTE_REQUIRED, _("Record the next steps the customer agreed to.")
        )
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if not complaint.solution_type:
            raise ComplaintError(ErrorCode.SOLUTION_REQUIRED, _("Record a proposed solution first."))
        changes: dict[str, list[Any]] = {}
        set_fields(complaint, changes, agreement_note=note.strip(), customer_agreed_at=clock.now())
        set_fields(
            complaint, changes, checklist_done=sorted({*complaint.checklist_done, "next_steps_recorded"})
        )
        save_fields(complaint, changes)
        record_event(complaint=complaint, actor=actor, action=AuditAction.AGREEMENT_RECORDED, changes=changes)
    return complaint

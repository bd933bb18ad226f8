"""A solution 方案: recorded by who handles the complaint, or approved above their authority; the
effective one stops the effective-reply clock (``ON_SOLUTION``)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from kesu.accounts.models import User
from kesu.complaints.models import Complaint
from kesu.complaints.services.solution import amount_promised, solution_record
from kesu.escalation.approvals import approval_decision, approval_record_decided
from kesu.escalation.models import ApprovalRequest, ApprovalStatus
from kesu.escalation.services import escalation_close_for_decision
from kesu.handling import steps

__all__ = ["amount_promised", "decide_approval", "record_solution"]


def record_solution(
    *,
    complaint: Complaint,
    actor: User,
    solution_type: str,
    text: str,
    amount: Decimal | None = None,
    refund_method: str = "",
    cash_reason: str = "",
) -> Complaint:
    """Record the proposed solution; the first one stamps the effective-solution time (有效回复).
    A refund paid in cash needs the reason the customer declined a credit (话费返回优于现金退还)."""
    with transaction.atomic():
        recorded = solution_record(
            complaint=complaint,
            actor=actor,
            solution_type=solution_type,
            text=text,
            amount=amount,
            refund_method=refund_method,
            cash_reason=cash_reason,
        )
        for step in steps.ON_SOLUTION:
            step(recorded)
    return recorded.complaint


def decide_approval(
    *, approval: ApprovalRequest, actor: User, approve: bool, note: str = ""
) -> ApprovalRequest:
    """A supervisor with enough authority approves (the solution is recorded in their name) or
    rejects (with a reason) a proposal above the proposer's authority."""
    with transaction.atomic():
        approval = approval_decision(approval=approval, actor=actor, approve=approve, note=note)
        if approval.status == ApprovalStatus.APPROVED:
            record_solution(
                complaint=approval.complaint,
                actor=actor,
                solution_type=approval.solution_type,
                text=approval.text,
                amount=approval.amount,
                refund_method=approval.refund_method,
                cash_reason=approval.cash_reason,
            )
        approval_record_decided(approval=approval, actor=actor)
        escalation_close_for_decision(approval=approval, actor=actor)
    return approval

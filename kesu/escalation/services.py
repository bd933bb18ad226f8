"""Escalation 升级 (SPEC §6): compile the case, hand it to the next level, keep the owner involved,
record the outcome. Also approvals of solutions above the proposer's authority limit.

Escalations happen by hand (with a reason) or automatically: at intake from the analysis
triggers and repeat complaints, and from the SLA sweep on breach. Automatic escalation is
idempotent: one open escalation per complaint and level (a partial unique index).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import clock, permissions
from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.complaints.models import Complaint, MessageKind, RefundMethod, SolutionType
from kesu.complaints.services import _locked, complaint_record_solution, record_event
from kesu.core import privacy
from kesu.escalation.models import (
    ApprovalRequest,
    ApprovalStatus,
    Escalation,
    EscalationLevel,
    Reason,
    Status,
)

#: Analysis triggers that escalate a complaint as soon as it is taken in (SPEC §3, §4:
#: important/urgent complaints escalate at once). Weighed in this order when several fire.
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


LADDER_CACHE_KEY = "kesu:escalation-ladder:v1"


def levels() -> list[EscalationLevel]:
    """The ladder, cached (read at every intake that escalates); admin edits clear it."""
    from kesu import memo

    return memo.remember(LADDER_CACHE_KEY, lambda: list(EscalationLevel.objects.order_by("position")), 60)


def invalidate_ladder(**_: Any) -> None:
    from kesu import memo

    memo.forget(LADDER_CACHE_KEY)


ROLE_HOLDERS_CACHE_PREFIX = "kesu:role-holders:"


def role_holders(role: str) -> list[User]:
    """The active users holding a role, read at every escalation: remembered per process for
    30 s like permissions, and cleared with them when users or their groups change."""
    from kesu import memo

    return memo.remember(
        f"{ROLE_HOLDERS_CACHE_PREFIX}{role}",
        lambda: list(User.objects.filter(is_active=True, groups__name=role).order_by("pk")),
        30,
    )


def forget_role_holders(**_: Any) -> None:
    from kesu import memo

    memo.forget_prefix(ROLE_HOLDERS_CACHE_PREFIX)


def _assignee(level: EscalationLevel, complaint: Complaint) -> User | None:
    """Someone holding the level's role: in the complaint's team if there is one, else anyone;
    the one with the fewest open escalations, so the load spreads."""
    from django.db.models import Count

    holders = role_holders(level.role)
    if not holders:
        return None
    load = dict(
        Escalation.objects.filter(status=Status.OPEN, assigned_to__in=[user.pk for user in holders])
        .values_list("assigned_to")
        .annotate(Count("id"))
        .order_by()
    )
    return min(holders, key=lambda user: (user.team_id != complaint.team_id, load.get(user.pk, 0), user.pk))


def compile_package(complaint: Complaint, *, fresh: bool = False) -> dict[str, Any]:
    """What the next level needs at a glance: customer, problem, timeline, what was tried, and
    the analysis evidence (SPEC §6). Personal data is masked; the complaint holds the rest.
    A ``fresh`` complaint (escalated at intake) has no history beyond its receipt."""
    customer = complaint.customer
    analysis = complaint.analysis or {}
    if fresh:
        timeline = [{"at": complaint.received_at.isoformat(), "action": "created", "by": None}]
        tried: list[dict[str, Any]] = []
    else:
        timeline = [
            {
                "at": e.created_at.isoformat(),
                "action": e.action,
                "by": e.actor.username if e.actor_id else None,
            }
            for e in complaint.audit_events.select_related("actor").order_by("created_at", "id")[:50]
        ]
        tried = [
            {"at": m.created_at.isoformat(), "reply": privacy.mask_text(m.body)[:500]}
            for m in complaint.messages.filter(kind=MessageKind.AGENT).order_by("created_at", "id")[:20]
        ]
    if complaint.solution_type:
        tried.append({"solution": complaint.solution_type, "details": complaint.solution_text[:500]})
    return {
        "customer": {
            "id": customer.external_id,
            "name": privacy.mask_name(customer.name),
            "tier": customer.tier.code,
        },
        "problem": {
            "text": privacy.mask_text(complaint.text)[:1000],
            "category": analysis.get("category", {}).get("code"),
            "demands": analysis.get("demands", []),
            "demand_type": complaint.demand_type,
            "demand_amount": str(complaint.demand_amount) if complaint.demand_amount is not None else None,
            "repeat_count": complaint.repeat_count,
        },
        "timeline": timeline,
        "tried": tried,
        "evidence": {
            "escalation": analysis.get("escalation", {}),
            "emotion": analysis.get("emotion", {}),
        },
        "stage": complaint.stage,
        "owner": complaint.owner.username if complaint.owner_id else None,
    }


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
        raise ComplaintError("invalid_reason", _("Unknown escalation reason."))
    if actor is not None and reason == Reason.MANUAL and not note.strip():
        raise ComplaintError("reason_required", _("Say why the complaint is escalated."))
    ladder = levels()
    # A fresh complaint escalates inside the transaction that creates it: no savepoint of its
    # own, a failure rolls back the intake as a whole.
    with transaction.atomic(savepoint=not fresh):
        if not fresh:
            complaint = _locked(complaint)
        if actor is not None and not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        target = to_level if to_level is not None else complaint.escalation_level + 1
        level = next((lv for lv in ladder if lv.position == target), None)
        if level is None:
            if actor is None:
                return None
            raise ComplaintError("top_level", _("The complaint is already at the top escalation level."))
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
            "assigned_to": _assignee(level, complaint),
            "created_at": clock.now(),
        }
        if fresh:  # nobody else sees the complaint yet, so nobody else can have escalated it
            escalation = Escalation.objects.create(**fields)
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
            action="escalated",
            changes={
                "escalation_level": [before, level.position],
                "assigned_to": [None, escalation.assigned_to.username if escalation.assigned_to_id else None],
            },
            note=f"{reason}: {note.strip()}" if note.strip() else reason,
        )
        _notify(escalation)
    return escalation


def _notify(escalation: Escalation) -> None:
    """Tell the assignee (e-mail) and subscribed systems (webhook), in the same transaction."""
    from kesu.notifications import services as notifications

    reference = escalation.complaint.reference
    key = f"escalation:{escalation.pk}"
    assignee = escalation.assigned_to
    if assignee is not None and assignee.email:
        notifications.enqueue_email(
            event_key=key,
            to=assignee.email,
            subject=_("Complaint %(ref)s escalated to you") % {"ref": reference},
            body=_("Reason: %(reason)s\n%(note)s")
            % {"reason": escalation.get_reason_display(), "note": escalation.note},
            complaint=escalation.complaint,
        )
    notifications.emit_event(
        event_key=key,
        event_type="complaint.escalated",
        payload={
            "complaint": reference,
            "level": escalation.level_code,
            "reason": escalation.reason,
            "assigned_to": assignee.username if assignee else None,
        },
        complaint=escalation.complaint,
    )


def _can_handle_escalation(actor: User, escalation: Escalation) -> bool:
    if escalation.assigned_to_id == actor.pk or actor.is_superuser:
        return True
    level = EscalationLevel.objects.filter(position=escalation.level).first()
    holds_role = level is not None and actor.groups.filter(name=level.role).exists()
    return holds_role and permissions.can_view(actor, escalation.complaint)


def _close(escalation: Escalation, actor: User, status: str, text: str, action: str) -> Escalation:
    if not (text or "").strip():
        raise ComplaintError("reason_required", _("A reason is required."))
    with transaction.atomic():
        escalation = Escalation.objects.select_for_update().select_related("complaint").get(pk=escalation.pk)
        if escalation.status != Status.OPEN:
            raise ComplaintError("escalation_closed", _("This escalation is already closed."))
        if not _can_handle_escalation(actor, escalation):
            raise PermissionRefused()
        complaint = _locked(escalation.complaint)
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
    return escalation


def escalation_resolve(*, escalation: Escalation, actor: User, outcome: str) -> Escalation:
    """Record the outcome of an escalation handled at its level."""
    return _close(escalation, actor, Status.RESOLVED, outcome, "escalation_resolved")


def escalation_de_escalate(*, escalation: Escalation, actor: User, note: str) -> Escalation:
    """Hand the complaint back down a level (e.g. the customer has calmed down)."""
    return _close(escalation, actor, Status.DE_ESCALATED, note, "de_escalated")


def escalate_on_intake(complaint: Complaint) -> Escalation | None:
    """Escalate at once when the analysis found a serious trigger, or on a third complaint."""
    fired = (complaint.analysis or {}).get("escalation", {}).get("triggers", [])
    by_code = {t.get("code"): t for t in fired}
    for code in INTAKE_TRIGGERS:
        if code in by_code:
            return escalate_complaint(
                complaint=complaint, actor=None, reason=code, triggers=fired, to_level=1, fresh=True
            )
    if complaint.repeat_count >= REPEAT_ESCALATES_AT:
        return escalate_complaint(
            complaint=complaint, actor=None, reason=Reason.REPEAT, triggers=fired, to_level=1, fresh=True
        )
    return None


def approval_request(
    *,
    complaint: Complaint,
    actor: User,
    solution_type: str,
    text: str,
    amount: Decimal,
    refund_method: str = "",
) -> ApprovalRequest:
    """Propose a solution above one's own authority: it waits for someone who has the authority,
    and the complaint is escalated to them (reason: authority)."""
    if solution_type not in SolutionType.values:
        raise ComplaintError("invalid_solution", _("Unknown solution type."))
    if amount is None or amount <= 0:
        raise ComplaintError("invalid_amount", _("An approval needs a positive amount."))
    if not (text or "").strip():
        raise ComplaintError(
            "solution_text_required", _("Describe the solution: the steps and the time limit.")
        )
    if solution_type == SolutionType.REFUND and refund_method not in RefundMethod.values:
        raise ComplaintError("refund_method_required", _("Choose how the refund is paid."))
    if not permissions.can_act(actor, complaint):
        raise PermissionRefused()
    if amount <= actor.effective_authority_limit():
        raise ComplaintError(
            "within_authority", _("This amount is within your authority; record it directly.")
        )
    with transaction.atomic():
        approval = ApprovalRequest.objects.create(
            complaint=complaint,
            requested_by=actor,
            solution_type=solution_type,
            text=text.strip(),
            amount=amount,
            refund_method=refund_method if solution_type == SolutionType.REFUND else "",
            created_at=clock.now(),
        )
        record_event(
            complaint=complaint,
            actor=actor,
            action="approval_requested",
            changes={"amount": [None, amount], "solution_type": [None, solution_type]},
        )
        target = _level_with_authority(amount, complaint)
        escalate_complaint(
            complaint=complaint,
            actor=None,
            reason=Reason.AUTHORITY,
            note=_("%(amount)s yuan needs approval") % {"amount": amount},
            to_level=max(target, complaint.escalation_level + 1) if target is not None else None,
        )
    return approval


def _level_with_authority(amount: Decimal, complaint: Complaint) -> int | None:
    """The lowest escalation level whose role's default authority covers the amount."""
    from kesu.accounts.roles import DEFAULT_AUTHORITY_LIMITS

    for level in levels():
        if DEFAULT_AUTHORITY_LIMITS.get(level.role, Decimal("0")) >= amount:
            return level.position
    return None


def approval_decide(
    *, approval: ApprovalRequest, actor: User, approve: bool, note: str = ""
) -> ApprovalRequest:
    """A supervisor with enough authority approves (the solution is recorded in their name) or
    rejects (with a reason) a proposal."""
    with transaction.atomic():
        approval = ApprovalRequest.objects.select_for_update().select_related("complaint").get(pk=approval.pk)
        if approval.status != ApprovalStatus.PENDING:
            raise ComplaintError("already_decided", _("This request was already decided."))
        complaint = approval.complaint
        if not (permissions.is_supervisor_of(actor, complaint) or actor.is_superuser):
            raise PermissionRefused()
        if approve and approval.amount > actor.effective_authority_limit() and not actor.is_superuser:
            raise PermissionRefused(_("The amount is above your authority too; escalate further."))
        if not approve and not (note or "").strip():
            raise ComplaintError("reason_required", _("Say why the proposal is rejected."))
        approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
        approval.decided_by = actor
        approval.decided_at = clock.now()
        approval.decision_note = (note or "").strip()
        approval.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            complaint_record_solution(
                complaint=complaint,
                actor=actor,
                solution_type=approval.solution_type,
                text=approval.text,
                amount=approval.amount,
                refund_method=approval.refund_method,
            )
        record_event(
            complaint=complaint,
            actor=actor,
            action="approval_decided",
            changes={"approval": [ApprovalStatus.PENDING, approval.status]},
            note=approval.decision_note,
        )
    return approval

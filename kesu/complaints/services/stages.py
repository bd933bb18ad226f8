"""Stages of the method: the one way a complaint's stage changes (checked against the
framework-free transition table in :mod:`kesu.core.workflow`), accepting a complaint, and the
stage's checklist.

:func:`stage_move` is the complaint's part of a move; closing stops the clocks and reopening
restarts them, so callers move a complaint with :func:`kesu.handling.stages.move`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import clock, permissions
from kesu.complaints.audit import AuditAction, lock_complaint, record_event, save_fields, set_fields
from kesu.complaints.errors import ComplaintError, Conflict, ErrorCode, PermissionRefused
from kesu.complaints.models import Complaint
from kesu.complaints.workflow_config import checklist_for, required_items, stage_label
from kesu.core import workflow
from kesu.core.workflow import Stage


@dataclass(frozen=True)
class StageMove:
    """What a move did: the locked complaint after it, who moved it, from where to where, when."""

    complaint: Complaint
    actor: User | None
    source: Stage
    target: Stage
    at: datetime

    @property
    def closed(self) -> bool:
        return self.target == Stage.CLOSED

    @property
    def reopened(self) -> bool:
        return workflow.is_reopen(self.source, self.target)


def _facts(complaint: Complaint, reason: str = "") -> workflow.Facts:
    return workflow.Facts(
        stage=complaint.stage_enum,
        has_owner=complaint.owner_id is not None,
        solution_recorded=bool(complaint.solution_type),
        customer_agreed=complaint.customer_agreed_at is not None,
        follow_up_recorded=bool(complaint.follow_up_result),
        close_reason=complaint.close_reason,
        checked_items=frozenset(complaint.checklist_done),
        required_items=required_items(complaint.stage_enum),
        reason=reason,
    )


def refusal_messages(refusals: list[workflow.Refusal]) -> list[dict[str, Any]]:
    """Translate core refusals into the active language, keeping their stable codes."""
    details = []
    for refusal in refusals:
        params = dict(refusal.params)
        for key in ("source", "target"):
            if key in params:
                params[key] = str(stage_label(Stage(params[key])))
        message = _(refusal.message) % params if params else _(refusal.message)
        details.append({"code": refusal.code, "message": message})
    return details


def _move(complaint: Complaint, target: Stage, changes: dict[str, list[Any]], reason: str = "") -> datetime:
    """Check the move against the workflow and set the stage and its stamps; returns when."""
    facts = _facts(complaint, reason)
    refusals = workflow.check_transition(facts, target)
    if refusals:
        if any(r.code == ErrorCode.CHECKLIST_INCOMPLETE for r in refusals):
            labels = {item.code: item.label for item in checklist_for(complaint.stage_enum)}
            missing = "、".join(
                str(labels.get(c, c)) for c in sorted(facts.required_items - facts.checked_items)
            )
            refusals = [
                workflow.Refusal(r.code, r.message, {"items": missing})
                if r.code == ErrorCode.CHECKLIST_INCOMPLETE
                else r
                for r in refusals
            ]
        details = refusal_messages(refusals)
        raise ComplaintError(refusals[0].code, " ".join(d["message"] for d in details), details=details)
    now = clock.now()
    values: dict[str, Any] = {"stage": target.value}
    if workflow.is_reopen(complaint.stage_enum, target):
        # Handled again: the next reply and the next solution are the ones the clocks wait for.
        values.update(
            reopen_count=complaint.reopen_count + 1,
            closed_at=None,
            follow_up_result="",
            close_reason="",
            first_reply_at=None,
            effective_solution_at=None,
        )
    if target == Stage.FOLLOW_UP and complaint.resolved_at is None:
        values["resolved_at"] = now
    if target == Stage.CLOSED and complaint.closed_at is None:
        values["closed_at"] = now
    set_fields(complaint, changes, **values)
    return now


def stage_move(*, complaint: Complaint, actor: User | None, to: str, reason: str = "") -> StageMove:
    """Move the complaint to stage ``to`` (locked, checked, audited) in the caller's transaction.
    ``actor`` is None only for the system acting on a verified customer request (a dissatisfied
    follow-up answered through a signed link reopens the complaint); the event then has no actor."""
    try:
        target = Stage(to)
    except ValueError:
        raise ComplaintError(
            ErrorCode.UNKNOWN_STAGE, _("Unknown stage: %(stage)s.") % {"stage": to}
        ) from None
    with transaction.atomic(savepoint=False):
        complaint = lock_complaint(complaint)
        if actor is not None and not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        changes: dict[str, list[Any]] = {}
        source = complaint.stage_enum
        at = _move(complaint, target, changes, reason)
        save_fields(complaint, changes)
        action = AuditAction.REOPENED if workflow.is_reopen(source, target) else AuditAction.STAGE_CHANGED
        record_event(complaint=complaint, actor=actor, action=action, changes=changes, note=reason)
    return StageMove(complaint, actor, source, target, at)


def complaint_accept(*, complaint: Complaint, actor: User) -> Complaint:
    """The accepting agent becomes the owner (首问责任制) and the handling starts."""
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if complaint.owner_id is not None:
            if complaint.owner_id == actor.pk:
                return complaint
            raise Conflict(ErrorCode.ALREADY_OWNED, _("This complaint already has an owner."))
        if not permissions.can_accept(actor, complaint):
            raise PermissionRefused()
        changes: dict[str, list[Any]] = {}
        done = sorted({*complaint.checklist_done, "acknowledged"})
        set_fields(complaint, changes, owner=actor, accepted_at=clock.now(), checklist_done=done)
        changes["owner"] = [None, actor.username]
        _move(complaint, Stage.LISTEN, changes)
        save_fields(complaint, changes)
        record_event(complaint=complaint, actor=actor, action=AuditAction.ACCEPTED, changes=changes)
    return complaint


def complaint_check_item(*, complaint: Complaint, actor: User, item: str, done: bool = True) -> Complaint:
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        known = {i.code: i.label for i in checklist_for(complaint.stage_enum)}
        if item not in known:
            raise ComplaintError(
                ErrorCode.UNKNOWN_CHECKLIST_ITEM,
                _("This stage has no checklist item %(item)s.") % {"item": item},
            )
        if item in workflow.REVIEW_RECORD_ITEMS:
            raise ComplaintError(
                ErrorCode.CHECKLIST_ITEM_BY_REVIEW,
                _("「%(item)s」 is ticked by the case review: write and submit it on the review page.")
                % {"item": known[item]},
            )
        items = set(complaint.checklist_done)
        items.add(item) if done else items.discard(item)
        changes: dict[str, list[Any]] = {}
        set_fields(complaint, changes, checklist_done=sorted(items))
        if changes:
            save_fields(complaint, changes)
            record_event(complaint=complaint, actor=actor, action=AuditAction.CHECKLIST, changes=changes)
    return complaint

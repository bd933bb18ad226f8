"""The result of a follow-up 回访: the agent's call (or an unreachable customer), or the customer's
own answer through a signed link. These record it; a dissatisfied result reopens the complaint to
the owner's team lead, which :mod:`kesu.handling.follow_up` does around them, so call that."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints.audit import AuditAction, lock_complaint, record_event
from kesu.complaints.errors import ComplaintError, Conflict, ErrorCode
from kesu.complaints.models import Complaint, FollowUpResult
from kesu.complaints.services import complaint_record_follow_up
from kesu.followup.models import FollowUp, FollowUpMethod, LinkRetired, current_cycle
from kesu.followup.services import (
    MAX_COMMENT,
    follow_up_answered_check,
    follow_up_link_check,
    follow_up_links_retire,
)


def _check_result(result: str, comment: str) -> None:
    if result not in FollowUpResult.values:
        raise ComplaintError(ErrorCode.INVALID_FOLLOW_UP, _("Unknown follow-up result."))
    if len(comment) > MAX_COMMENT:
        raise ComplaintError(ErrorCode.COMMENT_TOO_LONG, _("The comment is too long."))


def _create(**fields: object) -> FollowUp:
    """The follow-up row; the cycle's one-answer constraint is the last word on a race the
    complaint's lock already serialises."""
    try:
        with transaction.atomic():
            return FollowUp.objects.create(**fields)
    except IntegrityError:
        raise Conflict(
            ErrorCode.FOLLOW_UP_ALREADY_RECORDED,
            _("The follow-up of this round has already been answered; a reopen starts a new round."),
        ) from None


def call_result_record(
    *, complaint: Complaint, actor: User, result: str, comment: str = "", method: str = FollowUpMethod.CALL
) -> FollowUp:
    """The agent records a follow-up call (or an unreachable customer), in the caller's transaction."""
    comment = (comment or "").strip()
    _check_result(result, comment)
    if method != FollowUpMethod.CALL:
        raise ComplaintError(
            ErrorCode.INVALID_METHOD, _("Agents record follow-up calls; customers answer links.")
        )
    with transaction.atomic(savepoint=False):
        complaint = complaint_record_follow_up(complaint=complaint, actor=actor, result=result, note=comment)
        follow_up_answered_check(complaint)
        follow_up = _create(
            complaint=complaint,
            method=FollowUpMethod.CALL,
            result=result,
            comment=comment,
            recorded_by=actor,
            created_at=complaint.follow_up_at,
            team_id=complaint.team_id,
            tier_id=complaint.customer.tier_id,
            cycle=current_cycle(complaint),
        )
        if follow_up.successful:  # the customer was reached: no link of this cycle is needed now
            follow_up_links_retire(complaint=complaint, actor=actor, reason=LinkRetired.ANSWERED)
    return follow_up


def link_answer_record(*, token: str, result: str, comment: str = "") -> FollowUp:
    """The customer's answer through a link: once, before it expires, while the complaint is at
    the follow-up stage. Recorded with no actor (the customer has no account)."""
    comment = (comment or "").strip()
    if result == FollowUpResult.UNREACHABLE:
        raise ComplaintError(ErrorCode.INVALID_FOLLOW_UP, _("Unknown follow-up result."))
    _check_result(result, comment)
    with transaction.atomic(savepoint=False):
        # The complaint is locked before its link, in the order every other follow-up path takes
        # (issuing a link, recording a call): the other order could deadlock with them.
        lock_complaint(follow_up_link_check(token).complaint)
        link = follow_up_link_check(token, lock=True)
        complaint = complaint_record_follow_up(
            complaint=link.complaint,
            actor=None,
            result=result,
            note=comment,
        )
        follow_up_answered_check(complaint)
        follow_up = _create(
            complaint=complaint,
            method=FollowUpMethod.LINK,
            result=result,
            comment=comment,
            recorded_by=None,
            created_at=complaint.follow_up_at,
            team_id=complaint.team_id,
            tier_id=complaint.customer.tier_id,
            cycle=link.cycle,
        )
        link.used_at = complaint.follow_up_at
        link.follow_up = follow_up
        link.save(update_fields=["used_at", "follow_up"])
        follow_up_links_retire(complaint=complaint, actor=None, reason=LinkRetired.ANSWERED, keep=link)
        record_event(
            complaint=complaint,
            actor=None,
            action=AuditAction.FOLLOW_UP_LINK_ANSWERED,
            changes={"follow_up_link": [link.pk, link.pk], "follow_up_result": [None, result]},
            note=_("Answered by the customer through the follow-up link."),
        )
    return follow_up

"""The follow-up 回访: the agent's call or the customer's answer through a link. 不满意/很不满意
closes the follow-up and reopens the complaint at 倾听与同频 with the customer's words as the
reason (the clocks restart), then escalates it to the owner's team lead."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints.models import Complaint, FollowUpResult
from kesu.core.workflow import Stage
from kesu.escalation.automatic import AUTOMATIC_LEVEL
from kesu.escalation.models import Reason
from kesu.escalation.services import escalate_complaint
from kesu.followup.models import DISSATISFIED_RESULTS, FollowUp, FollowUpMethod
from kesu.followup.results import call_result_record, link_answer_record
from kesu.handling.stages import move


def record_follow_up(
    *, complaint: Complaint, actor: User, result: str, comment: str = "", method: str = FollowUpMethod.CALL
) -> FollowUp:
    """The agent records a follow-up call (or an unreachable customer)."""
    with transaction.atomic():
        follow_up = call_result_record(
            complaint=complaint, actor=actor, result=result, comment=comment, method=method
        )
        if result in DISSATISFIED_RESULTS:
            _reopen_to_team_lead(follow_up.complaint, actor, follow_up)
    return follow_up


def answer_follow_up_link(*, token: str, result: str, comment: str = "") -> FollowUp:
    """The customer's answer through a signed link: once, before it expires, while the complaint
    is at the follow-up stage; recorded with no actor (the customer has no account)."""
    with transaction.atomic():
        follow_up = link_answer_record(token=token, result=result, comment=comment)
        if result in DISSATISFIED_RESULTS:
            _reopen_to_team_lead(follow_up.complaint, None, follow_up)
    return follow_up


def _reopen_to_team_lead(complaint: Complaint, actor: User | None, follow_up: FollowUp) -> None:
    """Escalation rather than transfer: the owner stays the owner (首问责任制) and keeps helping,
    while the team lead is assigned, notified and accountable, exactly as for any escalation.
    A complaint already at level 1 or above stays with the level it is at."""
    label = FollowUpResult(follow_up.result).label
    reason = _("Follow-up: the customer is %(result)s. %(comment)s") % {
        "result": label,
        "comment": follow_up.comment,
    }
    reason = reason.strip()
    complaint = move(complaint=complaint, actor=actor, to=Stage.CLOSED, reason=reason, reopening=True)
    complaint = move(complaint=complaint, actor=actor, to=Stage.LISTEN, reason=reason)
    escalate_complaint(
        complaint=complaint, actor=None, reason=Reason.MANUAL, note=reason, to_level=AUTOMATIC_LEVEL
    )

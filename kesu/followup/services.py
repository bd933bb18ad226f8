"""Follow-up 回访 and work-order acts. Each locks the complaint, checks permission, writes and
audits through :mod:`kesu.complaints.services`, in one transaction.

The customer's link: the token is ``nonce.timestamp.signature`` from Django's
:class:`~django.core.signing.TimestampSigner` (HMAC-SHA256 with ``SECRET_KEY`` and a salt of
its own). A forged or altered token fails the signature; the database keeps only the SHA-256
of a valid token, with the link's expiry and the instant it was answered, so an expired link
and a second answer are refused too — under a row lock, so two answers at once cannot both win.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import clock, permissions
from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.complaints.models import Complaint, FollowUpResult
from kesu.complaints.services import (
    _locked,
    complaint_record_follow_up,
    complaint_transition,
    record_event,
)
from kesu.core.workflow import Stage
from kesu.followup.models import (
    DISSATISFIED_RESULTS,
    FollowUp,
    FollowUpLink,
    FollowUpMethod,
    WorkOrder,
)

SALT = "kesu.followup.link"
#: How long a link stays valid unless the agent says otherwise, and the most it may.
DEFAULT_LINK_DAYS = 7
MAX_LINK_DAYS = 30
MAX_COMMENT = 2000


class LinkRefused(ComplaintError):
    """The link is forged, expired or already answered (codes ``link_invalid``,
    ``link_expired``, ``link_used``, ``link_not_open``)."""

    status = 410


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT, sep=".")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_result(result: str, comment: str) -> None:
    if result not in FollowUpResult.values:
        raise ComplaintError("invalid_follow_up", _("Unknown follow-up result."))
    if len(comment) > MAX_COMMENT:
        raise ComplaintError("comment_too_long", _("The comment is too long."))


@dataclass(frozen=True)
class IssuedLink:
    link: FollowUpLink
    token: str
    path: str


def follow_up_link_issue(
    *,
    complaint: Complaint,
    actor: User,
    days: int | None = None,
    send_sms_to_base_url: str = "",
) -> IssuedLink:
    """Issue a single-use link for the customer to rate the handling. With a base URL
    (``https://kesu.example.com``) the link is also texted to the customer's phone."""
    days = days or int(getattr(settings, "KESU_FOLLOWUP_LINK_DAYS", DEFAULT_LINK_DAYS))
    if not 1 <= days <= MAX_LINK_DAYS:
        raise ComplaintError(
            "invalid_days", _("A link is valid for 1 to %(days)s days.") % {"days": MAX_LINK_DAYS}
        )
    with transaction.atomic():
        complaint = _locked(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if complaint.stage_enum != Stage.FOLLOW_UP:
            raise ComplaintError(
                "not_in_follow_up", _("Follow-up results are recorded at the follow-up stage.")
            )
        now = clock.now()
        token = _signer().sign(secrets.token_urlsafe(24))
        link = FollowUpLink.objects.create(
            complaint=complaint,
            token_hash=token_hash(token),
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        path = f"/f/{token}/"
        record_event(
            complaint=complaint,
            actor=actor,
            action="follow_up_link_sent",
            changes={"follow_up_link": [None, link.pk], "expires_at": [None, link.expires_at]},
        )
        if send_sms_to_base_url and complaint.customer.phone:
            from kesu.notifications.services import enqueue_sms

            enqueue_sms(
                event_key=f"follow_up_link:{link.pk}",
                phone=complaint.customer.phone,
                text=_("Please tell us how your complaint %(ref)s was handled: %(url)s")
                % {"ref": complaint.reference, "url": send_sms_to_base_url.rstrip("/") + path},
                complaint=complaint,
            )
    return IssuedLink(link=link, token=token, path=path)


def follow_up_link_check(token: str, *, now: datetime | None = None, lock: bool = False) -> FollowUpLink:
    """The link a token opens, or :class:`LinkRefused`. The signature is checked first, so a
    forged token never reaches the database."""
    try:
        _signer().unsign(token, max_age=timedelta(days=MAX_LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkRefused("link_expired", _("This link has expired.")) from None
    except signing.BadSignature:
        raise LinkRefused("link_invalid", _("This link is not valid.")) from None
    links = FollowUpLink.objects.select_related("complaint", "complaint__customer")
    if lock:
        links = links.select_for_update(of=("self",))
    link = links.filter(token_hash=token_hash(token)).first()
    if link is None:  # signed by us but never issued (or issued by another database)
        raise LinkRefused("link_invalid", _("This link is not valid."))
    if link.used_at is not None:
        raise LinkRefused("link_used", _("This link has already been used. Thank you for your answer."))
    if (now or clock.now()) >= link.expires_at:
        raise LinkRefused("link_expired", _("This link has expired."))
    if link.complaint.stage != Stage.FOLLOW_UP:
        raise LinkRefused("link_not_open", _("This complaint is no longer waiting for your answer."))
    return link


def follow_up_record(
    *, complaint: Complaint, actor: User, result: str, comment: str = "", method: str = FollowUpMethod.CALL
) -> FollowUp:
    """The agent records a follow-up call (or an unreachable customer). A dissatisfied answer
    reopens the complaint to the owner's team lead."""
    comment = (comment or "").strip()
    _check_result(result, comment)
    if method != FollowUpMethod.CALL:
        raise ComplaintError("invalid_method", _("Agents record follow-up calls; customers answer links."))
    with transaction.atomic():
        complaint = complaint_record_follow_up(complaint=complaint, actor=actor, result=result, note=comment)
        follow_up = FollowUp.objects.create(
            complaint=complaint,
            method=FollowUpMethod.CALL,
            result=result,
            comment=comment,
            recorded_by=actor,
            created_at=complaint.follow_up_at,
            team_id=complaint.team_id,
            tier_id=complaint.customer.tier_id,
        )
        if result in DISSATISFIED_RESULTS:
            _reopen_to_team_lead(complaint, actor, follow_up)
    return follow_up


def follow_up_answer_link(*, token: str, result: str, comment: str = "") -> FollowUp:
    """The customer's answer through a link: once, before it expires, while the complaint is at
    the follow-up stage. Recorded with no actor (the customer has no account)."""
    comment = (comment or "").strip()
    if result == FollowUpResult.UNREACHABLE:
        raise ComplaintError("invalid_follow_up", _("Unknown follow-up result."))
    _check_result(result, comment)
    with transaction.atomic():
        link = follow_up_link_check(token, lock=True)
        complaint = complaint_record_follow_up(
            complaint=link.complaint,
            actor=None,
            result=result,
            note=comment,
        )
        follow_up = FollowUp.objects.create(
            complaint=complaint,
            method=FollowUpMethod.LINK,
            result=result,
            comment=comment,
            recorded_by=None,
            created_at=complaint.follow_up_at,
            team_id=complaint.team_id,
            tier_id=complaint.customer.tier_id,
        )
        link.used_at = complaint.follow_up_at
        link.follow_up = follow_up
        link.save(update_fields=["used_at", "follow_up"])
        record_event(
            complaint=complaint,
            actor=None,
            action="follow_up_link_answered",
            changes={"follow_up_link": [link.pk, link.pk], "follow_up_result": [None, result]},
            note=_("Answered by the customer through the follow-up link."),
        )
        if result in DISSATISFIED_RESULTS:
            _reopen_to_team_lead(complaint, None, follow_up)
    return follow_up


def _reopen_to_team_lead(complaint: Complaint, actor: User | None, follow_up: FollowUp) -> None:
    """不满意/很不满意: close the follow-up and reopen at 倾听与同频 with the customer's words as the
    reason, then escalate to level 1 (the team lead, chosen in the complaint's team).

    Escalation rather than transfer: the owner stays the owner (首问责任制) and keeps helping,
    while the team lead is assigned, notified and accountable, exactly as for any escalation.
    A complaint already at level 1 or above stays with the level it is at."""
    from kesu.escalation.models import Reason
    from kesu.escalation.services import escalate_complaint

    label = FollowUpResult(follow_up.result).label
    reason = _("Follow-up: the customer is %(result)s. %(comment)s") % {
        "result": label,
        "comment": follow_up.comment,
    }
    reason = reason.strip()
    complaint_transition(complaint=complaint, actor=actor, to=Stage.CLOSED, reason=reason)
    complaint_transition(complaint=complaint, actor=actor, to=Stage.LISTEN, reason=reason)
    escalate_complaint(complaint=complaint, actor=None, reason=Reason.MANUAL, note=reason, to_level=1)


def work_order_open(
    *, complaint: Complaint, actor: User, department: str, description: str, due_at: datetime
) -> WorkOrder:
    """Ask another department to act (工单), with the time it is due."""
    department, description = (department or "").strip(), (description or "").strip()
    if not department or not description:
        raise ComplaintError("work_order_incomplete", _("Name the department and what it is asked to do."))
    with transaction.atomic():
        complaint = _locked(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if not complaint.is_open:
            raise ComplaintError("complaint_closed", _("The complaint is closed; reopen it first."))
        now = clock.now()
        if due_at <= now:
            raise ComplaintError("due_in_past", _("The due time must be in the future."))
        order = WorkOrder.objects.create(
            complaint=complaint,
            department=department[:100],
            description=description,
            created_by=actor,
            created_at=now,
            due_at=due_at,
        )
        record_event(
            complaint=complaint,
            actor=actor,
            action="work_order_opened",
            changes={"work_order": [None, order.pk], "department": [None, order.department]},
            note=description,
        )
    return order


def work_order_complete(*, work_order: WorkOrder, actor: User, result: str) -> WorkOrder:
    """The department's answer; on time if it came by the due time."""
    if not (result or "").strip():
        raise ComplaintError("result_required", _("Record what the department did."))
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
        complaint = _locked(order.complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if order.completed_at is not None:
            raise ComplaintError("work_order_done", _("This work order is already completed."))
        order.completed_at = clock.now()
        order.completed_by = actor
        order.result = result.strip()
        order.save(update_fields=["completed_at", "completed_by", "result"])
        record_event(
            complaint=complaint,
            actor=actor,
            action="work_order_completed",
            changes={"work_order": [order.pk, order.pk], "on_time": [None, order.on_time]},
            note=order.result,
        )
    return order

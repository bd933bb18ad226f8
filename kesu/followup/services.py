"""Follow-up links and work orders 工单. Each act locks the complaint, checks permission, writes
and audits (:mod:`kesu.complaints.audit`) in one transaction. Recording a follow-up's result is
in :mod:`kesu.followup.results`; a dissatisfied one reopens the complaint, so it is recorded
through :mod:`kesu.handling.follow_up`.

The customer's link: the token is ``nonce.timestamp.signature`` from Django's
:class:`~django.core.signing.TimestampSigner` (HMAC-SHA256 with ``SECRET_KEY`` and a salt of
its own). A forged or altered token fails the signature; the database keeps only the SHA-256
of a valid token, with the link's expiry and the instant it was answered, so an expired link
and a second answer are refused too — under a row lock, so two answers at once cannot both win.

One live link per follow-up cycle (:func:`~kesu.followup.models.current_cycle`): issuing a link
retires the live one, an answer (the customer's or the agent's call) retires the others, and a
reopen retires every live link of the complaint (:func:`follow_up_links_retire`); each retirement
is audited. A database constraint backs the rule.
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
from kesu.complaints.audit import AuditAction, lock_complaint, record_event
from kesu.complaints.errors import ComplaintError, Conflict, ErrorCode, PermissionRefused
from kesu.complaints.models import Complaint, FollowUpResult
from kesu.core.workflow import Stage
from kesu.followup.models import FollowUp, FollowUpLink, LinkRetired, WorkOrder, current_cycle
from kesu.notifications.services import enqueue_sms
from kesu.notifications.templates import render

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
            ErrorCode.INVALID_DAYS, _("A link is valid for 1 to %(days)s days.") % {"days": MAX_LINK_DAYS}
        )
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if complaint.stage_enum != Stage.FOLLOW_UP:
            raise ComplaintError(
                ErrorCode.NOT_IN_FOLLOW_UP, _("Follow-up results are recorded at the follow-up stage.")
            )
        follow_up_answered_check(complaint)
        follow_up_links_retire(complaint=complaint, actor=actor, reason=LinkRetired.REPLACED)
        now = clock.now()
        token = _signer().sign(secrets.token_urlsafe(24))
        link = FollowUpLink.objects.create(
            complaint=complaint,
            token_hash=token_hash(token),
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=days),
            cycle=current_cycle(complaint),
        )
        path = f"/f/{token}/"
        record_event(
            complaint=complaint,
            actor=actor,
            action=AuditAction.FOLLOW_UP_LINK_SENT,
            changes={"follow_up_link": [None, link.pk], "expires_at": [None, link.expires_at]},
        )
        if send_sms_to_base_url and complaint.customer.phone:
            enqueue_sms(
                event_key=f"follow_up_link:{link.pk}",
                phone=complaint.customer.phone,
                text=render(
                    "follow-up-link-sms", ref=complaint.reference, url=send_sms_to_base_url.rstrip("/") + path
                )[1],
                complaint=complaint,
            )
    return IssuedLink(link=link, token=token, path=path)


def follow_up_link_check(token: str, *, now: datetime | None = None, lock: bool = False) -> FollowUpLink:
    """The link a token opens, or :class:`LinkRefused`. The signature is checked first, so a
    forged token never reaches the database."""
    try:
        _signer().unsign(token, max_age=timedelta(days=MAX_LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkRefused(ErrorCode.LINK_EXPIRED, _("This link has expired.")) from None
    except signing.BadSignature:
        raise LinkRefused(ErrorCode.LINK_INVALID, _("This link is not valid.")) from None
    links = FollowUpLink.objects.select_related("complaint", "complaint__customer")
    if lock:
        links = links.select_for_update(of=("self",))
    link = links.filter(token_hash=token_hash(token)).first()
    if link is None:  # signed by us but never issued (or issued by another database)
        raise LinkRefused(ErrorCode.LINK_INVALID, _("This link is not valid."))
    if link.used_at is not None:
        raise LinkRefused(
            ErrorCode.LINK_USED, _("This link has already been used. Thank you for your answer.")
        )
    if link.retired_at is not None or link.cycle != current_cycle(link.complaint):
        answered = (
            FollowUp.objects.filter(complaint_id=link.complaint_id, cycle=link.cycle)
            .exclude(result=FollowUpResult.UNREACHABLE)
            .exists()
        )
        reason = LinkRetired.ANSWERED if answered else link.retired_reason or LinkRetired.REOPENED
        raise LinkRefused(ErrorCode.LINK_RETIRED, _retired_message(reason))
    if (now or clock.now()) >= link.expires_at:
        raise LinkRefused(ErrorCode.LINK_EXPIRED, _("This link has expired."))
    if link.complaint.stage != Stage.FOLLOW_UP:
        raise LinkRefused(ErrorCode.LINK_NOT_OPEN, _("This complaint is no longer waiting for your answer."))
    return link


def _retired_message(reason: str) -> str:
    if reason == LinkRetired.REPLACED:
        return _("This link is no longer valid: a newer link has been sent to you. Please use that one.")
    if reason == LinkRetired.ANSWERED:
        return _("This link is no longer valid: the follow-up has already been answered. Thank you.")
    return _(
        "This link is no longer valid: the complaint is being handled again, and a new link will "
        "be sent when it is done."
    )


def follow_up_answered(complaint: Complaint) -> FollowUp | None:
    """The answer of a reached customer in the complaint's current cycle, if there is one."""
    return (
        FollowUp.objects.filter(complaint=complaint, cycle=current_cycle(complaint))
        .exclude(result=FollowUpResult.UNREACHABLE)
        .first()
    )


def follow_up_answered_check(complaint: Complaint) -> None:
    """Refuse a second answer (or a link after the answer) in one cycle: it counts once."""
    if follow_up_answered(complaint) is not None:
        raise Conflict(
            ErrorCode.FOLLOW_UP_ALREADY_RECORDED,
            _("The follow-up of this round has already been answered; a reopen starts a new round."),
        )


def follow_up_links_retire(
    *, complaint: Complaint, actor: User | None, reason: str, keep: FollowUpLink | None = None
) -> list[FollowUpLink]:
    """Retire the complaint's live links (all cycles, but ``keep``), each with its own audit event,
    in the caller's transaction (which holds the complaint's lock). ``actor`` is None when the
    customer's answer or a reopen by the system retires them."""
    links = FollowUpLink.objects.select_for_update().filter(
        complaint=complaint, used_at__isnull=True, retired_at__isnull=True
    )
    if keep is not None:
        links = links.exclude(pk=keep.pk)
    retired = list(links.order_by("pk"))
    if not retired:
        return retired
    now = clock.now()
    for link in retired:
        link.retired_at, link.retired_reason = now, reason
        link.save(update_fields=["retired_at", "retired_reason"])
        record_event(
            complaint=complaint,
            actor=actor,
            action=AuditAction.FOLLOW_UP_LINK_RETIRED,
            changes={"follow_up_link": [link.pk, link.pk], "retired": [None, reason]},
        )
    return retired


def work_order_open(
    *, complaint: Complaint, actor: User, department: str, description: str, due_at: datetime
) -> WorkOrder:
    """Ask another department to act (工单), with the time it is due."""
    department, description = (department or "").strip(), (description or "").strip()
    if not department or not description:
        raise ComplaintError(
            ErrorCode.WORK_ORDER_INCOMPLETE, _("Name the department and what it is asked to do.")
        )
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if not complaint.is_open:
            raise ComplaintError(ErrorCode.COMPLAINT_CLOSED, _("The complaint is closed; reopen it first."))
        now = clock.now()
        if due_at <= now:
            raise ComplaintError(ErrorCode.DUE_IN_PAST, _("The due time must be in the future."))
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
            action=AuditAction.WORK_ORDER_OPENED,
            changes={"work_order": [None, order.pk], "department": [None, order.department]},
            note=description,
        )
    return order


def work_order_complete(*, work_order: WorkOrder, actor: User, result: str) -> WorkOrder:
    """The department's answer; on time if it came by the due time."""
    if not (result or "").strip():
        raise ComplaintError(ErrorCode.RESULT_REQUIRED, _("Record what the department did."))
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
        complaint = lock_complaint(order.complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if order.completed_at is not None:
            raise ComplaintError(ErrorCode.WORK_ORDER_DONE, _("This work order is already completed."))
        order.completed_at = clock.now()
        order.completed_by = actor
        order.result = result.strip()
        order.save(update_fields=["completed_at", "completed_by", "result"])
        record_event(
            complaint=complaint,
            actor=actor,
            action=AuditAction.WORK_ORDER_COMPLETED,
            changes={"work_order": [order.pk, order.pk], "on_time": [None, order.on_time]},
            note=order.result,
        )
    return order

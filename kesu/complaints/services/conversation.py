"""The conversation: the customer's messages, the agents' replies and internal notes.

:func:`message_record` is the complaint's part (a reply that blames or hides behind rules is
refused; the first reply is stamped 首次回复; a customer's words are analysed; a reply with a way
to reach the customer is queued in the outbox, :mod:`.replies`; files are kept as evidence,
:mod:`.attachments`). A reply also stops the first-reply clock and a customer's answer lets
paused clocks run again, so callers record messages with
:func:`kesu.handling.conversation.add_message`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import clock, permissions
from kesu.complaints.analysis import StoredAnalysis, analyse_message, complaint_context, semantic_enabled
from kesu.complaints.audit import AuditAction, lock_complaint, record_event, save_fields, set_fields
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.models import Channel, Complaint, Message, MessageKind
from kesu.complaints.services.attachments import Upload, attachments_check, attachments_store
from kesu.complaints.services.replies import delivery_check, reply_deliver
from kesu.core.replies import check_reply


@dataclass(frozen=True)
class RecordedMessage:
    """The message, the locked complaint it belongs to, and whether it was the first reply."""

    message: Message
    complaint: Complaint
    first_reply: bool

    @property
    def is_reply(self) -> bool:
        return self.message.kind == MessageKind.AGENT

    @property
    def from_customer(self) -> bool:
        return self.message.kind == MessageKind.CUSTOMER


def message_record(
    *,
    complaint: Complaint,
    actor: User | None,
    body: str,
    kind: str = MessageKind.AGENT,
    channel: str | None = None,
    deliver: str = "",
    attachments: list[Upload] | tuple[Upload, ...] = (),
    quoted: str = "",
    email_message_id: str = "",
) -> RecordedMessage:
    """Record a message in the caller's transaction. The first agent reply stamps the first-reply
    time; a customer's message that reads riskier raises the complaint's escalation risk.

    A reply with ``deliver`` (``email`` or ``sms``) is queued to the customer in the outbox.
    ``actor`` is None only for the customer's own message that came in by mail (the mailbox is
    the witness); ``quoted`` is the history their client quoted, kept but not analysed."""
    body = (body or "").strip()
    if not body and attachments and kind == MessageKind.CUSTOMER:
        body = _("(attachments only)")
    if not body:
        raise ComplaintError(ErrorCode.BODY_REQUIRED, _("The message is empty."))
    if actor is None and kind != MessageKind.CUSTOMER:
        raise PermissionRefused()
    if kind not in MessageKind.values:
        raise ComplaintError(ErrorCode.INVALID_KIND, _("Unknown message kind."))
    channel = channel or complaint.channel
    if channel not in Channel.values:
        raise ComplaintError(
            ErrorCode.INVALID_CHANNEL, _("Unknown channel: %(channel)s.") % {"channel": channel}
        )
    if kind == MessageKind.AGENT:
        refuse_blocked_reply(body)
    elif deliver:
        raise ComplaintError(ErrorCode.INVALID_DELIVERY, _("Only a reply is sent to the customer."))
    checked = attachments_check(attachments)
    with transaction.atomic(savepoint=False):
        complaint = lock_complaint(complaint)
        delivery_check(complaint, deliver)
        if actor is None:
            allowed = True  # the customer's own mail (checked above: only a customer message)
        elif kind == MessageKind.NOTE:
            allowed = permissions.can_add_note(actor, complaint)
        else:
            allowed = permissions.can_act(actor, complaint)
        if not allowed:
            raise PermissionRefused()
        customer = kind == MessageKind.CUSTOMER
        # A customer's words are read with the conversation so far (the emotion trajectory, the
        # handler's authority, the category's standard), so a later message can escalate too.
        analysis = analyse_message(body, context=complaint_context(complaint, history=True)) if customer else {}
        message = Message.objects.create(
            complaint=complaint,
            kind=kind,
            channel=channel,
            author=actor,
            body=body,
            quoted=quoted,
            email_message_id=email_message_id[:250],
            analysis=analysis,
            semantic_pending=customer and semantic_enabled(),
            created_at=clock.now(),
        )
        stored = attachments_store(complaint=complaint, actor=actor, checked=checked, message=message)
        if deliver:
            assert actor is not None
            reply_deliver(
                complaint=complaint, message=message, actor=actor, deliver=deliver, attachments=stored
            )
        changes: dict[str, list[Any]] = {}
        first_reply = kind == MessageKind.AGENT and complaint.first_reply_at is None
        if first_reply:
            set_fields(complaint, changes, first_reply_at=message.created_at)
        if kind == MessageKind.CUSTOMER:
            risk = StoredAnalysis(analysis).escalation_risk
            if risk > complaint.escalation_risk:
                set_fields(complaint, changes, escalation_risk=risk)
        save_fields(complaint, changes)
        record_event(
            complaint=complaint,
            actor=actor,
            action=AuditAction.for_message(kind),
            changes={
                **changes,
                "message": [None, message.pk],
                **({"delivery": [None, deliver]} if deliver else {}),
                **({"attachments": [None, [a.pk for a in stored]]} if stored else {}),
            },
        )
    return RecordedMessage(message, complaint, first_reply)


def refuse_blocked_reply(body: str) -> None:
    """A reply that blames the customer, argues or hides behind rules is not sent (SPEC §5);
    the same rules run as the agent types."""
    result = check_reply(body)
    if result.blocked:
        english = (get_language() or "").startswith("en")
        blocking = [f for f in result.findings if f.severity == "block"]
        details = [
            {"code": f.code, "message": f.message_en if english else f.message_zh, "evidence": f.evidence}
            for f in blocking
        ]
        raise ComplaintError(
            ErrorCode.REPLY_BLOCKED,
            _("This reply was not sent: %(why)s")
            % {"why": "; ".join(f"{d['message']} ({d['evidence']})" for d in details)},
            details=details,
        )

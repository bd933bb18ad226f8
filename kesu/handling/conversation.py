"""A message in the conversation: the reply stops the first-reply clock (``ON_REPLY``), the
customer's answer lets paused clocks run again (``ON_CUSTOMER_MESSAGE``)."""

from __future__ import annotations

from django.db import transaction

from kesu.accounts.models import User
from kesu.complaints.models import Complaint, Message, MessageKind
from kesu.complaints.services.attachments import Upload
from kesu.complaints.services.conversation import message_record
from kesu.handling import steps


def add_message(
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
) -> Message:
    """Record a reply (首次回复 for the first), a customer's message or an internal note. A reply
    with ``deliver`` (``email``/``sms``) reaches the customer through the outbox."""
    with transaction.atomic():
        recorded = message_record(
            complaint=complaint,
            actor=actor,
            body=body,
            kind=kind,
            channel=channel,
            deliver=deliver,
            attachments=attachments,
            quoted=quoted,
            email_message_id=email_message_id,
        )
        hooks = (
            steps.ON_REPLY
            if recorded.is_reply
            else steps.ON_CUSTOMER_MESSAGE
            if recorded.from_customer
            else ()
        )
        for step in hooks:
            step(recorded)
    return recorded.message

"""A reply that reaches the customer: through the outbox, by e-mail or SMS, exactly once.

The reply's outbox row is written in the reply's transaction (the transactional outbox); the
worker sends it with retries and back-off, and the page shows its state beside the message. A
reply by e-mail answers the customer's last mail (In-Reply-To, References) and carries the
complaint's reference in its subject, so the customer's answer joins the same complaint.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Attachment, Channel, Complaint, Message
from kesu.core.mail import reply_subject
from kesu.notifications.channels.email import message_id_for
from kesu.notifications.models import Channel as Delivery
from kesu.notifications.models import OutboxMessage
from kesu.notifications.services import enqueue_delivery
from kesu.notifications.templates import render

#: How a reply may reach the customer; "" records it only (said on the phone, at the counter).
DELIVERIES = ("", Delivery.EMAIL.value, Delivery.SMS.value)
#: How many earlier Message-IDs a reply names in References (RFC 5322 asks for the thread).
MAX_REFERENCES = 20


def default_delivery(complaint: Complaint) -> str:
    """The complaint's own channel: a mail is answered by mail, an online form by mail or SMS;
    a call, a chat or a visit is answered there, and the reply is recorded only."""
    customer = complaint.customer
    if complaint.channel == Channel.EMAIL and customer.email:
        return Delivery.EMAIL
    if complaint.channel == Channel.WEB:
        return Delivery.EMAIL if customer.email else Delivery.SMS if customer.phone else ""
    return ""


def delivery_check(complaint: Complaint, deliver: str) -> None:
    if deliver not in DELIVERIES:
        raise ComplaintError(
            ErrorCode.INVALID_DELIVERY, _("Unknown way to reach the customer: %(way)s.") % {"way": deliver}
        )
    if deliver == Delivery.EMAIL and not complaint.customer.email:
        raise ComplaintError(
            ErrorCode.NO_CUSTOMER_EMAIL, _("The customer has no e-mail address; choose another way.")
        )
    if deliver == Delivery.SMS and not complaint.customer.phone:
        raise ComplaintError(
            ErrorCode.NO_CUSTOMER_PHONE, _("The customer has no mobile number; choose another way.")
        )


def reply_deliver(
    *, complaint: Complaint, message: Message, actor: User, deliver: str, attachments: list[Attachment]
) -> OutboxMessage:
    """Queue ``message`` to the customer by ``deliver`` (in the caller's transaction) and record
    the outgoing Message-ID on it."""
    event_key = f"reply:{message.pk}"
    customer = complaint.customer
    if deliver == Delivery.SMS:
        _, body = render("reply-sms", body=message.body, ref=complaint.reference)
        outbox = enqueue_delivery(
            event_key=event_key, channel=Delivery.SMS, recipient=customer.phone, body=body, complaint=complaint
        )
        message.delivery = outbox
        message.save(update_fields=["delivery"])
        return outbox
    thread = list(
        complaint.messages.exclude(email_message_id="")
        .exclude(pk=message.pk)
        .order_by("-created_at", "-id")
        .values_list("email_message_id", "kind")[:MAX_REFERENCES]
    )
    answered = next((mid for mid, kind in thread if kind == "customer"), "")
    subject, body = render(
        "reply-email",
        name=customer.name,
        body=message.body,
        ref=complaint.reference,
        agent=actor.get_full_name() or actor.username,
    )
    own_id = message_id_for(f"{event_key}:{customer.email.strip()}")
    headers = {}
    if answered:
        headers["In-Reply-To"] = answered
        headers["References"] = " ".join(mid for mid, _ in reversed(thread))
    payload = {
        "message_id": own_id,
        "headers": headers,
        "attachments": [
            {"path": a.file.name, "filename": a.filename, "content_type": a.content_type} for a in attachments
        ],
    }
    outbox = enqueue_delivery(
        event_key=event_key,
        channel=Delivery.EMAIL,
        recipient=customer.email,
        subject=reply_subject(subject, complaint.reference, fallback=subject),
        body=body,
        payload=payload,
        complaint=complaint,
    )
    message.email_message_id = own_id
    message.delivery = outbox
    message.save(update_fields=["email_message_id", "delivery"])
    return outbox

"""E-mail through Django's configured ``EMAIL_BACKEND`` (``smtp`` in production).

A reply to a customer carries its threading headers (In-Reply-To, References) and its
attachments in the outbox row's payload; the files are read from the attachments storage when
the mail is sent, so the outbox row stays small."""

from __future__ import annotations

import hashlib
import smtplib

from django.core.files.storage import storages
from django.core.mail import EmailMessage, get_connection

from kesu.notifications import conf
from kesu.notifications.channels import PermanentFailure
from kesu.notifications.models import OutboxMessage


def message_id_for(idempotency_key: str) -> str:
    """The Message-ID of the mail with this idempotency key: known before it is sent (a reply
    records it, so the customer's answer threads), the same on every delivery."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<kesu.{digest}@{conf.message_id_domain()}>"


def message_id(message: OutboxMessage) -> str:
    """The same Message-ID on every delivery of one message, so mail systems and clients that
    de-duplicate on it show a re-delivery once."""
    return message.payload.get("message_id") or message_id_for(message.idempotency_key)


THREAD_HEADERS = ("In-Reply-To", "References", "Reply-To")


class DjangoEmail:
    def __init__(self) -> None:
        self.connection = get_connection()

    def send(self, message: OutboxMessage) -> None:
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=conf.from_email() or None,
            to=[message.recipient],
            headers={"Message-ID": message_id(message), **_thread_headers(message)},
            connection=self.connection,
        )
        for item in message.payload.get("attachments", []):
            with storages[item.get("storage", "attachments")].open(item["path"], "rb") as handle:
                email.attach(item["filename"], handle.read(), item["content_type"])
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc


def _thread_headers(message: OutboxMessage) -> dict[str, str]:
    headers = message.payload.get("headers") or {}
    return {name: str(headers[name]) for name in THREAD_HEADERS if headers.get(name)}

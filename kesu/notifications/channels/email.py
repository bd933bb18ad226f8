"""E-mail through Django's configured ``EMAIL_BACKEND``."""

from __future__ import annotations

import hashlib
import smtplib

from django.core.mail import EmailMessage, get_connection

from kesu.notifications import conf
from kesu.notifications.channels import PermanentFailure
from kesu.notifications.models import OutboxMessage


def message_id(message: OutboxMessage) -> str:
    """The same Message-ID on every delivery of one message, so mail systems and clients that
    de-duplicate on it show a re-delivery once."""
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32]
    return f"<kesu.{digest}@{conf.message_id_domain()}>"


class DjangoEmail:
    def __init__(self) -> None:
        self.connection = get_connection()

    def send(self, message: OutboxMessage) -> None:
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=conf.from_email() or None,
            to=[message.recipient],
            headers={"Message-ID": message_id(message)},
            connection=self.connection,
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc

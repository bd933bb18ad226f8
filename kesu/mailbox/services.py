"""Keep a mail as received: the first step of intake by mail, for the poller and the webhook."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from kesu.core.mail import parse_mail
from kesu.mailbox import conf
from kesu.mailbox.models import InboundMail, Source, Status


def mail_store(*, raw: bytes, source: str = Source.IMAP) -> tuple[InboundMail, bool]:
    """Store ``raw`` once per Message-ID; ``(the stored mail, whether this call stored it)``.
    A mail over ``KESU_MAIL_MAX_BYTES`` is recorded as failed without its bytes."""
    message_id = parse_mail(raw).message_id
    fields: dict = {"source": source, "raw": raw}
    if len(raw) > conf.max_mail_bytes():
        fields.update(raw=b"", status=Status.FAILED, reason=f"too large: {len(raw)} bytes")
    existing = InboundMail.objects.filter(mail_id=message_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return InboundMail.objects.create(mail_id=message_id, **fields), True
    except IntegrityError:  # another poller stored it a moment ago
        return InboundMail.objects.get(mail_id=message_id), False

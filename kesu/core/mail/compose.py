"""A mail from the fields a provider posts (its inbound parse webhook): the same bytes a mailbox
would have held, so both ways in are stored and read alike."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from email.message import EmailMessage
from email.policy import SMTP

#: Headers a provider may pass on that decide threading and automatic mail.
PASSED_HEADERS = (
    "Auto-Submitted",
    "Precedence",
    "X-Autoreply",
    "X-Autorespond",
    "List-Id",
    "List-Unsubscribe",
    "Return-Path",
    "Date",
)


class ComposeError(ValueError):
    """The posted fields do not make a mail."""


def mail_from_fields(
    *,
    sender: str,
    subject: str = "",
    text: str = "",
    html: str = "",
    message_id: str = "",
    in_reply_to: str = "",
    references: str = "",
    to: str = "",
    headers: Mapping[str, str] | None = None,
    attachments: Iterable[Mapping[str, str]] = (),
) -> bytes:
    """RFC 5322 bytes of a parsed mail; each attachment is ``{"filename", "content_type",
    "content"}`` with the content in base64."""
    if not sender:
        raise ComposeError("from is required")
    message = EmailMessage()
    message["From"] = sender
    if to:
        message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        if name in PASSED_HEADERS and value and name not in message:
            message[name] = value
    if text or not html:
        message.set_content(text or "")
        if html:
            message.add_alternative(html, subtype="html")
    else:
        message.set_content(html, subtype="html")
    for item in attachments:
        try:
            content = base64.b64decode(item.get("content", ""), validate=True)
        except (binascii.Error, ValueError) as error:
            raise ComposeError(f"attachment {item.get('filename')!r} is not base64") from error
        maintype, _, subtype = (item.get("content_type") or "application/octet-stream").partition("/")
        message.add_attachment(
            content, maintype=maintype, subtype=subtype or "octet-stream", filename=item.get("filename") or "attachment"
        )
    return message.as_bytes(policy=SMTP)

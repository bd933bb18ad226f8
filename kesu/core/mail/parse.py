"""A customer's mail, as the bytes a mailbox or a provider hands over, into a :class:`ParsedMail`.

Charsets are read generously, as mail clients write them: a part labelled GB2312 often holds GBK
characters, so the GB family is read as GB18030 (their superset), Big5 as Big5-HKSCS; a part with
no label or a wrong one is tried as UTF-8, GB18030 and Big5 before anything is replaced.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from .files import sanitize_filename
from .text import html_to_text, split_quoted
from .threading import find_reference

_CHARSETS = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "unicode-1-1-utf-7": "utf-7",
}
_FALLBACKS = ("utf-8", "gb18030", "big5hkscs")
_IDS = re.compile(r"<[^<>\s]+>")
_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "noreply-dmarc")


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    content: bytes
    inline: bool = False


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    subject: str
    from_address: str
    from_name: str
    to: tuple[str, ...]
    date: datetime | None
    in_reply_to: str
    references: tuple[str, ...]
    text: str
    new_text: str
    quoted: str
    automatic: str = ""
    attachments: tuple[MailAttachment, ...] = field(default_factory=tuple)

    @property
    def reference(self) -> str:
        """The complaint reference of the subject (``[KS…]``), or ``""``."""
        return find_reference(self.subject)

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The Message-IDs this mail answers, nearest first (In-Reply-To, then References from
        the newest)."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        ids += [i for i in reversed(self.references) if i not in ids]
        return tuple(ids)


def codec(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    return _CHARSETS.get(name, name)


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text of ``data`` in its declared charset, else the first of UTF-8, GB18030, Big5 that
    reads it whole; replacement characters only as the last resort."""
    declared = codec(charset)
    for name in (declared, *_FALLBACKS):
        if not name:
            continue
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return data.decode(declared or "utf-8", errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def decode_header_value(value: object) -> str:
    """An RFC 2047 header (``=?GBK?B?…?=``, possibly several words and charsets) as text."""
    if value is None:
        return ""
    raw = str(value)
    parts = []
    for chunk, charset in decode_header(raw):
        parts.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return re.sub(r"\s*\n\s*", " ", "".join(parts)).strip()


def _automatic(message: Message, from_address: str) -> str:
    """Why the mail was sent by a machine (RFC 3834 and what the big providers add), or ``""``."""
    auto = (message.get("Auto-Submitted") or "").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = (message.get("Precedence") or "").strip().lower()
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for header in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if message.get(header):
            return header
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "mailing list"
    if (message.get("Return-Path") or "").strip() == "<>":
        return "bounce (empty Return-Path)"
    if from_address.split("@", 1)[0].lower() in _DAEMONS:
        return f"from {from_address}"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    return ""


def _attachment_name(part: Message, index: int) -> str:
    name = part.get_filename()
    if name:
        name = decode_header_value(name) if "=?" in name else name
    if not name:
        extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
        name = f"attachment-{index}{extension}"
    return sanitize_filename(name)


def _payload(part: Message) -> bytes:
    """The decoded bytes of a leaf part (quoted-printable and base64 undone)."""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _body_and_attachments(message: Message) -> tuple[str, tuple[MailAttachment, ...]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[MailAttachment] = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_type() == "message/rfc822":
            continue
        disposition = (part.get_content_disposition() or "").lower()
        content_type = part.get_content_type()
        is_text = content_type in ("text/plain", "text/html")
        if disposition == "attachment" or (not is_text and (part.get_filename() or part.get("Content-ID"))):
            payload = _payload(part)
            attachments.append(
                MailAttachment(
                    filename=_attachment_name(part, len(attachments) + 1),
                    content_type=content_type,
                    content=payload,
                    inline=disposition != "attachment",
                )
            )
            continue
        if is_text:
            text = decode_bytes(_payload(part), part.get_content_charset())
            (plain if content_type == "text/plain" else html).append(text)
    if any(text.strip() for text in plain):
        body = "\n".join(plain)
    else:
        body = "\n".join(html_to_text(h) for h in html)
    body = body.replace("\r\n", "\n").strip()
    return body, tuple(attachments)


def parse_mail(raw: bytes) -> ParsedMail:
    """Read one RFC 5322 message. A mail without a Message-ID is given one derived from its bytes,
    so the same mail fetched twice is still recognised."""
    message = message_from_bytes(raw)
    message_id = " ".join(_IDS.findall(str(message.get("Message-ID") or ""))[:1])
    if not message_id:
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:40]}@kesu.no-message-id>"
    from_name, from_address = ("", "")
    addresses = getaddresses([decode_header_value(message.get("From"))])
    if addresses:
        from_name, from_address = addresses[0]
    to = tuple(a for _, a in getaddresses([decode_header_value(v) for v in message.get_all("To") or []]) if a)
    try:
        date = parsedate_to_datetime(str(message.get("Date"))) if message.get("Date") else None
    except (TypeError, ValueError):
        date = None
    in_reply_to = " ".join(_IDS.findall(str(message.get("In-Reply-To") or ""))[:1])
    references = tuple(_IDS.findall(" ".join(str(v) for v in message.get_all("References") or [])))
    text, attachments = _body_and_attachments(message)
    new_text, quoted = split_quoted(text)
    return ParsedMail(
        message_id=message_id[:250],
        subject=decode_header_value(message.get("Subject"))[:250],
        from_address=from_address.strip().lower(),
        from_name=from_name.strip(),
        to=to,
        date=date,
        in_reply_to=in_reply_to,
        references=references,
        text=text,
        new_text=new_text,
        quoted=quoted,
        automatic=_automatic(message, from_address.strip().lower()),
        attachments=attachments,
    )

"""E-mail, read without a framework: a customer's mail as bytes in, a :class:`ParsedMail` out.

    from kesu.core.mail import parse_mail
    mail = parse_mail(raw_bytes)
    mail.message_id, mail.in_reply_to, mail.references   # threading
    mail.reference                                       # the [KS…] token of the subject, if any
    mail.text, mail.new_text, mail.quoted                # the words; the part to analyse; the history
    mail.automatic                                       # why it is an auto-reply or bulk mail, or ""
    mail.attachments                                     # names sanitised, content as bytes

Chinese mail arrives in every encoding a mail client ever used: GB2312 (read as its superset
GB18030), GBK, Big5, UTF-8, each as quoted-printable or base64, with RFC 2047 encoded headers and
file names. :mod:`.parse` decodes them, :mod:`.text` turns HTML into text and separates the quoted
history, :mod:`.files` sanitises attachment names and tells their types from their first bytes.
"""

from .compose import ComposeError, mail_from_fields
from .files import detect_type, sanitize_filename
from .parse import MailAttachment, ParsedMail, parse_mail
from .text import html_to_text, split_quoted
from .threading import find_reference, reply_subject

__all__ = [
    "ComposeError",
    "MailAttachment",
    "ParsedMail",
    "detect_type",
    "find_reference",
    "html_to_text",
    "mail_from_fields",
    "parse_mail",
    "reply_subject",
    "sanitize_filename",
    "split_quoted",
]

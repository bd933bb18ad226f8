"""Mails as Chinese customers' clients write them: GB2312/GBK/GB18030 or Big5 or UTF-8 bodies,
base64 or quoted-printable, RFC 2047 subjects and names, RFC 2231 file names."""

from __future__ import annotations

from email.charset import BASE64, QP, Charset
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid

from tests.mail.conftest import DESK

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _text(body: str, charset: str, encoding) -> MIMEText:
    cs = Charset(charset)
    cs.body_encoding = encoding
    return MIMEText(body, "plain", cs)


def customer_mail(
    *,
    sender: str = "li.na@example.cn",
    name: str = "李娜",
    subject: str = "宽带每天晚上断网，要求退费",
    body: str = "我家宽带最近一周每天晚上八点以后就断网，打了三次客服电话都没人解决，我要求退还本月费用。",
    charset: str = "gbk",
    encoding=BASE64,
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    attachments: tuple[tuple[str, bytes], ...] = (),
    headers: dict[str, str] | None = None,
    subject_charset: str = "",
) -> tuple[bytes, str]:
    """The raw bytes and the Message-ID of a customer's mail to the desk."""
    message = MIMEMultipart()
    message["From"] = f"{Header(name, charset).encode()} <{sender}>"
    message["To"] = DESK
    message["Subject"] = Header(subject, subject_charset or charset).encode()
    message_id = message_id or make_msgid(domain="example.cn")
    message["Message-ID"] = message_id
    message["Date"] = "Thu, 03 Dec 2026 10:00:00 +0800"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for key, value in (headers or {}).items():
        message[key] = value
    message.attach(_text(body, charset, encoding))
    for filename, content in attachments:
        part = MIMEImage(content, "png") if content.startswith(b"\x89PNG") else MIMEApplication(content)
        part.add_header("Content-Disposition", "attachment", filename=(charset, "", filename))
        message.attach(part)
    return message.as_bytes(), message_id


__all__ = ["BASE64", "PDF", "PNG", "QP", "customer_mail"]

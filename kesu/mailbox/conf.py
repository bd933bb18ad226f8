"""Settings of the mailbox: each is the Django setting of that name, else the environment
variable, else the default here (read when used, like :mod:`kesu.notifications.conf`)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings


def _value(name: str, default: Any) -> Any:
    if hasattr(settings, name):
        return getattr(settings, name)
    value = os.environ.get(name, "")
    return value if value != "" else default


def imap_host() -> str:
    """Empty: no mailbox is polled (the demo's default)."""
    return str(_value("KESU_IMAP_HOST", ""))


def imap_security() -> str:
    """``tls`` (IMAPS, port 993), ``starttls`` (port 143, upgraded) or ``plain`` (loopback only)."""
    value = str(_value("KESU_IMAP_SECURITY", "tls")).strip().lower()
    if value not in {"tls", "starttls", "plain"}:
        raise ValueError(f"KESU_IMAP_SECURITY must be tls, starttls or plain, not {value!r}")
    return value


def imap_port() -> int:
    return int(_value("KESU_IMAP_PORT", 993 if imap_security() == "tls" else 143))


def imap_user() -> str:
    return str(_value("KESU_IMAP_USER", ""))


def imap_password() -> str:
    return str(_value("KESU_IMAP_PASSWORD", ""))


def imap_folder() -> str:
    return str(_value("KESU_IMAP_FOLDER", "INBOX"))


def imap_cafile() -> str:
    """A CA bundle for a mail server with a private certificate; empty: the system's."""
    return str(_value("KESU_IMAP_CAFILE", ""))


def imap_timeout() -> float:
    return float(_value("KESU_IMAP_TIMEOUT", 30))


def max_mail_bytes() -> int:
    """A larger mail is recorded as failed (so the poller moves on), not stored."""
    return int(_value("KESU_MAIL_MAX_BYTES", 30 * 1_048_576))


def inbound_secret() -> str:
    """The secret the provider signs inbound webhooks with; empty: the webhook is off."""
    return str(_value("KESU_INBOUND_MAIL_SECRET", ""))


def intake_username() -> str:
    """The account new mail complaints are taken in as (its team handles them)."""
    return str(_value("KESU_MAIL_INTAKE_USER", "mailbox"))

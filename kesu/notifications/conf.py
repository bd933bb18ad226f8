"""Settings of the outbox and its channels.

Each value is the Django setting of the same name if settings define it, else the environment
variable of that name, else the default here. They are read when used, so a test or a deployment
that changes settings takes effect without a restart of anything but the process.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings

BACKEND_SETTINGS = {
    "sms": ("KESU_SMS_BACKEND", "kesu.notifications.channels.sms.FileSms"),
    "email": ("KESU_EMAIL_CHANNEL_BACKEND", "kesu.notifications.channels.email.DjangoEmail"),
    "webhook": ("KESU_WEBHOOK_BACKEND", "kesu.notifications.channels.webhook.SignedWebhook"),
}


def _value(name: str, default: Any) -> Any:
    if hasattr(settings, name):
        return getattr(settings, name)
    value = os.environ.get(name, "")
    return value if value != "" else default


def _bool(name: str, default: bool) -> bool:
    value = _value(name, default)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def backend_path(channel: str) -> str:
    name, default = BACKEND_SETTINGS[channel]
    return str(_value(name, default))


def sms_url() -> str:
    return str(_value("KESU_SMS_URL", ""))


def sms_api_key() -> str:
    return str(_value("KESU_SMS_API_KEY", ""))


def sms_api_key_header() -> str:
    return str(_value("KESU_SMS_API_KEY_HEADER", "X-Api-Key"))


def sms_timeout() -> float:
    return float(_value("KESU_SMS_TIMEOUT", 10))


def sms_dir() -> Path:
    default = Path(getattr(settings, "VAR_DIR", Path.cwd() / "var")) / "sms"
    return Path(_value("KESU_SMS_DIR", default))


def webhook_timeout() -> float:
    return float(_value("KESU_WEBHOOK_TIMEOUT", 10))


def from_email() -> str:
    return str(_value("KESU_NOTIFY_FROM_EMAIL", getattr(settings, "DEFAULT_FROM_EMAIL", "")))


def message_id_domain() -> str:
    """Domain of the Message-ID of outgoing mail: the sender's domain unless set."""
    sender = from_email()
    default = sender.rpartition("@")[2].strip(">") or "kesu.localhost"
    return str(_value("KESU_EMAIL_MESSAGE_ID_DOMAIN", default))


def lease_seconds() -> int:
    """How long a worker owns a claimed message; after that another worker may send it again."""
    return int(_value("KESU_OUTBOX_LEASE_SECONDS", 300))


def max_attempts() -> int:
    return int(_value("KESU_OUTBOX_MAX_ATTEMPTS", 8))


def backoff_base() -> float:
    return float(_value("KESU_OUTBOX_BACKOFF_BASE", 30))


def backoff_cap() -> float:
    return float(_value("KESU_OUTBOX_BACKOFF_CAP", 3600))


def deliver_on_commit() -> bool:
    """Start delivery as soon as the enqueuing transaction commits (besides the periodic task)."""
    return _bool("KESU_OUTBOX_DELIVER_ON_COMMIT", True)

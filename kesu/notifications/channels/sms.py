"""SMS channels: an HTTP gateway for production, the console and files for the demo."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from django.core.exceptions import ImproperlyConfigured

from kesu.notifications import conf
from kesu.notifications.channels.http import post_json
from kesu.notifications.models import OutboxMessage


class HttpSmsGateway:
    """POST ``{"to", "text", "id"}`` as JSON to ``KESU_SMS_URL``, authenticated by an API key
    header. The gateway must de-duplicate on ``Idempotency-Key`` (also sent as ``id``)."""

    def __init__(self) -> None:
        self.url = conf.sms_url()
        if not self.url:
            raise ImproperlyConfigured("KESU_SMS_URL is required by the HTTP SMS gateway.")
        self.api_key = conf.sms_api_key()
        self.api_key_header = conf.sms_api_key_header()
        self.timeout = conf.sms_timeout()

    def send(self, message: OutboxMessage) -> None:
        key = message.idempotency_key
        body = json.dumps({"to": message.recipient, "text": message.body, "id": key}, ensure_ascii=False)
        headers = {"Idempotency-Key": key}
        if self.api_key:
            headers[self.api_key_header] = self.api_key
        post_json(self.url, body.encode("utf-8"), headers=headers, timeout=self.timeout)


class ConsoleSms:
    """Print each SMS (for a terminal demo). Prints again if a message is re-delivered."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: OutboxMessage) -> None:
        self.stream.write(f"[SMS to {message.recipient}] {message.body}\n")
        self.stream.flush()


def sms_file_name(message: OutboxMessage) -> str:
    """A readable, file-system-safe name that is one-to-one with the idempotency key."""
    key = message.idempotency_key
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", message.event_key)[:100]
    return f"{readable}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.sms"


class FileSms:
    """Write each SMS as a file under ``KESU_SMS_DIR`` (the demo default), one per idempotency
    key. The message is written to a temporary file and linked into place, which fails if the
    name exists: a re-delivery never writes a second message, and no reader sees half of one."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory or conf.sms_dir())

    def send(self, message: OutboxMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / sms_file_name(message)
        if target.exists():
            return
        content = f"To: {message.recipient}\nKey: {message.idempotency_key}\n\n{message.body}\n"
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".sending-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, target)
            except FileExistsError:
                return  # delivered before: the first message stands
        finally:
            os.unlink(temporary)

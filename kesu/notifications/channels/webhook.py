"""Signed webhooks: the event as JSON, signed with the endpoint's secret (see ``signing``)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from kesu.notifications import conf
from kesu.notifications.channels import PermanentFailure
from kesu.notifications.channels.http import post_json
from kesu.notifications.models import OutboxMessage
from kesu.notifications.signing import sign


def webhook_body(message: OutboxMessage) -> bytes:
    """The same bytes on every delivery of one message."""
    return json.dumps(message.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class SignedWebhook:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.timeout = conf.webhook_timeout()

    def send(self, message: OutboxMessage) -> None:
        endpoint = message.endpoint
        if endpoint is None:
            raise PermanentFailure("the webhook endpoint was deleted")
        if not endpoint.active:
            raise PermanentFailure(f"the webhook endpoint {endpoint.name} is inactive")
        body = webhook_body(message)
        timestamp = str(int(self.clock()))
        headers = {
            "X-Kesu-Event": message.event_type,
            "X-Kesu-Timestamp": timestamp,
            "X-Kesu-Signature": sign(endpoint.secret, body, timestamp),
            "Idempotency-Key": message.idempotency_key,
        }
        post_json(endpoint.url, body, headers=headers, timeout=self.timeout)

"""Channels deliver one outbox message each. A channel is any class with
``send(message: OutboxMessage) -> None``, chosen by dotted path in settings (``KESU_SMS_BACKEND``,
``KESU_EMAIL_CHANNEL_BACKEND``, ``KESU_WEBHOOK_BACKEND``).

``send`` returns when the receiver has accepted the message and raises otherwise: a
:class:`PermanentFailure` when retrying cannot help (the message is given up at once), anything
else to be retried with back-off. It must pass :attr:`OutboxMessage.idempotency_key` to the
receiver, because the worker may send the same message twice when it dies mid-delivery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.utils.module_loading import import_string

from kesu.notifications import conf

if TYPE_CHECKING:
    from kesu.notifications.models import OutboxMessage


class PermanentFailure(Exception):
    """The receiver refused the message for good (a malformed number, a 4xx answer)."""


class DeliveryFailed(Exception):
    """The receiver did not take the message this time; try again later."""


class ChannelBackend(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


def load_channel(channel: str) -> ChannelBackend:
    return import_string(conf.backend_path(channel))()

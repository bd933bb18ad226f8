"""The outbox worker: claim due messages, send them, record the outcome.

A claim marks rows ``sending`` under a lease in one short transaction: on PostgreSQL the
candidates are locked with ``SELECT … FOR UPDATE SKIP LOCKED``, so two workers take disjoint rows
without waiting; on SQLite (one writer at a time) the claim is a conditional ``UPDATE`` that only
takes rows still due. Sending happens outside any transaction. If the worker dies after sending
and before recording it, the lease runs out and another worker sends the message again with the
same idempotency key, which the receiver de-duplicates: a person gets it once.

Failures are retried with exponential back-off and jitter up to ``KESU_OUTBOX_MAX_ATTEMPTS``;
then, or at once for a permanent refusal, the message is given up (``dead``) for an admin to
look at and retry.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from kesu.notifications import conf
from kesu.notifications.channels import ChannelBackend, PermanentFailure, load_channel
from kesu.notifications.models import WAITING, OutboxMessage, Status

logger = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def backoff_seconds(
    attempts: int, *, base: float, cap: float, rand: Callable[[], float] = random.random
) -> float:
    """Delay before the next try after ``attempts`` tries: ``base · 2^(attempts-1)`` capped at
    ``cap``, of which the second half is random ("equal jitter"), so messages that failed together
    (a gateway outage) do not all come back at the same second."""
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return delay / 2 + rand() * delay / 2


def _due(now: datetime) -> Q:
    return Q(status__in=WAITING, next_attempt_at__lte=now) | Q(status=Status.SENDING, lease_until__lte=now)


def claim_due(*, limit: int, now: datetime, token: str) -> list[OutboxMessage]:
    """Mark up to ``limit`` due messages as being sent by the caller (``token``) and return them.
    Each claim counts as an attempt, so a message that kills its worker every time runs out."""
    with transaction.atomic():
        candidates = OutboxMessage.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        OutboxMessage.objects.filter(_due(now), pk__in=ids).update(
            status=Status.SENDING,
            lease_until=now + timedelta(seconds=conf.lease_seconds()),
            lease_token=token,
            attempts=F("attempts") + 1,
        )
        return list(
            OutboxMessage.objects.filter(pk__in=ids, lease_token=token)
            .select_related("endpoint")
            .order_by("pk")
        )


def _finish(message: OutboxMessage, token: str, **fields: object) -> None:
    """Record a failure, unless another worker has taken the message over since."""
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, lease_token=token).update(
        lease_until=None, lease_token="", **fields
    )


def _chunk_size(limit: int) -> int:
    """Claim no more than can be sent well within one lease (two timeouts per message)."""
    slowest = max(conf.sms_timeout(), conf.webhook_timeout(), 1.0)
    return max(1, min(limit, int(conf.lease_seconds() // (2 * slowest))))


def deliver_due(*, limit: int = 200, now: datetime | None = None) -> DeliveryReport:
    """Send up to ``limit`` due messages. ``now`` pins the clock (tests, replays); by default each
    stamp is the wall clock. Safe to run in any number of workers at once."""

    def clock() -> datetime:
        return now or timezone.now()

    report = DeliveryReport()
    channels: dict[str, ChannelBackend] = {}
    token = uuid.uuid4().hex
    max_attempts = conf.max_attempts()
    while report.claimed < limit:
        chunk = min(_chunk_size(limit), limit - report.claimed)
        messages = claim_due(limit=chunk, now=clock(), token=token)
        report.claimed += len(messages)
        for message in messages:
            _deliver_one(
                message, token=token, clock=clock, channels=channels, max_attempts=max_attempts, report=report
            )
        if len(messages) < chunk:
            break
    return report


def _deliver_one(
    message: OutboxMessage,
    *,
    token: str,
    clock: Callable[[], datetime],
    channels: dict[str, ChannelBackend],
    max_attempts: int,
    report: DeliveryReport,
) -> None:
    if message.attempts > max_attempts:
        # Its last attempt never reported back: the worker died during it.
        _finish(message, token, status=Status.DEAD, last_error="The worker stopped during the last attempt.")
        report.dead += 1
        return
    try:
        if message.channel not in channels:
            channels[message.channel] = load_channel(message.channel)
        channels[message.channel].send(message)
    except PermanentFailure as exc:
        logger.warning("outbox %s given up: %s", message.idempotency_key, exc)
        _finish(message, token, status=Status.DEAD, last_error=str(exc)[:2000])
        report.dead += 1
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= max_attempts:
            logger.warning(
                "outbox %s given up after %d attempts: %s", message.idempotency_key, message.attempts, error
            )
            _finish(message, token, status=Status.DEAD, last_error=error)
            report.dead += 1
        else:
            delay = backoff_seconds(message.attempts, base=conf.backoff_base(), cap=conf.backoff_cap())
            _finish(
                message,
                token,
                status=Status.FAILED,
                next_attempt_at=clock() + timedelta(seconds=delay),
                last_error=error,
            )
            report.retrying += 1
    else:
        # Sent is sent, whoever holds the lease now: a later worker's attempt finds it done.
        OutboxMessage.objects.filter(pk=message.pk).exclude(status=Status.SENT).update(
            status=Status.SENT, sent_at=clock(), lease_until=None, lease_token="", last_error=""
        )
        report.sent += 1

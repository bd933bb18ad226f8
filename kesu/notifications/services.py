"""Enqueue notifications: call these inside the transaction that records the event.

The outbox row commits or rolls back with the event (transactional outbox), and each function is
idempotent on its event key: a second call with the same key — a sweep that runs twice at the same
moment, a retried request — creates nothing, because a unique constraint decides, not a prior read.
After the commit, delivery starts at once (eagerly on the embedded demo, by a Celery task with a
broker); the periodic ``deliver_outbox`` task picks up whatever that misses.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from kesu import memo
from kesu.notifications import conf
from kesu.notifications.models import RETRYABLE, Channel, OutboxMessage, Status, WebhookEndpoint

if TYPE_CHECKING:
    from kesu.complaints.models import Complaint

logger = logging.getLogger(__name__)


class SmsRow(NamedTuple):
    """One SMS for :func:`enqueue_many_sms`; a plain tuple in this order works too."""

    event_key: str
    phone: str
    text: str
    complaint_id: int | None = None


class EmailRow(NamedTuple):
    """One e-mail for :func:`enqueue_many_email`."""

    event_key: str
    to: str
    subject: str
    body: str
    complaint_id: int | None = None
    event_type: str = ""


class EventRow(NamedTuple):
    """One event for :func:`emit_many_events`."""

    event_key: str
    event_type: str
    payload: dict[str, Any]
    complaint_id: int | None = None


ENDPOINTS_CACHE_KEY = "kesu:webhook-endpoints:v1"


def active_endpoints() -> list[WebhookEndpoint]:
    """The active webhook endpoints: configuration, read for every event, so remembered per
    process for 60 s; a change in the admin clears it at once in the process that saved it."""
    return memo.remember(ENDPOINTS_CACHE_KEY, lambda: list(WebhookEndpoint.objects.filter(active=True)), 60)


def forget_endpoints(**_: Any) -> None:
    memo.forget(ENDPOINTS_CACHE_KEY)


def _require(**values: str) -> None:
    for name, value in values.items():
        if not value or not str(value).strip():
            raise ValueError(f"{name} is required")


def _deliver_after_commit() -> None:
    """Kick the delivery task once per transaction, after it commits."""
    if not conf.deliver_on_commit():
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is _kick for entry in connection.run_on_commit):
        return
    # robust: a failing kick must not fail the caller, whose event has committed; the periodic
    # task delivers the message later.
    transaction.on_commit(_kick, robust=True)


def _kick() -> None:
    from kesu.notifications.tasks import deliver_outbox

    deliver_outbox.delay()


def _enqueue(*, event_key: str, channel: str, recipient: str, **fields: Any) -> bool:
    _require(event_key=event_key, recipient=recipient)
    # get_or_create inserts under a savepoint: when another transaction holds the same key, the
    # insert waits for it and then fails on the unique constraint, and the row it made is found.
    _, created = OutboxMessage.objects.get_or_create(
        event_key=event_key, channel=channel, recipient=recipient, defaults=fields
    )
    if created:
        _deliver_after_commit()
    return created


def enqueue_sms(*, event_key: str, phone: str, text: str, complaint: Complaint | None = None) -> bool:
    """Queue one SMS to ``phone``; ``True`` if this call created it, ``False`` if the key existed."""
    _require(text=text)
    return _enqueue(
        event_key=event_key, channel=Channel.SMS, recipient=phone.strip(), body=text, complaint=complaint
    )


def enqueue_email(
    *, event_key: str, to: str, subject: str, body: str, complaint: Complaint | None = None
) -> bool:
    """Queue one e-mail to ``to``; ``True`` if this call created it."""
    _require(subject=subject, body=body)
    try:
        validate_email(to)
    except ValidationError as exc:
        raise ValueError(f"not an e-mail address: {to!r}") from exc
    return _enqueue(
        event_key=event_key,
        channel=Channel.EMAIL,
        recipient=to.strip(),
        subject=subject,
        body=body,
        complaint=complaint,
    )


def enqueue_delivery(
    *,
    event_key: str,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    payload: dict[str, Any] | None = None,
    complaint: Complaint | None = None,
) -> OutboxMessage:
    """Queue one message to a customer (a reply by e-mail or SMS) and return its outbox row, the
    existing one when the key was queued before; the caller shows its delivery state."""
    _require(event_key=event_key, recipient=recipient, body=body)
    if channel == Channel.EMAIL:
        _require(subject=subject)
        try:
            validate_email(recipient)
        except ValidationError as exc:
            raise ValueError(f"not an e-mail address: {recipient!r}") from exc
    elif channel != Channel.SMS:
        raise ValueError(f"a customer is reached by e-mail or SMS, not {channel!r}")
    message, created = OutboxMessage.objects.get_or_create(
        event_key=event_key,
        channel=channel,
        recipient=recipient.strip(),
        defaults={"subject": subject, "body": body, "payload": payload or {}, "complaint": complaint},
    )
    if created:
        _deliver_after_commit()
    return message


def emit_event(
    *, event_key: str, event_type: str, payload: dict[str, Any], complaint: Complaint | None = None
) -> int:
    """Queue the event for every active webhook endpoint subscribed to ``event_type``; return how
    many messages this call created (0 when the key was emitted before or nobody listens).

    The receiver gets ``{"id": event_key, "type": event_type, "created_at": …, "data": payload}``.
    """
    _require(event_key=event_key, event_type=event_type)
    endpoints = [e for e in active_endpoints() if e.subscribes_to(event_type)]
    if not endpoints:
        return 0
    envelope = {
        "id": event_key,
        "type": event_type,
        "created_at": timezone.now().isoformat(),
        "data": payload,
    }
    return sum(
        _enqueue(
            event_key=event_key,
            channel=Channel.WEBHOOK,
            recipient=f"endpoint:{endpoint.pk}",
            endpoint=endpoint,
            event_type=event_type,
            payload=envelope,
            complaint=complaint,
        )
        for endpoint in endpoints
    )


def _insert_new(messages: Iterable[OutboxMessage], *, batch_size: int, count: bool = True) -> int:
    """Insert the messages whose (key, channel, recipient) is new, in few statements.

    Keys that already exist are skipped by the database (``INSERT … ON CONFLICT DO NOTHING``), so
    overlapping or concurrent sweeps never make a second row. With ``count`` it returns the number
    of rows that were new when this call looked (one more query per batch; under a concurrent
    identical call both calls may count a row that the table holds once); without, the number
    offered."""
    total = 0
    iterator = iter(messages)
    while batch := list(islice(iterator, batch_size)):
        fresh: dict[tuple[str, str, str], OutboxMessage] = {}
        for message in batch:
            fresh.setdefault((message.event_key, message.channel, message.recipient), message)
        if count:
            channels = {channel for _, channel, _ in fresh}
            existing = OutboxMessage.objects.filter(
                channel__in=channels, event_key__in={key for key, _, _ in fresh}
            ).values_list("event_key", "channel", "recipient")
            for triple in existing:
                fresh.pop(triple, None)
        OutboxMessage.objects.bulk_create(fresh.values(), ignore_conflicts=True)
        total += len(fresh)
    if total:
        _deliver_after_commit()
    return total


def enqueue_many_sms(rows: Iterable[SmsRow | Sequence[Any]], *, batch_size: int = 1000) -> int:
    """Queue many SMS in few statements (a sweep over tens of thousands of complaints); idempotent
    on each event key like :func:`enqueue_sms`. Returns how many were new."""
    now = timezone.now()

    def messages() -> Iterator[OutboxMessage]:
        for row in map(lambda r: SmsRow(*r), rows):
            _require(event_key=row.event_key, phone=row.phone, text=row.text)
            yield OutboxMessage(
                event_key=row.event_key,
                channel=Channel.SMS,
                recipient=row.phone.strip(),
                body=row.text,
                complaint_id=row.complaint_id,
                next_attempt_at=now,
                created_at=now,
            )

    return _insert_new(messages(), batch_size=batch_size)


def enqueue_many_email(rows: Iterable[EmailRow], *, batch_size: int = 1000) -> int:
    """Queue many e-mails in few statements, idempotent on each event key like :func:`enqueue_email`
    (the sweep's warnings, the escalations of a breach). Returns how many were offered: nothing
    counts them, so no query asks which keys exist already."""
    now = timezone.now()
    valid: set[str] = set()  # a sweep writes to few owners many times

    def messages() -> Iterator[OutboxMessage]:
        for row in rows:
            _require(event_key=row.event_key, subject=row.subject, body=row.body)
            if row.to not in valid:
                try:
                    validate_email(row.to)
                except ValidationError as exc:
                    raise ValueError(f"not an e-mail address: {row.to!r}") from exc
                valid.add(row.to)
            yield OutboxMessage(
                event_key=row.event_key,
                event_type=row.event_type,
                channel=Channel.EMAIL,
                recipient=row.to.strip(),
                subject=row.subject,
                body=row.body,
                complaint_id=row.complaint_id,
                next_attempt_at=now,
                created_at=now,
            )

    return _insert_new(messages(), batch_size=batch_size, count=False)


def emit_many_events(rows: Iterable[EventRow], *, batch_size: int = 1000) -> int:
    """:func:`emit_event` for many events in few statements. Returns how many messages were new."""
    endpoints = active_endpoints()
    if not endpoints:
        return 0
    now = timezone.now()

    def messages() -> Iterator[OutboxMessage]:
        for row in rows:
            _require(event_key=row.event_key, event_type=row.event_type)
            envelope = {
                "id": row.event_key,
                "type": row.event_type,
                "created_at": now.isoformat(),
                "data": row.payload,
            }
            for endpoint in endpoints:
                if endpoint.subscribes_to(row.event_type):
                    yield OutboxMessage(
                        event_key=row.event_key,
                        event_type=row.event_type,
                        channel=Channel.WEBHOOK,
                        recipient=f"endpoint:{endpoint.pk}",
                        endpoint=endpoint,
                        payload=envelope,
                        complaint_id=row.complaint_id,
                        next_attempt_at=now,
                        created_at=now,
                    )

    return _insert_new(messages(), batch_size=batch_size)


def retry_messages(*, message_ids: Iterable[int]) -> int:
    """Give failed or given-up messages a fresh set of attempts, due now (the admin's "retry").
    Sent messages are never re-sent and messages in flight are left to their worker."""
    with transaction.atomic():
        count = OutboxMessage.objects.filter(pk__in=list(message_ids), status__in=RETRYABLE).update(
            status=Status.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            lease_until=None,
            lease_token="",
        )
        if count:
            _deliver_after_commit()
    return count

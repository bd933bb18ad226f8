"""Background delivery of the outbox."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from kesu.notifications.delivery import deliver_due


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def deliver_outbox(self, limit: int = 1000) -> dict[str, int]:
    """Send what is due, up to ``limit`` messages. Safe to run twice or in many workers at once:
    each message is claimed by one of them. Failed messages are retried by the outbox's own
    back-off (the next run picks them up); this task retries only when the database is away."""
    return deliver_due(limit=limit).as_dict()

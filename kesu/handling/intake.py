"""Taking a complaint in 受理: record it, start its clocks and escalate it when it is serious, in
one transaction (``ON_INTAKE``); the API's retries with an ``Idempotency-Key`` create it once."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from kesu.accounts.models import User
from kesu.complaints.models import Complaint
from kesu.complaints.services.attachments import Upload, attachments_check, attachments_store
from kesu.complaints.services.intake import (
    Intake,
    complaint_store,
    idempotency_remember,
    idempotent_replay,
    intake_check,
    with_unique_reference,
)
from kesu.handling import steps


def _store(intake: Intake, reference: str, checked: list | None = None) -> Complaint:
    complaint = complaint_store(intake, reference=reference)
    complaint.intake_attachments = (
        attachments_store(
            complaint=complaint, actor=intake.actor, checked=checked, message=complaint.messages.first()
        )
        if checked
        else []
    )
    for step in steps.ON_INTAKE:
        step(complaint)
    return complaint


def take_in(*, actor: User, attachments: list[Upload] | tuple[Upload, ...] = (), **fields: Any) -> Complaint:
    """Take a complaint in (the fields of :func:`kesu.complaints.services.intake.intake_check`),
    with the evidence the customer gave (``attachments``, checked before anything is stored).

    Inside a caller's transaction a clash of references can only be undone to a savepoint; on
    its own, the transaction is this one and rolls back whole."""
    intake = intake_check(actor=actor, **fields)
    checked = attachments_check(attachments)
    return with_unique_reference(
        intake.received_at,
        lambda reference: _store(intake, reference, checked),
        savepoint=transaction.get_connection().in_atomic_block,
    )


def take_in_idempotent(*, actor: User, key: str, fingerprint: str, **fields: Any) -> tuple[Complaint, bool]:
    """:func:`take_in` keyed by a client's ``Idempotency-Key``: a retry of the same request
    returns the complaint already created (``replayed=True``) instead of a second one; the same
    key with a different body is refused. The key's unique index settles concurrent retries:
    the loser's whole transaction (its complaint included) rolls back and it replays the winner's.
    """
    if (earlier := idempotent_replay(actor=actor, key=key, fingerprint=fingerprint)) is not None:
        return earlier, True
    intake = intake_check(actor=actor, **fields)

    def store(reference: str) -> Complaint:
        complaint = _store(intake, reference)
        idempotency_remember(actor=actor, key=key, fingerprint=fingerprint, complaint=complaint)
        return complaint

    try:
        complaint = with_unique_reference(
            intake.received_at, store, savepoint=transaction.get_connection().in_atomic_block
        )
    except IntegrityError:
        if (earlier := idempotent_replay(actor=actor, key=key, fingerprint=fingerprint)) is not None:
            return earlier, True
        raise
    return complaint, False

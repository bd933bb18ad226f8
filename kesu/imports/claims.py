"""One run at a time for a background job — an import (:mod:`kesu.imports.services`) or an export
(:mod:`kesu.metrics.export_jobs`). A run claims the job with a fresh token by a conditional update, so
two runs never both win; every write the run makes afterwards checks the token, so a run thought dead
whose job another run has taken over writes nothing more. The job's model has ``status`` (the imports'
:class:`~kesu.imports.models.JobStatus`), ``claim`` and ``heartbeat_at``."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kesu.imports.models import JobStatus

#: A running job whose run has recorded nothing for this long is taken to be dead and may be resumed.
STALE_AFTER = timedelta(minutes=2)


class ClaimLost(Exception):
    """Another run has taken the job over (this one was thought dead); stop without writing."""


def claim(jobs: QuerySet, *, started: dict[str, Any] | None = None, taken_over: dict[str, Any] | None = None) -> str | None:
    """Claim the job ``jobs`` selects (one, by its key): a queued one, or a running one whose run has
    shown no sign of life for :data:`STALE_AFTER`. ``started`` and ``taken_over`` are what else each
    case sets. Returns the run's token; None when another run has the job or it is finished."""
    now = timezone.now()
    token = secrets.token_hex(16)
    won = jobs.filter(status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, claim=token, heartbeat_at=now, **(started or {})
    )
    if not won:
        won = jobs.filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER).update(
            claim=token, heartbeat_at=now, **(taken_over or {})
        )
    return token if won else None


def waiting(jobs: QuerySet) -> QuerySet:
    """The jobs waiting for a run: queued, or running with a dead run."""
    stale = timezone.now() - STALE_AFTER
    return jobs.filter(Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale))


def owned(jobs: QuerySet, token: str) -> QuerySet:
    """``jobs`` as long as this run (``token``) still has them: the filter every write of a run goes through."""
    return jobs.filter(claim=token, status=JobStatus.RUNNING)

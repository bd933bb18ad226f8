"""The writes of an import job: created with its file, claimed by one run at a time, a row recorded in
the transaction that imported it, finished or failed. The run itself (what a row becomes) is the
handling layer's (:mod:`kesu.handling.importer`)."""

from __future__ import annotations

import logging
import secrets
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kesu.accounts.models import User
from kesu.imports import claims
from kesu.imports.claims import ClaimLost
from kesu.imports.models import ImportJob, ImportRow, JobKind, JobStatus, RowOutcome

log = logging.getLogger(__name__)


def job_create(
    *,
    actor: User,
    name: str,
    content: IO[bytes],
    size: int,
    language: str,
    kind: JobKind = JobKind.COMPLAINTS,
    options: dict[str, Any] | None = None,
    foreground: bool = False,
) -> ImportJob:
    """Store the upload (through ``STORAGES["imports"]``) and create its job; after commit the job is
    sent to Celery when a broker is configured, else the minute loop of ``kesu serve`` picks it up.

    ``foreground``: the caller runs the job itself, now (``kesu import``). The job is created claimed
    by that run — running, with its token and a heartbeat — so neither Celery nor the loop ever takes
    it while the caller is about to start; they resume it only if the run dies (:data:`~kesu.imports.claims.STALE_AFTER`)."""
    stem, dot, ext = name.rpartition(".")
    shown = f"{stem[: 199 - len(ext)]}.{ext}" if dot and len(ext) <= 8 and len(name) > 200 else name[:200]
    job = ImportJob(  # a long name is cut in its stem: the run tells CSV from XLSX by the extension
        kind=kind, options=options or {}, started_by=actor, filename=shown, size=size, language=language[:16]
    )
    suffix = next((s for s in (".xlsx", ".json", ".csv") if name.lower().endswith(s)), ".csv")
    job.file.save(secrets.token_hex(12) + suffix, File(content), save=False)  # a key of ours, not their name
    if foreground:
        now = timezone.now()
        job.status, job.claim, job.heartbeat_at, job.started_at = JobStatus.RUNNING, secrets.token_hex(16), now, now
    job.save()
    if not foreground:
        transaction.on_commit(lambda: job_enqueue(job.pk))
    return job


def job_enqueue(job_id: int) -> None:
    """With a broker: the task now (sent by name: the run is the handling layer's). Without one (the
    embedded default) nothing: the minute loop of ``kesu serve`` runs queued jobs within seconds."""
    if not getattr(settings, "CELERY_BROKER_URL", ""):
        return
    from kesu.celery import app

    try:
        app.send_task("kesu.handling.tasks.run_import_job", args=[job_id])
    except Exception:  # the broker is down: the catch-up (Celery beat) runs it later
        log.warning("could not enqueue import job %s; the catch-up will", job_id)


def job_claim(job_id: int) -> ImportJob | None:
    """Take a queued job, or a running one whose run died, for this run; None when another run has it
    or it is finished. A conditional update, so two runs never both win. Taking over from a run that
    died counts as one of the job's failed attempts."""
    if claims.claim(ImportJob.objects.filter(pk=job_id), taken_over={"attempts": F("attempts") + 1}) is None:
        return None
    job = ImportJob.objects.get(pk=job_id)
    if job.started_at is None:
        job.started_at = job.heartbeat_at
        job.save(update_fields=["started_at"])
    return job


def job_note_failure(job: ImportJob) -> int:
    """Count a run that broke on something other than the file; returns the job's failed attempts."""
    ImportJob.objects.filter(pk=job.pk).update(attempts=F("attempts") + 1)
    job.refresh_from_db(fields=["attempts"])
    return job.attempts


def pending_job_ids(*, limit: int = 10) -> list[int]:
    """Jobs waiting for a run: queued, or running with a dead run (oldest first)."""
    return list(claims.waiting(ImportJob.objects).order_by("created_at", "id").values_list("pk", flat=True)[:limit])


def _owned(job: ImportJob):
    return claims.owned(ImportJob.objects.filter(pk=job.pk), job.claim)


def job_set_total(job: ImportJob, total: int) -> None:
    if not _owned(job).update(rows_total=total, heartbeat_at=timezone.now()):
        raise ClaimLost()
    job.rows_total = total


def job_release(job: ImportJob) -> None:
    """Give the job back to the queue (its time slice is over); what it did stays done."""
    _owned(job).update(status=JobStatus.QUEUED, claim="")


def done_numbers(job: ImportJob) -> set[int]:
    return set(job.rows.values_list("number", flat=True))


def row_record(
    job: ImportJob,
    *,
    number: int,
    outcome: RowOutcome,
    reference: str = "",
    complaint_id: int | None = None,
    messages: list[str] | None = None,
) -> ImportRow:
    """Record one row's outcome and move the job's counters, inside the caller's transaction (the one
    that made the complaint): both are written or neither. Raises :class:`ClaimLost` if another run
    has taken the job over, which rolls the caller's transaction back."""
    counter = {RowOutcome.CREATED: "created", RowOutcome.SKIPPED: "skipped", RowOutcome.REJECTED: "rejected"}[outcome]
    if not _owned(job).update(rows_done=F("rows_done") + 1, heartbeat_at=timezone.now(), **{counter: F(counter) + 1}):
        raise ClaimLost()
    return ImportRow.objects.create(
        job=job, number=number, outcome=outcome, reference=reference, complaint_id=complaint_id,
        messages=list(messages or []),
    )


def row_record_once(job: ImportJob, *, number: int, outcome: RowOutcome, **fields: Any) -> None:
    """:func:`row_record` in its own transaction, for a row that wrote nothing else (rejected, skipped);
    a row a run thought dead has recorded meanwhile stays as that run left it."""
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            row_record(job, number=number, outcome=outcome, **fields)
    except IntegrityError:
        pass


def _discard_file(job: ImportJob) -> None:
    if job.file:
        name = job.file.name
        ImportJob.objects.filter(pk=job.pk).update(file="")
        transaction.on_commit(lambda: job.file.storage.delete(name))


def job_finish(job: ImportJob) -> None:
    if not _owned(job).update(status=JobStatus.DONE, finished_at=timezone.now(), claim=""):
        raise ClaimLost()
    _discard_file(job)


def job_fail(job: ImportJob, *, code: str, message: str) -> None:
    """The file as a whole was refused (or the run broke): nothing of it is imported from here on."""
    ImportJob.objects.filter(pk=job.pk).exclude(status=JobStatus.DONE).update(
        status=JobStatus.FAILED, error_code=code[:40], error=message, finished_at=timezone.now(), claim=""
    )
    _discard_file(job)


def report_dict(job: ImportJob, rows: Any) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "filename": job.filename,
        "rows_total": job.rows_total,
        "rows_done": job.rows_done,
        "created": job.created,
        "skipped": job.skipped,
        "rejected": job.rejected,
        "error_code": job.error_code,
        "error": job.error,
        "rows": [
            {"row": r.number, "outcome": r.outcome, "reference": r.reference, "messages": r.messages} for r in rows
        ],
    }

from __future__ import annotations

from celery import shared_task

from kesu.handling.sweep import sweep


@shared_task(acks_late=True)
def sweep_sla() -> dict:
    """The periodic SLA sweep (Celery beat, every minute by default). Safe to overlap."""
    return sweep().as_dict()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, ignore_result=True)
def refine_analysis(complaint_id: int | None = None, message_id: int | None = None) -> bool:
    """The semantic tier for one complaint or message, after intake. Safe to run twice: the mark is
    re-read under the row lock. Nobody waits for its result (what it refines is in the database), so
    none is stored: otherwise each send from a web process would subscribe that process to the task's
    result channel on the result backend (a round trip per intake, and replies nobody reads piling up
    on a subscription that is never read), and each worker run would write the result."""
    from kesu.handling.analysis import refine_complaint, refine_message

    if complaint_id is not None:
        return refine_complaint(complaint_id) is not None
    if message_id is not None:
        return refine_message(message_id) is not None
    return False


@shared_task(acks_late=True)
def refine_pending_analyses() -> int:
    """The catch-up (Celery beat, every minute): whatever a lost task left marked."""
    from kesu.handling.analysis import refine_pending

    return refine_pending(limit=200)


@shared_task(acks_late=True)
def poll_mailbox() -> dict:
    """Fetch the desk's new mail (KESU_IMAP_HOST) and handle what is stored (Celery beat, every
    minute). Safe to overlap: each mail is stored once and handled once."""
    from kesu.handling.inbound import handle_pending
    from kesu.mailbox.imap import fetch_new

    fetched = fetch_new().as_dict()
    return {**fetched, **handle_pending().as_dict()}


@shared_task(acks_late=True)
def run_import_job(job_id: int) -> str | None:
    """Run (or resume) one bulk-import job. Safe to run twice: a second run finds the job claimed
    or finished and does nothing."""
    from kesu.handling.importer import run_import

    job = run_import(job_id)
    return job.status if job is not None else None


@shared_task(acks_late=True)
def run_pending_imports() -> int:
    """The catch-up (Celery beat, every minute): jobs whose task was lost or whose worker died."""
    from kesu.handling.importer import run_pending_imports as run_pending

    return run_pending()

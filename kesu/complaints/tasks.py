"""Background work. Tasks take ids, are safe to run twice, and declare their retries."""

from __future__ import annotations

from celery import shared_task

from kesu.complaints import services


@shared_task(bind=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5, acks_late=True)
def reanalyse_complaint(self, complaint_id: int) -> dict:
    """Run the analysis engine again over a complaint and its customer messages (e.g. after
    the lexicons or models were updated) and store the result. Idempotent."""
    return services.complaint_reanalyse(complaint_id=complaint_id)

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from kesu.metrics.periods import add_months


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def refresh_kpi_months(months_back: int = 13) -> int:
    """Summarise the last ``months_back`` complete months (nightly; safe to run twice)."""
    from kesu.metrics.services import refresh_kpi_months as refresh

    this_month = timezone.localdate().replace(day=1)
    return refresh(months=[add_months(this_month, -i) for i in range(1, months_back + 1)])


@shared_task(acks_late=True)
def run_export_job(job_id: int) -> str | None:
    """Write one XLSX export in the background. Safe to run twice: a run claims the job first."""
    from kesu.metrics.export_jobs import export_run

    job = export_run(job_id)
    return job.status if job is not None else None


@shared_task(acks_late=True)
def run_pending_exports() -> int:
    """The catch-up (Celery beat, every minute): exports whose task was lost or whose worker died."""
    from kesu.metrics.export_jobs import run_pending_exports as run_pending

    return run_pending()

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from kesu.metrics.periods import add_months


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def refresh_journey_months(months_back: int = 13) -> int:
    """Summarise the journey map of the last ``months_back`` complete months (nightly; safe to run
    twice). Follow-ups and effective replies arrive after a month ends, so recent months are redone."""
    from kesu.reviews.services import refresh_journey_months as refresh

    this_month = timezone.localdate().replace(day=1)
    return refresh(months=[add_months(this_month, -i) for i in range(1, months_back + 1)])

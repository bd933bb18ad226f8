from __future__ import annotations

from celery import shared_task


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def draw_samples(month: str | None = None) -> int:
    """Draw every active sampling plan for ``month`` (YYYY-MM; by default the month just ended, run on
    the 1st by Celery beat). Safe to run twice: a second draw adds nothing new."""
    from kesu.qa.models import SamplingPlan
    from kesu.qa.selectors import add_months, parse_month
    from kesu.qa.services import sample_draw

    target = parse_month(month) if month else add_months(parse_month(None), -1)
    return sum(
        sample_draw(plan=plan, month=target).picked for plan in SamplingPlan.objects.filter(active=True)
    )

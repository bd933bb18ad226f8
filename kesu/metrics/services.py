"""The one write of the metrics: the nightly monthly summary (:class:`KpiMonth`) that the trend
of past months reads instead of counting them again."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from kesu.metrics.models import KpiMonth, KpiMonthRun
from kesu.metrics.periods import Period
from kesu.metrics.permissions import Scope
from kesu.metrics.selectors import live_buckets, month_key, reporting_session


def refresh_kpi_months(*, months: list[date], now: datetime | None = None) -> int:
    """(Re)compute the :class:`KpiMonth` summary of past months, all teams and tiers, in one
    transaction; returns the rows written. The current month is never summarised."""
    now = now or timezone.now()
    current = month_key(now)
    months = sorted({m.replace(day=1) for m in months if m.replace(day=1) < current})
    if not months:
        return 0
    start, end = (
        Period.month(months[0].year, months[0].month).start,
        Period.month(months[-1].year, months[-1].month).end,
    )
    with transaction.atomic(), reporting_session():
        buckets = live_buckets(start, end, Scope(), now, by_month=True, split=True)
        rows = [
            KpiMonth(
                month=month,
                team_id=team,
                tier_id=tier,
                follow_ups={
                    result: n for results in bucket.follow_ups.values() for result, n in results.items()
                },
                **bucket.counts,
            )
            for (month, team, tier), bucket in buckets.items()
            if month in months
        ]
        KpiMonth.objects.filter(month__in=months).delete()
        KpiMonth.objects.bulk_create(rows, batch_size=1000)
        for month in months:
            KpiMonthRun.objects.update_or_create(month=month, defaults={"computed_at": now})
    return len(rows)

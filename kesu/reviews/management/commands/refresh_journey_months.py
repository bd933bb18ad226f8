"""Summarise past months of the journey map (``TouchpointMonth``): the last 13 complete months,
or ``--from 2025-01 --to 2025-12``. The journey map counts anything not summarised live."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand

from kesu.metrics.periods import add_months
from kesu.reviews.services import refresh_journey_months


def _month(value: str) -> date:
    year, month = (int(part) for part in value.split("-")[:2])
    return date(year, month, 1)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="first", type=_month)
        parser.add_argument("--to", dest="last", type=_month)

    def handle(self, *args: Any, first: date | None, last: date | None, **options: Any) -> None:
        from django.utils import timezone

        this_month = timezone.localdate().replace(day=1)
        last = last or add_months(this_month, -1)
        first = first or add_months(last, -12)
        months, month = [], first
        while month <= last:
            months.append(month)
            month = add_months(month, 1)
        rows = refresh_journey_months(months=months)
        self.stdout.write(f"{len(months)} months summarised, {rows} rows")

"""Recompute the running item sums of the QA roll-up (``ItemMonth``) from the item results — all
months, or ``--month 2026-11``. The sums are kept as inspections complete; this is the repair."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kesu.qa.selectors import parse_month
from kesu.qa.services import rebuild_item_months


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--month", action="append", help="YYYY-MM (repeatable; default: all months)")

    def handle(self, *args: Any, month: list[str] | None, **options: Any) -> None:
        rows = rebuild_item_months(months=[parse_month(m) for m in month] if month else None)
        self.stdout.write(f"{rows} item sums")

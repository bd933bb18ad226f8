"""Draw the active sampling plans for a month (``--month 2026-11``; by default the month just ended)
and print how many inspections each holds. The same draw again adds only what is new."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kesu.qa.models import SamplingPlan
from kesu.qa.selectors import add_months, parse_month
from kesu.qa.services import sample_draw


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--month", help="YYYY-MM")
        parser.add_argument("--plan", type=int, help="one plan's id (default: every active plan)")

    def handle(self, *args: Any, month: str | None, plan: int | None, **options: Any) -> None:
        target = parse_month(month) if month else add_months(parse_month(None), -1)
        plans = SamplingPlan.objects.filter(active=True)
        if plan:
            plans = plans.filter(pk=plan)
        for sampling in plans:
            draw = sample_draw(plan=sampling, month=target)
            self.stdout.write(
                f"{sampling.name} {target:%Y-%m}: {draw.picked} inspections of {draw.candidates} closed complaints"
            )

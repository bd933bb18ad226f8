"""Import customers served per month from CSV: ``month,tier,count`` (``2026-11,vip,12000``; an
empty tier is all customers). A row for a month and tier that exists replaces its count."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kesu.customers.models import Tier
from kesu.metrics.models import CustomersServed


def import_rows(rows: list[dict[str, str]]) -> int:
    tiers = {tier.code: tier for tier in Tier.objects.all()}
    with transaction.atomic():
        for line, row in enumerate(rows, start=2):
            try:
                year, month = (int(part) for part in (row.get("month") or "").strip()[:7].split("-"))
                count = int((row.get("count") or "").strip())
                if count < 0:
                    raise ValueError
                first = date(year, month, 1)
            except ValueError:
                raise CommandError(
                    f"line {line}: month must be YYYY-MM and count a whole number ≥ 0"
                ) from None
            code = (row.get("tier") or "").strip()
            if code and code not in tiers:
                raise CommandError(f"line {line}: unknown tier {code!r}")
            CustomersServed.objects.update_or_create(
                month=first, tier=tiers.get(code), defaults={"count": count}
            )
    return len(rows)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        count = import_rows(rows)
        self.stdout.write(f"{count} rows imported")

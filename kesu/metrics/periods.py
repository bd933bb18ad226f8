"""The period and scope a dashboard is asked for, parsed from a query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.complaints.errors import ComplaintError, ErrorCode

MAX_DAYS = 3 * 366
#: Figures are asked for within these years; a month of year 1 or 9999 is no question (and its
#: neighbours, the comparison periods, do not exist).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """[first_day, last_day] in the local time zone; ``start``/``end`` are the instants
    [start, end) the queries use."""

    first_day: date
    last_day: date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = date(year, month, 1)
        return cls(first, add_months(first, 1) - timedelta(days=1))

    @property
    def start(self) -> datetime:
        return _local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        return _local_midnight(self.last_day + timedelta(days=1))

    @property
    def whole_months(self) -> bool:
        return self.first_day.day == 1 and (self.last_day + timedelta(days=1)).day == 1

    def months(self) -> list[date]:
        """First days of the months the period touches."""
        months, month = [], self.first_day.replace(day=1)
        while month <= self.last_day:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def label(self) -> str:
        if self.whole_months and len(self.months()) == 1:
            return f"{self.first_day:%Y-%m}"
        return f"{self.first_day:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"

    def as_query(self) -> dict[str, str]:
        if self.whole_months and len(self.months()) == 1:
            return {"month": f"{self.first_day:%Y-%m}"}
        return {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}


def parse_period(params: dict[str, str], *, today: date | None = None) -> Period:
    """``month=2026-11``, or ``from=2026-01-01&to=2026-12-31`` (inclusive); default: this month."""
    today = today or timezone.localdate()
    month, start, end = params.get("month", ""), params.get("from", ""), params.get("to", "")
    try:
        if start or end:
            first = date.fromisoformat(start) if start else today.replace(day=1)
            last = date.fromisoformat(end) if end else today
            if last < first:
                raise ValueError
            if (last - first).days > MAX_DAYS:
                raise ComplaintError(ErrorCode.PERIOD_TOO_LONG, _("Choose a period of at most three years."))
            return _bounded(Period(first, last))
        if month:
            year, number = (int(part) for part in month.split("-"))
            return _bounded(Period.month(year, number))
    except (ValueError, TypeError, OverflowError):
        raise ComplaintError(
            ErrorCode.INVALID_PERIOD, _("Choose a month (2026-11) or a date range.")
        ) from None
    return Period.month(today.year, today.month)


def _bounded(period: Period) -> Period:
    if period.first_day < FIRST_DAY or period.last_day > LAST_DAY:
        raise ComplaintError(ErrorCode.INVALID_PERIOD, _("Choose a period between 2000 and 2099."))
    return period

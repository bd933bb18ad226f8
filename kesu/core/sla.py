"""Service-level arithmetic (SPEC §7): deadlines, pauses and business calendars.

Two clocks run on every complaint, both from the moment it is received:

* the **first-reply clock** 首次回复时限 stops at the first reply that tells the customer the
  solution or the progress so far (default 48 h for every tier);
* the **effective-reply clock** 有效回复时限 stops when the cause is found and an effective
  solution is formed (default VIP 8 h, high tier 24 h, standard 48 h).

A clock counts *working time*. With no calendar every second counts (24×7). With a
:class:`BusinessCalendar` only the working periods of working days count, in the calendar's
time zone: weekday hours (possibly several periods a day, e.g. around a lunch break), minus
holidays, plus make-up workdays 调休 (weekend days declared working days). Time outside the
working periods does not run: a complaint received on Friday evening starts its clock on Monday
morning.

A clock also stops while the complaint waits for the customer (a :class:`Pause`) and runs again
when the wait ends; an open pause runs until now. The **deadline** is the earliest instant at
which the working time elapsed outside pauses reaches the target, given the pauses known so far
(so an open pause pushes the deadline out while it lasts). It is never before receipt.

Each clock is in one state (:class:`ClockStatus`): on track; at risk once a share of the target
is used (default 75 %); breached once the deadline has passed; met or met late once the event
that stops it has happened, on or before / after the deadline.

Durations are :class:`datetime.timedelta` (exact to the microsecond, so pausing and resuming
never gains or loses time to rounding). Instants must be timezone-aware; results come back in
the time zone of the instant they were derived from. The time is always passed in: nothing
here reads the clock.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_AT_RISK_RATIO = 0.75

_MINUTES_PER_DAY = 24 * 60
_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --- business calendars -------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    """A working period of a day in local wall-clock time, ``start`` to ``end`` in minutes after
    midnight; ``end`` may be 1440 (24:00) so a period can run to the end of the day."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= _MINUTES_PER_DAY:
            raise ValueError(f"a working period must satisfy 00:00 <= start < end <= 24:00, got {self}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """``"09:00-18:00"`` → ``Period(540, 1080)``; ``"24:00"`` is allowed as an end."""
        try:
            start, end = (part.strip() for part in text.split("-"))
            return cls(_parse_minutes(start), _parse_minutes(end))
        except ValueError as error:
            raise ValueError(f"not a working period like '09:00-18:00': {text!r} ({error})") from None

    def __str__(self) -> str:
        return f"{self.start // 60:02d}:{self.start % 60:02d}-{self.end // 60:02d}:{self.end % 60:02d}"

    @property
    def length(self) -> timedelta:
        """The period's length on the wall clock (a DST change within it makes the real one differ)."""
        return timedelta(minutes=self.end - self.start)


def _parse_minutes(text: str) -> int:
    hours, minutes = text.split(":")
    if len(minutes) != 2 or not 0 <= int(minutes) < 60:
        raise ValueError(f"bad time {text!r}")
    return int(hours) * 60 + int(minutes)


def _periods(texts: Iterable[str]) -> tuple[Period, ...]:
    return tuple(Period.parse(text) for text in texts)


OFFICE_HOURS: tuple[Period, ...] = _periods(["09:00-18:00"])
ALL_DAY: tuple[Period, ...] = (Period(0, _MINUTES_PER_DAY),)


@dataclass(frozen=True)
class BusinessCalendar:
    """When a service-level clock runs: working periods per weekday, holidays, make-up workdays.

    ``week`` holds seven tuples of periods, Monday first; an empty tuple is a day off. A date
    in ``holidays`` is off whatever its weekday. A date in ``makeup_workdays`` (调休) is a
    working day: it keeps its weekday's periods when that weekday has any, otherwise it uses
    ``makeup_periods`` (by default the periods of the first working weekday, usually Monday).
    Dates are local dates in ``timezone``. Store it with :meth:`to_dict` / :meth:`from_dict`.

    Wall-clock times are turned into instants with the zone's rules, so a day on which the
    clocks change has an hour more or less of work if its periods span the change; a period
    boundary that falls in a skipped hour starts or ends at the moment the clocks jump.
    """

    timezone: str = DEFAULT_TIMEZONE
    week: tuple[tuple[Period, ...], ...] = (OFFICE_HOURS,) * 5 + ((), ())
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    makeup_periods: tuple[Period, ...] = ()

    def __post_init__(self) -> None:
        # Accept lists and sets from callers, keep the value hashable and immutable.
        object.__setattr__(self, "week", tuple(_sorted_periods(day) for day in self.week))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "makeup_workdays", frozenset(self.makeup_workdays))
        object.__setattr__(self, "makeup_periods", _sorted_periods(self.makeup_periods))
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        if len(self.week) != 7:
            raise ValueError("a week has seven days of working periods, Monday first")
        if not any(self.week):
            raise ValueError("a business calendar needs working periods on at least one weekday")
        both = self.holidays & self.makeup_workdays
        if both:
            raise ValueError(f"dates cannot be both holidays and make-up workdays: {sorted(both)}")

    # -- constructors and storage --

    @classmethod
    def always_open(cls, timezone: str = DEFAULT_TIMEZONE) -> BusinessCalendar:
        """The 24×7 calendar: every second counts."""
        return cls(timezone=timezone, week=(ALL_DAY,) * 7)

    @classmethod
    def office_hours(
        cls,
        *periods: str,
        weekdays: Iterable[int] = range(5),
        timezone: str = DEFAULT_TIMEZONE,
        holidays: Iterable[date] = (),
        makeup_workdays: Iterable[date] = (),
    ) -> BusinessCalendar:
        """The same periods (default 09:00-18:00) on the given weekdays (0 = Monday)."""
        day = _periods(periods) if periods else OFFICE_HOURS
        working = set(weekdays)
        return cls(
            timezone=timezone,
            week=tuple(day if weekday in working else () for weekday in range(7)),
            holidays=frozenset(holidays),
            makeup_workdays=frozenset(makeup_workdays),
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """Read the JSON form written by :meth:`to_dict`; a missing weekday is a day off."""
        unknown = set(data) - {"timezone", "week", "holidays", "makeup_workdays", "makeup_periods"}
        if unknown:
            raise ValueError(f"unknown business calendar keys: {sorted(unknown)}")
        week = data.get("week", {})
        unknown_days = set(week) - set(_WEEKDAY_KEYS)
        if unknown_days:
            raise ValueError(f"unknown weekdays: {sorted(unknown_days)} (use {', '.join(_WEEKDAY_KEYS)})")
        return cls(
            timezone=data.get("timezone", DEFAULT_TIMEZONE),
            week=tuple(_periods(week.get(key, ())) for key in _WEEKDAY_KEYS),
            holidays=frozenset(date.fromisoformat(text) for text in data.get("holidays", ())),
            makeup_workdays=frozenset(date.fromisoformat(text) for text in data.get("makeup_workdays", ())),
            makeup_periods=_periods(data.get("makeup_periods", ())),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``{"timezone", "week": {"mon": ["09:00-18:00"], ...}, "holidays":
        ["2026-10-01", ...], "makeup_workdays": [...], "makeup_periods": [...]}``."""
        return {
            "timezone": self.timezone,
            "week": {key: [str(p) for p in day] for key, day in zip(_WEEKDAY_KEYS, self.week, strict=True)},
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "makeup_workdays": [d.isoformat() for d in sorted(self.makeup_workdays)],
            "makeup_periods": [str(p) for p in self.makeup_periods],
        }

    # -- what a day looks like --

    def periods_on(self, day: date) -> tuple[Period, ...]:
        """The working periods of a local date, holidays and make-up workdays applied."""
        if day in self.holidays:
            return ()
        periods = self.week[day.weekday()]
        if day in self.makeup_workdays and not periods:
            return self.makeup_periods or next(p for p in self.week if p)
        return periods

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (zero when ``end`` is not after ``start``).

        Costs O(weeks + holidays in the span): whole weeks in the middle are counted from the
        weekly totals, then corrected for holidays, make-up workdays and clock changes.
        """
        start, end = _utc(start), _utc(end)
        if end <= start:
            return _ZERO
        if self._is_always_open:
            return end - start
        first, last = self._local_date(start), self._local_date(end)
        # The two days at each end are clipped to [start, end]; this margin of one day keeps
        # the count right when a clock change moves an instant's local date off its day.
        if (last - first).days <= 3:
            return sum((self._clipped(day, start, end) for day in _dates(first, last + _DAY)), _ZERO)
        edges = [first, first + _DAY, last - _DAY, last]
        clipped = sum((self._clipped(day, start, end) for day in edges), _ZERO)
        return clipped + self._whole_days(first + 2 * _DAY, last - _DAY)

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant at which ``duration`` of working time has run after ``start``.

        Outside working hours nothing runs, so a positive duration counted from Saturday
        begins on Monday morning. Zero returns ``start``.
        """
        if duration < _ZERO:
            raise ValueError("working time to add must not be negative")
        zone = start.tzinfo
        begin = _utc(start)
        if duration == _ZERO:
            return start
        if self._is_always_open:
            return (begin + duration).astimezone(zone)
        remaining = duration
        day = self._local_date(begin)
        for margin_day in (day, day + _DAY):  # same one-day margin as working_time_between
            for period_start, period_end in self._intervals(margin_day):
                period_start = max(period_start, begin)
                if period_end <= period_start:
                    continue
                if remaining <= period_end - period_start:
                    return (period_start + remaining).astimezone(zone)
                remaining -= period_end - period_start
        day += 2 * _DAY
        while (week := self._whole_days(day, day + _WEEK)) < remaining:
            remaining -= week
            day += _WEEK
        while True:
            for period_start, period_end in self._intervals(day):
                if remaining <= period_end - period_start:
                    return (period_start + remaining).astimezone(zone)
                remaining -= period_end - period_start
            day += _DAY

    # -- internals --

    @cached_property
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _is_always_open(self) -> bool:
        return all(day == ALL_DAY for day in self.week) and not self.holidays

    @cached_property
    def _weekday_lengths(self) -> tuple[timedelta, ...]:
        return tuple(_wall_length(day) for day in self.week)

    @cached_property
    def _sorted_holidays(self) -> tuple[date, ...]:
        return tuple(sorted(self.holidays))

    @cached_property
    def _sorted_makeup_workdays(self) -> tuple[date, ...]:
        return tuple(sorted(self.makeup_workdays))

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self._zone).date()

    def _instant(self, day: date, minute: int) -> datetime:
        """The UTC instant at which the local clock first shows ``minute`` on ``day``.

        An ambiguous wall time (clocks set back) is its first occurrence; a skipped one
        (clocks set forward) is the moment of the jump, so the mapping never goes backwards.
        """
        wall = datetime.combine(day, time()) + timedelta(minutes=minute)
        first = wall.replace(tzinfo=self._zone).astimezone(UTC)
        if first.astimezone(self._zone).replace(tzinfo=None) == wall:
            return first
        # Skipped: the jump lies between the two readings of the wall time. Bisect to the
        # second (zones change their offset on whole seconds).
        low = int(wall.replace(tzinfo=self._zone, fold=1).timestamp())
        high = int(first.timestamp())
        before = datetime.fromtimestamp(low, self._zone).utcoffset()
        while high - low > 1:
            middle = (low + high) // 2
            if datetime.fromtimestamp(middle, self._zone).utcoffset() == before:
                low = middle
            else:
                high = middle
        return datetime.fromtimestamp(high, UTC)

    def _intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of ``day`` as UTC instants, in order, empty ones dropped."""
        spans = ((self._instant(day, p.start), self._instant(day, p.end)) for p in self.periods_on(day))
        return [(start, end) for start, end in spans if end > start]

    def _clipped(self, day: date, start: datetime, end: datetime) -> timedelta:
        total = _ZERO
        for period_start, period_end in self._intervals(day):
            period_start, period_end = max(period_start, start), min(period_end, end)
            if period_end > period_start:
                total += period_end - period_start
        return total

    def _whole_days(self, first: date, stop: date) -> timedelta:
        """Working time of the whole local days ``first`` ≤ day < ``stop``."""
        days = (stop - first).days
        if days <= 0:
            return _ZERO
        weeks, rest = divmod(days, 7)
        lengths = self._weekday_lengths
        total = weeks * sum(lengths, _ZERO)
        total += sum((lengths[(first.weekday() + i) % 7] for i in range(rest)), _ZERO)
        for holiday in _between(self._sorted_holidays, first, stop):
            total -= lengths[holiday.weekday()]
        for makeup in _between(self._sorted_makeup_workdays, first, stop):
            total += _wall_length(self.periods_on(makeup)) - lengths[makeup.weekday()]
        return total + self._clock_change_correction(first, stop)

    def _clock_change_correction(self, first: date, stop: date) -> timedelta:
        """Real minus wall-clock working time over days on which the zone's offset changes.

        The offset is sampled once a week and the days of a week are looked at only when it
        differs at the two ends (zones change their offset at most once a week).
        """
        correction = _ZERO
        week_start = first
        while week_start < stop:
            week_stop = min(week_start + _WEEK, stop)
            if self._offset_at_midnight(week_start) != self._offset_at_midnight(week_stop):
                for day in _dates(week_start, week_stop):
                    if self._offset_at_midnight(day) != self._offset_at_midnight(day + _DAY):
                        real = sum((end - start for start, end in self._intervals(day)), _ZERO)
                        correction += real - _wall_length(self.periods_on(day))
            week_start = week_stop
        return correction

    def _offset_at_midnight(self, day: date) -> timedelta | None:
        return datetime.combine(day, time(), tzinfo=self._zone).utcoffset()


def _sorted_periods(periods: Iterable[Period]) -> tuple[Period, ...]:
    ordered = tuple(sorted(periods))
    for before, after in pairwise(ordered):
        if after.start < before.end:
            raise ValueError(f"working periods overlap: {before} and {after}")
    return ordered


def _wall_length(periods: Iterable[Period]) -> timedelta:
    return sum((p.length for p in periods), _ZERO)


def _dates(first: date, stop: date) -> Iterable[date]:
    return (first + timedelta(days=i) for i in range((stop - first).days))


def _between(ordered: Sequence[date], first: date, stop: date) -> Sequence[date]:
    return ordered[bisect.bisect_left(ordered, first) : bisect.bisect_left(ordered, stop)]


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instants must be timezone-aware, got {instant!r}")
    return instant.astimezone(UTC)


#: The clock of a complaint with no business calendar.
TWENTY_FOUR_SEVEN = BusinessCalendar.always_open("UTC")


# --- pauses, elapsed time and deadlines ---------------------------------------------------------


@dataclass(frozen=True)
class Pause:
    """The clock stood still from ``start`` until ``end`` (waiting for the customer); an open
    pause (``end`` is ``None``) lasts until now."""

    start: datetime
    end: datetime | None = None

    def covers(self, instant: datetime) -> bool:
        instant = _utc(instant)
        return _utc(self.start) <= instant and (self.end is None or instant < _utc(self.end))


def _running_spans(
    received: datetime, now: datetime, pauses: Iterable[Pause]
) -> list[tuple[datetime, datetime]]:
    """The spans between ``received`` and ``now`` outside every pause, in order.

    Pauses may overlap, come unsorted, start before receipt or reach past now; an open pause
    runs until now.
    """
    received, now = _utc(received), _utc(now)
    if now <= received:
        return []
    stopped = sorted(
        (max(_utc(p.start), received), now if p.end is None else min(_utc(p.end), now)) for p in pauses
    )
    spans: list[tuple[datetime, datetime]] = []
    cursor = received
    for pause_start, pause_end in stopped:
        if pause_end <= pause_start:
            continue
        if pause_start > cursor:
            spans.append((cursor, pause_start))
        cursor = max(cursor, pause_end)
    if cursor < now:
        spans.append((cursor, now))
    return spans


def elapsed(
    *,
    received: datetime,
    now: datetime,
    pauses: Iterable[Pause] = (),
    calendar: BusinessCalendar | None = None,
) -> timedelta:
    """Working time the clock has run from ``received`` to ``now``, pauses left out."""
    calendar = calendar or TWENTY_FOUR_SEVEN
    spans = _running_spans(received, now, pauses)
    return sum((calendar.working_time_between(start, end) for start, end in spans), _ZERO)


def deadline(
    *,
    received: datetime,
    target: timedelta,
    now: datetime,
    pauses: Iterable[Pause] = (),
    calendar: BusinessCalendar | None = None,
) -> datetime:
    """The earliest instant at which the clock, started at ``received``, has run ``target``.

    Pauses up to ``now`` are taken into account; after ``now`` the clock is assumed to run
    (an open pause is assumed to end now, so it pushes the deadline out as it lasts). The
    result may be in the past (the target was reached before now) and is never before
    ``received``.
    """
    if target < _ZERO:
        raise ValueError("a target must not be negative")
    if target == _ZERO:
        return received
    calendar = calendar or TWENTY_FOUR_SEVEN
    zone = received.tzinfo
    remaining = target
    for start, end in _running_spans(received, now, pauses):
        ran = calendar.working_time_between(start, end)
        if remaining <= ran:
            return calendar.add_working_time(start, remaining).astimezone(zone)
        remaining -= ran
    resume = max(_utc(now), _utc(received))
    return calendar.add_working_time(resume, remaining).astimezone(zone)


class ClockStatus(StrEnum):
    ON_TRACK = "on_track"  # 正常
    AT_RISK = "at_risk"  # 即将超时(预警)
    BREACHED = "breached"  # 已超时
    MET = "met"  # 按时完成
    MET_LATE = "met_late"  # 超时完成


@dataclass(frozen=True)
class ClockState:
    """Where one service-level clock of one complaint stands at an instant."""

    status: ClockStatus
    deadline: datetime
    #: When the clock turns "at risk" (the at-risk share of the target used), for reminders.
    at_risk_at: datetime
    target: timedelta
    elapsed: timedelta
    #: ``target - elapsed``: negative once overdue.
    remaining: timedelta
    #: ``elapsed / target``: above 1 once overdue.
    ratio_used: float
    #: The clock stands still now (an open pause covers the instant); never for a stopped clock.
    paused: bool

    @property
    def elapsed_seconds(self) -> float:
        return self.elapsed.total_seconds()

    @property
    def remaining_seconds(self) -> float:
        return self.remaining.total_seconds()


def clock_state(
    *,
    received: datetime,
    target: timedelta,
    now: datetime,
    pauses: Sequence[Pause] = (),
    calendar: BusinessCalendar | None = None,
    stopped_at: datetime | None = None,
    at_risk_ratio: float = DEFAULT_AT_RISK_RATIO,
) -> ClockState:
    """The state of a clock at ``now``, or at ``stopped_at`` once the stop event has happened
    (the first reply for the first-reply clock, the effective solution for the other)."""
    if target <= _ZERO:
        raise ValueError("a service-level target must be positive")
    at = now if stopped_at is None else stopped_at
    used = elapsed(received=received, now=at, pauses=pauses, calendar=calendar)
    due = deadline(received=received, target=target, now=at, pauses=pauses, calendar=calendar)
    risky = deadline(
        received=received, target=target * at_risk_ratio, now=at, pauses=pauses, calendar=calendar
    )
    ratio = used / target
    if stopped_at is not None:
        status = ClockStatus.MET if _utc(stopped_at) <= _utc(due) else ClockStatus.MET_LATE
    elif _utc(now) > _utc(due):
        status = ClockStatus.BREACHED
    elif ratio >= at_risk_ratio:
        status = ClockStatus.AT_RISK
    else:
        status = ClockStatus.ON_TRACK
    return ClockState(
        status=status,
        deadline=due,
        at_risk_at=risky,
        target=target,
        elapsed=used,
        remaining=target - used,
        ratio_used=ratio,
        paused=stopped_at is None and any(p.covers(now) for p in pauses),
    )


# --- policies -----------------------------------------------------------------------------------


class Clock(StrEnum):
    FIRST_REPLY = "first_reply"  # 首次回复时限: receipt → first reply with the solution or progress
    EFFECTIVE_REPLY = "effective_reply"  # 有效回复时限: receipt → cause found, effective solution formed


@dataclass(frozen=True)
class SlaPolicy:
    """The targets of one customer tier (admin-editable): hours per clock, the share of a target
    after which a clock is at risk, and the calendar (``None``: 24×7)."""

    first_reply_hours: float = 48
    effective_reply_hours: float = 48
    at_risk_ratio: float = DEFAULT_AT_RISK_RATIO
    calendar: BusinessCalendar | None = None

    def __post_init__(self) -> None:
        if self.first_reply_hours <= 0 or self.effective_reply_hours <= 0:
            raise ValueError("service-level targets must be positive")
        if not 0 < self.at_risk_ratio <= 1:
            raise ValueError("the at-risk ratio must be in (0, 1]")

    def target(self, clock: Clock) -> timedelta:
        hours = self.first_reply_hours if clock == Clock.FIRST_REPLY else self.effective_reply_hours
        return timedelta(hours=float(hours))  # float(): admins' hours may come in as Decimal

    def clock_state(
        self,
        clock: Clock,
        *,
        received: datetime,
        now: datetime,
        pauses: Sequence[Pause] = (),
        stopped_at: datetime | None = None,
    ) -> ClockState:
        """:func:`clock_state` with this policy's target, calendar and at-risk ratio."""
        return clock_state(
            received=received,
            target=self.target(clock),
            now=now,
            pauses=pauses,
            calendar=self.calendar,
            stopped_at=stopped_at,
            at_risk_ratio=self.at_risk_ratio,
        )


#: SPEC §7 defaults per customer tier code (the tier codes seeded by the customers app).
DEFAULT_POLICIES: dict[str, SlaPolicy] = {
    "vip": SlaPolicy(first_reply_hours=48, effective_reply_hours=8),
    "high": SlaPolicy(first_reply_hours=48, effective_reply_hours=24),
    "standard": SlaPolicy(first_reply_hours=48, effective_reply_hours=48),
}

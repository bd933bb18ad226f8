"""Service-level arithmetic: deadlines, pauses and business calendars (SPEC §7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kesu.core.sla import (
    DEFAULT_POLICIES,
    BusinessCalendar,
    Clock,
    ClockStatus,
    Pause,
    Period,
    SlaPolicy,
    clock_state,
    deadline,
    elapsed,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
MICROSECOND = timedelta(microseconds=1)


def utc(instant: datetime) -> datetime:
    """Compare and add in UTC: Python compares and adds two datetimes of the same zone by their
    wall-clock readings, which is wrong across a clock change."""
    return instant.astimezone(UTC)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


OFFICE = BusinessCalendar.office_hours("09:00-12:00", "13:00-18:00")  # 8 h a day with a lunch break

# National Day 2026 as an *example* of a Chinese holiday week, not an authoritative calendar
# (the State Council publishes the real one each year; admins enter it): Thu 1 – Wed 7 October
# off, Sunday 20 September and Saturday 10 October are make-up workdays 调休.
NATIONAL_DAY_2026 = BusinessCalendar.office_hours(
    "09:00-18:00",
    holidays=[date(2026, 10, day) for day in range(1, 8)],
    makeup_workdays=[date(2026, 9, 20), date(2026, 10, 10)],
)


# --- calendars: hand-computed examples ----------------------------------------------------------


def test_a_period_reads_and_writes_like_the_admin_types_it():
    assert Period.parse("09:00-18:00") == Period(540, 1080)
    assert str(Period.parse("13:30 - 24:00")) == "13:30-24:00"
    for bad in ("18:00-09:00", "09:00", "9-18", "09:60-10:00", "00:00-24:01"):
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_a_calendar_is_stored_as_json_and_read_back():
    data = NATIONAL_DAY_2026.to_dict()
    assert data["week"]["mon"] == ["09:00-18:00"] and data["week"]["sat"] == []
    assert data["holidays"][0] == "2026-10-01" and data["makeup_workdays"] == ["2026-09-20", "2026-10-10"]
    assert BusinessCalendar.from_dict(data) == NATIONAL_DAY_2026
    assert BusinessCalendar.from_dict({"week": {"sat": ["10:00-16:00"]}}).week[5] == (Period(600, 960),)


@pytest.mark.parametrize(
    "data",
    [
        {"weekdays": {}},
        {"week": {"monday": ["09:00-18:00"]}},
        {"week": {"mon": ["09:00-13:00", "12:00-18:00"]}},
        {"week": {}},
        {"timezone": "Mars/Olympus_Mons"},
        {"holidays": ["2026-10-01"], "makeup_workdays": ["2026-10-01"]},
    ],
)
def test_a_calendar_that_makes_no_sense_is_refused(data):
    with pytest.raises(ValueError):
        BusinessCalendar.from_dict(data)


def test_time_does_not_run_outside_working_hours():
    friday_evening = sh(2026, 3, 6, 17, 0)
    assert OFFICE.add_working_time(friday_evening, 8 * H) == sh(2026, 3, 9, 17, 0)  # 1 h Fri + 7 h Mon
    saturday = sh(2026, 3, 7, 11, 0)
    assert OFFICE.add_working_time(saturday, 30 * timedelta(minutes=1)) == sh(2026, 3, 9, 9, 30)
    assert OFFICE.working_time_between(saturday, sh(2026, 3, 9, 9, 0)) == timedelta(0)
    # The lunch break does not count: 11:00 → 14:00 is two working hours.
    assert OFFICE.working_time_between(sh(2026, 3, 9, 11, 0), sh(2026, 3, 9, 14, 0)) == 2 * H
    # Reaching the target at the end of a period gives that end, not the next morning.
    assert OFFICE.add_working_time(sh(2026, 3, 9, 9, 0), 8 * H) == sh(2026, 3, 9, 18, 0)


def test_a_chinese_holiday_week_with_make_up_workdays():
    cal = NATIONAL_DAY_2026
    # Received Wed 30 Sep 16:00 with an 8 h target: 2 h that day, nothing 1–7 Oct, 6 h on Thu 8 Oct.
    assert cal.add_working_time(sh(2026, 9, 30, 16, 0), 8 * H) == sh(2026, 10, 8, 15, 0)
    # Received Fri 9 Oct 17:00: 1 h Friday, then Saturday 10 Oct is a working day.
    assert cal.add_working_time(sh(2026, 10, 9, 17, 0), 8 * H) == sh(2026, 10, 10, 16, 0)
    # Received Sat 19 Sep: Sunday 20 Sep is a make-up workday.
    assert cal.add_working_time(sh(2026, 9, 19, 10, 0), 9 * H) == sh(2026, 9, 20, 18, 0)
    # Mon 28 Sep – Sun 11 Oct: Mon–Wed, Thu 8, Fri 9 and Sat 10 are working days, 9 h each.
    assert cal.working_time_between(sh(2026, 9, 28), sh(2026, 10, 12)) == 6 * 9 * H
    # The same fortnight without the holiday week has ten working days.
    plain = BusinessCalendar.office_hours("09:00-18:00")
    assert plain.working_time_between(sh(2026, 9, 28), sh(2026, 10, 12)) == 10 * 9 * H


def test_a_make_up_workday_uses_the_configured_periods_when_its_weekday_has_none():
    cal = BusinessCalendar(
        week=((Period.parse("08:00-17:00"),),) * 5 + ((), ()),
        makeup_workdays=frozenset({date(2026, 10, 10)}),
        makeup_periods=(Period.parse("10:00-12:00"),),
    )
    assert cal.periods_on(date(2026, 10, 10)) == (Period(600, 720),)
    assert cal.periods_on(date(2026, 10, 11)) == ()
    assert BusinessCalendar(week=cal.week, makeup_workdays=cal.makeup_workdays).periods_on(
        date(2026, 10, 10)
    ) == (Period(480, 1020),)


def test_clock_changes_add_or_remove_an_hour_of_work():
    # Night shift 00:00–06:00 in New York: clocks go forward on 8 March 2026, back on 1 November.
    cal = BusinessCalendar.office_hours("00:00-06:00", weekdays=range(7), timezone="America/New_York")
    day = timedelta(days=1)

    def night(d: date) -> timedelta:
        start = datetime(d.year, d.month, d.day, tzinfo=NEW_YORK)
        return cal.working_time_between(start, start + day)

    assert night(date(2026, 3, 7)) == 6 * H
    assert night(date(2026, 3, 8)) == 5 * H
    assert night(date(2026, 11, 1)) == 7 * H
    january_to_december = cal.working_time_between(
        datetime(2026, 1, 1, tzinfo=NEW_YORK), datetime(2026, 12, 31, tzinfo=NEW_YORK)
    )
    assert january_to_december == 364 * 6 * H
    # A period starting inside the skipped hour starts when the clocks jump.
    gap = BusinessCalendar.office_hours("02:30-04:00", weekdays=range(7), timezone="America/New_York")
    start = datetime(2026, 3, 8, tzinfo=NEW_YORK)
    assert gap.working_time_between(start, start + day) == H
    assert gap.add_working_time(start, 30 * timedelta(minutes=1)) == datetime(
        2026, 3, 8, 3, 30, tzinfo=NEW_YORK
    )


def test_long_spans_agree_with_counting_day_by_day():
    start, days = sh(2026, 1, 1, 10, 30), 800
    by_day = sum(
        (
            NATIONAL_DAY_2026.working_time_between(start + timedelta(days=i), start + timedelta(days=i + 1))
            for i in range(days)
        ),
        timedelta(0),
    )
    assert NATIONAL_DAY_2026.working_time_between(start, start + timedelta(days=days)) == by_day


def test_instants_must_carry_a_time_zone():
    with pytest.raises(ValueError):
        OFFICE.working_time_between(datetime(2026, 3, 9, 9), sh(2026, 3, 9, 10))
    with pytest.raises(ValueError):
        OFFICE.add_working_time(sh(2026, 3, 9, 9), -H)


# --- pauses, deadlines, states: hand-computed examples ------------------------------------------


def test_waiting_for_the_customer_stops_the_clock():
    received = sh(2026, 3, 9, 10, 0)  # Monday
    waiting = [Pause(sh(2026, 3, 9, 11, 0), sh(2026, 3, 10, 10, 0))]
    # Ran 1 h on Monday, resumed Tuesday 10:00: 8 h are reached at 17:00 on Tuesday (lunch excluded).
    due = deadline(
        received=received, target=8 * H, now=sh(2026, 3, 10, 12, 0), pauses=waiting, calendar=OFFICE
    )
    assert due == sh(2026, 3, 10, 18, 0)
    assert elapsed(received=received, now=sh(2026, 3, 10, 12, 0), pauses=waiting, calendar=OFFICE) == 3 * H
    # 24×7: 26 h from receipt to Tuesday noon, 23 h of it paused.
    assert elapsed(received=received, now=sh(2026, 3, 10, 12, 0), pauses=waiting) == 3 * H


def test_an_open_pause_pushes_the_deadline_out_while_it_lasts():
    received = sh(2026, 3, 9, 0, 0)
    waiting = [Pause(sh(2026, 3, 9, 2, 0))]
    due_at_three = deadline(received=received, target=8 * H, now=sh(2026, 3, 9, 3, 0), pauses=waiting)
    due_at_five = deadline(received=received, target=8 * H, now=sh(2026, 3, 9, 5, 0), pauses=waiting)
    assert due_at_three == sh(2026, 3, 9, 9, 0)
    assert due_at_five == sh(2026, 3, 9, 11, 0)


def test_overlapping_unsorted_and_early_pauses_count_once():
    received, now = sh(2026, 3, 9, 0, 0), sh(2026, 3, 9, 12, 0)
    pauses = [
        Pause(sh(2026, 3, 9, 6, 0), sh(2026, 3, 9, 8, 0)),
        Pause(sh(2026, 3, 8, 20, 0), sh(2026, 3, 9, 1, 0)),  # began before receipt
        Pause(sh(2026, 3, 9, 5, 0), sh(2026, 3, 9, 7, 0)),
        Pause(sh(2026, 3, 9, 11, 0), sh(2026, 3, 9, 15, 0)),  # ends after now
        Pause(sh(2026, 3, 9, 13, 0)),  # not begun yet
    ]
    # Paused 0–1, 5–8 and 11–12: 5 h of the 12, so the clock ran 7 h.
    assert elapsed(received=received, now=now, pauses=pauses) == 7 * H


def test_a_clock_is_on_track_then_at_risk_then_breached():
    received = sh(2026, 3, 9, 9, 0)
    target = 8 * H

    def status(now: datetime, **kwargs) -> ClockStatus:
        return clock_state(received=received, target=target, now=now, calendar=OFFICE, **kwargs).status

    assert status(sh(2026, 3, 9, 14, 0)) == ClockStatus.ON_TRACK  # 4 h of 8 used
    assert status(sh(2026, 3, 9, 16, 0)) == ClockStatus.AT_RISK  # 6 h = 75 %
    assert status(sh(2026, 3, 9, 18, 0)) == ClockStatus.AT_RISK  # at the deadline, not past it
    # Saturday: no working time ran since Friday 18:00, yet the deadline has passed.
    assert status(sh(2026, 3, 14, 10, 0)) == ClockStatus.BREACHED
    assert status(sh(2026, 3, 14, 10, 0), stopped_at=sh(2026, 3, 9, 17, 59)) == ClockStatus.MET
    assert status(sh(2026, 3, 14, 10, 0), stopped_at=sh(2026, 3, 9, 18, 0)) == ClockStatus.MET
    assert status(sh(2026, 3, 14, 10, 0), stopped_at=sh(2026, 3, 10, 8, 0)) == ClockStatus.MET_LATE


def test_a_clock_state_reports_the_figures_a_queue_shows():
    received = sh(2026, 3, 9, 9, 0)
    waiting = [Pause(sh(2026, 3, 9, 10, 0))]
    state = clock_state(
        received=received, target=8 * H, now=sh(2026, 3, 9, 15, 0), pauses=waiting, calendar=OFFICE
    )
    assert state.paused and state.status == ClockStatus.ON_TRACK
    assert state.elapsed == H and state.remaining == 7 * H and state.ratio_used == 0.125
    assert state.remaining_seconds == 7 * 3600 and state.elapsed_seconds == 3600
    # If the customer answered now, 7 h more: 15:00–18:00 today, 09:00–12:00 and 13:00–14:00 tomorrow.
    assert state.deadline == sh(2026, 3, 10, 14, 0)
    assert state.at_risk_at == sh(2026, 3, 10, 11, 0)  # 6 h used
    late = clock_state(received=received, target=2 * H, now=sh(2026, 3, 9, 15, 0))
    assert late.status == ClockStatus.BREACHED and late.remaining == -4 * H and late.ratio_used == 3.0


def test_default_policies_follow_the_spec():
    assert {tier: p.target(Clock.FIRST_REPLY) for tier, p in DEFAULT_POLICIES.items()} == {
        "vip": 48 * H,
        "high": 48 * H,
        "standard": 48 * H,
    }
    assert {tier: p.target(Clock.EFFECTIVE_REPLY) for tier, p in DEFAULT_POLICIES.items()} == {
        "vip": 8 * H,
        "high": 24 * H,
        "standard": 48 * H,
    }
    assert SlaPolicy(effective_reply_hours=Decimal("1.5")).target(Clock.EFFECTIVE_REPLY) == 90 * timedelta(
        minutes=1
    )
    vip = DEFAULT_POLICIES["vip"]
    state = vip.clock_state(Clock.EFFECTIVE_REPLY, received=sh(2026, 3, 9, 9, 0), now=sh(2026, 3, 9, 15, 0))
    assert state.status == ClockStatus.AT_RISK and state.deadline == sh(2026, 3, 9, 17, 0)
    for bad in ({"first_reply_hours": 0}, {"at_risk_ratio": 1.5}):
        with pytest.raises(ValueError):
            SlaPolicy(**bad)


# --- properties ---------------------------------------------------------------------------------

ZONES = ["Asia/Shanghai", "UTC", "America/New_York", "Europe/London"]
BASE = datetime(2026, 1, 1, tzinfo=UTC)
QUARTER = timedelta(minutes=15)
# Days near clock changes in New York and London, so those get exercised often.
INTERESTING = [date(2026, 3, 8), date(2026, 3, 29), date(2026, 10, 1), date(2026, 10, 25), date(2026, 11, 1)]


@st.composite
def calendars(draw) -> BusinessCalendar:
    """Random calendars with periods on whole hours, holidays and make-up days in 2026–27."""

    def day_periods():
        hours = sorted(draw(st.sets(st.integers(0, 24), max_size=4)))
        return tuple(Period(a * 60, b * 60) for a, b in zip(hours[::2], hours[1::2], strict=False))

    week = tuple(day_periods() for _ in range(7))
    assume(any(week))
    days = st.dates(date(2025, 12, 1), date(2027, 12, 31))
    holidays = draw(st.frozensets(days, max_size=12))
    makeup = draw(st.frozensets(days, max_size=4)) - holidays
    return BusinessCalendar(
        timezone=draw(st.sampled_from(ZONES)), week=week, holidays=holidays, makeup_workdays=makeup
    )


@st.composite
def instants(draw, near: datetime | None = None, within: timedelta = timedelta(days=700)) -> datetime:
    """Instants on a 15-minute grid, shown in a random zone (the arithmetic must not care)."""
    if near is None:
        near = draw(
            st.one_of(
                st.just(BASE),
                st.sampled_from(INTERESTING).map(lambda d: datetime(d.year, d.month, d.day, tzinfo=UTC)),
            )
        )
    steps = draw(st.integers(-96, within // QUARTER))
    return (near + steps * QUARTER).astimezone(ZoneInfo(draw(st.sampled_from(ZONES))))


@st.composite
def pause_lists(draw, around: datetime) -> list[Pause]:
    pauses = []
    for _ in range(draw(st.integers(0, 5))):
        start = draw(instants(near=around, within=timedelta(days=20)))
        end = None if draw(st.booleans()) and not pauses else utc(start) + draw(st.integers(0, 400)) * QUARTER
        pauses.append(Pause(start, end))
    return pauses


def oracle_working_time(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Count 15-minute steps whose local wall time lies in a working period: slow and obvious."""
    zone, total, step, end = ZoneInfo(cal.timezone), timedelta(0), utc(start), utc(end)
    while step < end:
        local = step.astimezone(zone)
        minute = local.hour * 60 + local.minute
        if any(p.start <= minute < p.end for p in cal.periods_on(local.date())):
            total += QUARTER
        step += QUARTER
    return total


def merged_paused_time(cal, received, now, pauses) -> timedelta:
    """Working time inside the union of the pauses, clipped to [received, now]."""
    received, now = utc(received), utc(now)
    spans = sorted((max(utc(p.start), received), min(utc(p.end or now), now)) for p in pauses)
    total, cursor = timedelta(0), received
    for start, end in spans:
        start = max(start, cursor)
        if end > start:
            total += cal.working_time_between(start, end)
            cursor = end
    return total


@settings(max_examples=60, deadline=None)
@given(cal=calendars(), start=instants(), days=st.integers(0, 16 * 96))
def test_working_time_matches_counting_quarter_hours(cal, start, days):
    end = utc(start) + days * QUARTER
    assert cal.working_time_between(start, end) == oracle_working_time(cal, start, end)


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), a=instants(), b=instants(), c=instants())
def test_working_time_adds_up_over_consecutive_spans(cal, a, b, c):
    a, b, c = sorted([a, b, c], key=utc)
    assert cal.working_time_between(a, c) == cal.working_time_between(a, b) + cal.working_time_between(b, c)


@settings(max_examples=150, deadline=None)
@given(cal=calendars(), start=instants(), seconds=st.integers(0, 3000 * 3600), micro=st.integers(0, 999_999))
def test_adding_working_time_then_measuring_it_gives_it_back(cal, start, seconds, micro):
    duration = timedelta(seconds=seconds, microseconds=micro)
    end = cal.add_working_time(start, duration)
    assert utc(end) >= utc(start)
    assert cal.working_time_between(start, end) == duration
    if duration:
        assert cal.working_time_between(start, utc(end) - MICROSECOND) < duration  # the earliest such instant


@settings(max_examples=150, deadline=None)
@given(data=st.data(), cal=st.one_of(st.none(), calendars()), received=instants())
def test_pausing_and_resuming_never_loses_or_double_counts_time(data, cal, received):
    now = data.draw(instants(near=received, within=timedelta(days=30)))
    pauses = data.draw(pause_lists(received))
    calendar = cal or BusinessCalendar.always_open()
    total = calendar.working_time_between(received, now)
    running = elapsed(received=received, now=now, pauses=pauses, calendar=cal)
    assert running + merged_paused_time(calendar, received, now, pauses) == total
    assert timedelta(0) <= running <= total


@settings(max_examples=150, deadline=None)
@given(data=st.data(), cal=st.one_of(st.none(), calendars()), received=instants(), hours=st.integers(0, 200))
def test_the_deadline_is_the_moment_the_target_is_reached(data, cal, received, hours):
    now = data.draw(instants(near=received, within=timedelta(days=30)))
    pauses = data.draw(pause_lists(received))
    target = hours * H
    due = deadline(received=received, target=target, now=now, pauses=pauses, calendar=cal)
    assert utc(due) >= utc(received)
    # Pauses as known at `now`: an open one ends now, later ones are not known yet.
    known = [Pause(p.start, min(utc(p.end or now), utc(now))) for p in pauses if utc(p.start) < utc(now)]
    assert elapsed(received=received, now=due, pauses=known, calendar=cal) == target
    if target:
        assert elapsed(received=received, now=utc(due) - MICROSECOND, pauses=known, calendar=cal) < target


@settings(max_examples=100, deadline=None)
@given(data=st.data(), cal=st.one_of(st.none(), calendars()), received=instants(), hours=st.integers(1, 100))
def test_elapsed_time_and_deadlines_never_go_backwards_as_time_passes(data, cal, received, hours):
    earlier = data.draw(instants(near=received, within=timedelta(days=20)))
    later = utc(earlier) + data.draw(st.integers(0, 2000)) * QUARTER
    pauses = data.draw(pause_lists(received))
    args = dict(received=received, pauses=pauses, calendar=cal)
    assert elapsed(now=earlier, **args) <= elapsed(now=later, **args)
    assert utc(deadline(target=hours * H, now=earlier, **args)) <= utc(
        deadline(target=hours * H, now=later, **args)
    )


@settings(max_examples=100, deadline=None)
@given(
    data=st.data(),
    cal=calendars(),
    received=instants(),
    hours=st.integers(1, 200),
    holiday=st.dates(date(2025, 12, 1), date(2027, 12, 31)),
)
def test_a_new_holiday_never_brings_a_deadline_forward(data, cal, received, hours, holiday):
    assume(holiday not in cal.makeup_workdays)
    now = data.draw(instants(near=received, within=timedelta(days=30)))
    pauses = data.draw(pause_lists(received))
    with_holiday = BusinessCalendar(
        timezone=cal.timezone,
        week=cal.week,
        holidays=cal.holidays | {holiday},
        makeup_workdays=cal.makeup_workdays,
    )
    args = dict(received=received, target=hours * H, now=now, pauses=pauses)
    assert utc(deadline(calendar=with_holiday, **args)) >= utc(deadline(calendar=cal, **args))


@settings(max_examples=100, deadline=None)
@given(a=instants(), b=instants(), zone=st.sampled_from(ZONES), hours=st.integers(0, 10_000))
def test_a_twenty_four_seven_clock_is_plain_subtraction(a, b, zone, hours):
    a, b = a.astimezone(UTC), b.astimezone(UTC)  # so that `-` and `+` below are not wall-clock sums
    always = BusinessCalendar.always_open(zone)
    assert always.working_time_between(a, b) == max(b - a, timedelta(0))
    assert elapsed(received=a, now=b) == max(b - a, timedelta(0))
    assert always.add_working_time(a, hours * H) == a + hours * H
    # The same week written out as periods (no shortcut) agrees, clock changes included.
    spelled_out = BusinessCalendar(timezone=zone, week=((Period(0, 720), Period(720, 1440)),) * 7)
    assert spelled_out.working_time_between(a, b) == max(b - a, timedelta(0))

"""Periods parsed from the query string; the complaints app's ratings in the KPI core's terms."""

from __future__ import annotations

from datetime import date

import pytest

from kesu.complaints.errors import ComplaintError
from kesu.complaints.models import FollowUpResult
from kesu.core import kpi
from kesu.metrics.periods import Period, parse_period
from kesu.metrics.selectors import RATING_FOR_RESULT, _ratings

TODAY = date(2026, 11, 23)


def test_a_month_a_range_and_the_default():
    assert parse_period({"month": "2026-02"}, today=TODAY) == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert parse_period({"from": "2026-01-15", "to": "2026-03-02"}, today=TODAY).months() == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert parse_period({}, today=TODAY) == Period(date(2026, 11, 1), date(2026, 11, 30))
    assert Period.month(2026, 12).end.isoformat() == "2027-01-01T00:00:00+08:00"
    assert Period(date(2026, 1, 1), date(2026, 12, 31)).whole_months
    assert not Period(date(2026, 1, 2), date(2026, 12, 31)).whole_months


@pytest.mark.parametrize(
    "params",
    [
        {"month": "2026-13"},
        {"month": "x"},
        {"from": "2026-05-01", "to": "2026-04-01"},
        {"from": "2020-01-01"},
    ],
)
def test_nonsense_periods_are_refused(params):
    with pytest.raises(ComplaintError):
        parse_period(params, today=TODAY)


def test_basically_satisfied_is_the_cores_fairly_satisfied_and_unreachable_is_not_a_rating():
    assert RATING_FOR_RESULT[FollowUpResult.BASICALLY_SATISFIED] == kpi.SatisfactionRating.FAIRLY_SATISFIED
    assert set(RATING_FOR_RESULT) == set(FollowUpResult) - {FollowUpResult.UNREACHABLE}
    ratings = _ratings([("basically_satisfied", 3), ("unreachable", 5), ("very_dissatisfied", 1)])
    assert ratings == {"fairly_satisfied": 3, "very_dissatisfied": 1}
    assert kpi.satisfaction_rate(ratings).value == pytest.approx(0.75)

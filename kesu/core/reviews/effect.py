"""Did the complaints fall after the improvement action? (SPEC §8 "their effect is measured").

The database counts (in SQL) the complaints an action's measure selects in a window before the
action was done and one after; this module turns the counts into rates, the ratio after/before and
its confidence interval, or says "not enough data yet".

- Rates over an exposure (complaints per million customers served, or per 30 days): the Poisson
  rate ratio ``RR = (b / Tb) / (a / Ta)`` with the log-normal interval
  ``exp(ln RR ± z·sqrt(1/a + 1/b))``.
- Proportions (escalation rate, satisfaction rate): the ratio of proportions
  ``RR = (b / nb) / (a / na)`` with ``exp(ln RR ± z·sqrt(1/a − 1/na + 1/b − 1/nb))``.

A zero count makes the logarithm undefined; 0.5 is then added to each count (the Haldane–Anscombe
correction), which the result reports. Below ``min_count`` observations in either window the
result has rates but no ratio: too little to tell an effect from chance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist

DEFAULT_CONFIDENCE = 0.95
DEFAULT_MIN_COUNT = 10


@dataclass(frozen=True)
class Effect:
    before: float | None  # the rate or proportion before
    after: float | None
    ratio: float | None = None  # after / before; < 1 means fewer (or, for satisfaction, lower)
    low: float | None = None
    high: float | None = None
    confidence: float = DEFAULT_CONFIDENCE
    enough: bool = False  # False: "not enough data yet"
    corrected: bool = False  # a zero count was corrected by 0.5

    @property
    def change(self) -> float | None:
        """The relative change, −0.25 for a fall by a quarter."""
        return None if self.ratio is None else self.ratio - 1

    @property
    def significant(self) -> bool:
        """The interval excludes 1: the change is unlikely to be chance alone."""
        return self.low is not None and self.high is not None and (self.high < 1 or self.low > 1)


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _interval(ratio: float, se: float, z: float) -> tuple[float, float]:
    return math.exp(math.log(ratio) - z * se), math.exp(math.log(ratio) + z * se)


def compare_rates(
    before_events: int,
    before_exposure: float,
    after_events: int,
    after_exposure: float,
    *,
    scale: float = 1.0,
    min_count: int = DEFAULT_MIN_COUNT,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Effect:
    """Poisson rate ratio of events over exposures (customers served, days); rates are per
    ``scale`` units of exposure (1e6 for per million customers)."""
    if min(before_events, after_events) < 0 or min(before_exposure, after_exposure) < 0:
        raise ValueError("counts and exposures cannot be negative")
    before = before_events / before_exposure * scale if before_exposure else None
    after = after_events / after_exposure * scale if after_exposure else None
    if before is None or after is None or before_events + after_events < min_count:
        return Effect(before, after, confidence=confidence)
    a, b = float(before_events), float(after_events)
    corrected = a == 0 or b == 0
    if corrected:
        a, b = a + 0.5, b + 0.5
    ratio = (b / after_exposure) / (a / before_exposure)
    low, high = _interval(ratio, math.sqrt(1 / a + 1 / b), _z(confidence))
    return Effect(before, after, ratio, low, high, confidence, enough=True, corrected=corrected)


def compare_proportions(
    before_events: int,
    before_total: int,
    after_events: int,
    after_total: int,
    *,
    min_count: int = DEFAULT_MIN_COUNT,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Effect:
    """Ratio of two proportions (escalated / complaints, satisfied / successful follow-ups)."""
    if not (0 <= before_events <= before_total and 0 <= after_events <= after_total):
        raise ValueError("events must be between 0 and their total")
    before = before_events / before_total if before_total else None
    after = after_events / after_total if after_total else None
    if before is None or after is None or min(before_total, after_total) < min_count:
        return Effect(before, after, confidence=confidence)
    a, na, b, nb = float(before_events), float(before_total), float(after_events), float(after_total)
    corrected = a == 0 or b == 0
    if corrected:
        a, na, b, nb = a + 0.5, na + 0.5, b + 0.5, nb + 0.5
    ratio = (b / nb) / (a / na)
    se = math.sqrt(max(1 / a - 1 / na + 1 / b - 1 / nb, 0.0))
    low, high = _interval(ratio, se, _z(confidence))
    return Effect(before, after, ratio, low, high, confidence, enough=True, corrected=corrected)


def prorated_exposure(monthly: dict[date, int], start: date, end: date) -> float:
    """Customers served in ``[start, end)`` from monthly figures (keyed by the month's first day),
    each month counted by the share of its days inside the window. A month without a figure
    counts as nothing, so a window with gaps is not mistaken for a fall in complaints."""
    total = 0.0
    day = start
    while day < end:
        month = day.replace(day=1)
        following = (month + timedelta(days=32)).replace(day=1)
        stop = min(following, end)
        if month in monthly:
            total += monthly[month] * (stop - day).days / (following - month).days
        day = stop
    return total

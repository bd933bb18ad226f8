"""The periodic SLA sweep (``kesu sweep``; Celery beat every minute): the clocks that crossed a
threshold since the last sweep turn at risk (the owner is warned) or breached (``ON_BREACH``:
escalated to the team lead; at 48 h without a first reply the customer is texted)."""

from __future__ import annotations

from datetime import datetime

from kesu.handling import steps
from kesu.sla import sweep as clock_sweep
from kesu.sla.models import Clock
from kesu.sla.sweep import SweepReport


def _on_breach(rows: list[dict], clock: Clock, now: datetime) -> int:
    return sum(step(rows, clock, now) for step in steps.ON_BREACH)


def sweep(*, now: datetime | None = None) -> SweepReport:
    """One pass of the sweep; safe to run concurrently and repeatedly."""
    return clock_sweep.sweep(on_breach=_on_breach, now=now)

"""Reads of a complaint's clocks: deadlines, time left and state, computed exactly now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kesu.complaints import clock
from kesu.complaints.models import Complaint
from kesu.core import sla as core
from kesu.sla.clocks import row_pauses, row_targets
from kesu.sla.models import Clock
from kesu.sla.policies import calendar_for


@dataclass(frozen=True)
class ClockView:
    name: str
    status: str
    deadline: datetime
    remaining_seconds: float
    ratio_used: float
    paused: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "deadline": self.deadline.isoformat(),
            "remaining_seconds": round(self.remaining_seconds),
            "ratio_used": round(self.ratio_used, 3),
            "paused": self.paused,
        }


def sla_view(complaint: Complaint, *, now: datetime | None = None) -> dict[str, ClockView]:
    """Deadlines, time left and state of both clocks now, computed exactly (not the stored
    sweep state, which may lag by one sweep interval)."""
    row = getattr(complaint, "sla", None)
    if row is None:
        return {}
    now = now or clock.now()
    calendar = calendar_for(row.calendar_id)
    pauses = row_pauses(row)
    stops = {Clock.FIRST_REPLY: complaint.first_reply_at, Clock.EFFECTIVE: complaint.effective_solution_at}
    if complaint.closed_at is not None:
        stops = {k: v or complaint.closed_at for k, v in stops.items()}
    views = {}
    for name, target in row_targets(row).items():
        state = core.clock_state(
            received=row.received_at,
            target=target,
            now=now,
            pauses=pauses,
            calendar=calendar,
            stopped_at=stops[name],
            at_risk_ratio=float(row.at_risk_ratio),
        )
        views[name] = ClockView(
            name, state.status.value, state.deadline, state.remaining_seconds, state.ratio_used, state.paused
        )
    return views

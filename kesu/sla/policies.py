"""Which targets apply to a complaint: the most specific admin policy (tier + priority, then
tier), else the SPEC §7 defaults. Cached: every intake asks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kesu import memo
from kesu.core.sla import DEFAULT_AT_RISK_RATIO, DEFAULT_POLICIES, BusinessCalendar, SlaPolicy
from kesu.sla.models import BusinessCalendarConfig, SlaPolicyConfig

CACHE_KEY = "kesu:sla-policies:v1"
CACHE_SECONDS = 60


@dataclass(frozen=True)
class AppliedPolicy:
    first_reply_hours: Decimal
    effective_reply_hours: Decimal
    at_risk_ratio: Decimal
    calendar_id: int | None


def invalidate(**_: Any) -> None:
    memo.forget(CACHE_KEY)


def _cached() -> dict[str, Any]:
    return memo.remember(CACHE_KEY, _load, CACHE_SECONDS)


def _load() -> dict[str, Any]:
    return {
        "policies": {
            (row.tier.code, row.priority): AppliedPolicy(
                row.first_reply_hours, row.effective_reply_hours, row.at_risk_ratio, row.calendar_id
            )
            for row in SlaPolicyConfig.objects.select_related("tier")
        },
        "calendars": dict(BusinessCalendarConfig.objects.values_list("pk", "data")),
    }


def policy_for(*, tier: str, priority: int) -> AppliedPolicy:
    table = _cached()["policies"]
    found = table.get((tier, priority)) or table.get((tier, None))
    if found is not None:
        return found
    default = DEFAULT_POLICIES.get(tier, DEFAULT_POLICIES["standard"])
    return AppliedPolicy(
        Decimal(str(default.first_reply_hours)),
        Decimal(str(default.effective_reply_hours)),
        Decimal(str(DEFAULT_AT_RISK_RATIO)),
        None,
    )


def calendar_for(calendar_id: int | None) -> BusinessCalendar | None:
    if calendar_id is None:
        return None
    data = _cached()["calendars"].get(calendar_id)
    if data is None:  # created since the cache was filled
        data = BusinessCalendarConfig.objects.values_list("data", flat=True).get(pk=calendar_id)
    return BusinessCalendar.from_dict(data)


def core_policy(applied: AppliedPolicy) -> SlaPolicy:
    return SlaPolicy(
        first_reply_hours=float(applied.first_reply_hours),
        effective_reply_hours=float(applied.effective_reply_hours),
        at_risk_ratio=float(applied.at_risk_ratio),
        calendar=calendar_for(applied.calendar_id),
    )

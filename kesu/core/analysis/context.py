"""Reading the optional context dict passed with a text (keys documented in README.md)."""

from __future__ import annotations

from typing import SupportsFloat, cast

CONTEXT_KEYS = (
    "repeat_count",
    "hours_waited",
    "sla_hours",
    "tier",
    "authority_limit",
    "compensation_standard",
    "excessive_factor",
    "previous_offers_refused",
    "demand_amount",
    "history",
    "history_emotions",
)


def number(value: object) -> float | None:
    """A context number, or None when absent or not a number (a bad value never crashes the engine)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        result = float(cast("SupportsFloat | str", value))  # anything else raises TypeError
    except (TypeError, ValueError):
        return None
    return result if result == result and abs(result) != float("inf") else None

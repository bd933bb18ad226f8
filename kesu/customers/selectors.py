"""Reads of customer tiers for forms and filters."""

from __future__ import annotations

from kesu.customers.models import Tier


def tier_choices() -> list[tuple[str, str]]:
    """(code, name) of every tier, most important first."""
    return list(Tier.objects.order_by("rank", "code").values_list("code", "name"))

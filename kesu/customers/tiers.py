"""Tier look-ups by code, cached (a handful of rows read on every intake)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from kesu.customers.models import Tier

CACHE_KEY = "kesu:tiers:v1"
CACHE_SECONDS = 60
DEFAULT_TIER = "standard"


def invalidate(**_: Any) -> None:
    cache.delete(CACHE_KEY)


def _table() -> dict[str, Tier]:
    table = cache.get(CACHE_KEY)
    if table is None:
        table = {tier.code: tier for tier in Tier.objects.all()}
        cache.set(CACHE_KEY, table, CACHE_SECONDS)
    return table


def tier_by_code(code: str) -> Tier | None:
    return _table().get(code)


def default_tier() -> Tier | None:
    table = _table()
    return table.get(DEFAULT_TIER) or max(table.values(), key=lambda t: t.rank, default=None)

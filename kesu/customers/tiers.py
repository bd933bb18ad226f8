"""Tier look-ups by code or id, cached (a handful of rows read on every intake)."""

from __future__ import annotations

from typing import Any

from kesu import memo
from kesu.customers.models import Tier

CACHE_KEY = "kesu:tiers:v1"
CACHE_SECONDS = 60
DEFAULT_TIER = "standard"


def invalidate(**_: Any) -> None:
    memo.forget(CACHE_KEY)


def _table() -> dict[str, Tier]:
    return memo.remember(CACHE_KEY, lambda: {tier.code: tier for tier in Tier.objects.all()}, CACHE_SECONDS)


def tier_by_code(code: str) -> Tier | None:
    return _table().get(code)


def tier_by_pk(pk: int) -> Tier | None:
    return next((tier for tier in _table().values() if tier.pk == pk), None)


def default_tier() -> Tier | None:
    table = _table()
    return table.get(DEFAULT_TIER) or max(table.values(), key=lambda t: t.rank, default=None)

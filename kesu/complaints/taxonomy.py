"""Category look-ups by code, cached: every intake maps the analysis engine's code to a row."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kesu import memo
from kesu.complaints.models import Category

CACHE_KEY = "kesu:taxonomy:v1"
CACHE_SECONDS = 60


def invalidate(**_: Any) -> None:
    memo.forget(CACHE_KEY)


def category_by_code(code: str, *, parent: Category | None = None) -> Category | None:
    """The category (or, with ``parent``, the sub-category of it) with this code, if any."""
    table = memo.remember(CACHE_KEY, lambda: {c.code: c for c in Category.objects.all()}, CACHE_SECONDS)
    category = table.get(code)
    if category is None:
        return None
    if parent is None:
        return category if category.parent_id is None else None
    return category if category.parent_id == parent.pk else None


def compensation_standard(category: Category | None) -> Decimal | None:
    """The compensation standard of a (sub-)category, its parent's when it has none (SPEC §11: a
    configuration per category); read from the remembered taxonomy, no query."""
    if category is None:
        return None
    table = memo.remember(CACHE_KEY, lambda: {c.code: c for c in Category.objects.all()}, CACHE_SECONDS)
    by_pk = {c.pk: c for c in table.values()}
    current: Category | None = by_pk.get(category.pk, category)
    while current is not None:
        if current.compensation_standard is not None:
            return current.compensation_standard
        current = by_pk.get(current.parent_id) if current.parent_id else None
    return None

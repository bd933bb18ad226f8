"""Category look-ups by code, cached: every intake maps the analysis engine's code to a row."""

from __future__ import annotations

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

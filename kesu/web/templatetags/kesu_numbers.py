"""Counts as pages show them: grouped by thousands (2,000,000) in every language.

Django's ``intcomma`` follows the active locale's format, and zh-hans has no thousands separator
(``THOUSAND_SEPARATOR = ""``), so the Chinese pages, the default, would still show 2000000.
Grouping in threes with a comma is what Chinese business reports print (千分位)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def grouped(value: Any) -> Any:
    """An integer with its thousands grouped (1234567 → 1,234,567); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return f"{value:,}"

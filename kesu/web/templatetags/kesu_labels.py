"""Names for codes that pages show: escalation levels (admin-edited ladder), risk levels."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from kesu.complaints.vocabulary import RISK_LEVEL_LABELS, label

register = template.Library()


@register.filter
def level_name(code: str) -> str:
    from kesu.escalation.ladder import levels

    for level in levels():
        if level.code == code:
            english = (get_language() or "").startswith("en")
            return (level.name_en or level.name) if english else level.name
    return code


@register.filter
def risk_level(code: str) -> str:
    return label(RISK_LEVEL_LABELS, code)


@register.filter
def get_item(mapping, key: str):
    """``mapping[key]`` in a template (a filter's current value by its parameter name)."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""

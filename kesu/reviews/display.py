"""Names people read for the loop's codes, in the active language (Chinese first)."""

from __future__ import annotations

from django.utils.translation import get_language

from kesu.complaints.vocabulary import EMOTION_LABELS, TRIGGER_LABELS, label
from kesu.core.reviews.due import REASON_NAMES, Reason


def english() -> bool:
    return (get_language() or "").startswith("en")


def pair(names: tuple[str, str]) -> str:
    return (names[1] or names[0]) if english() else names[0]


def name_of(row) -> str:
    """An admin-edited row's name (``name`` Chinese, ``name_en`` English)."""
    return (row.name_en or row.name) if english() else row.name


def reason_label(code: str) -> str:
    try:
        return pair(REASON_NAMES[Reason(code)])
    except ValueError:
        return code


def arc_label(step: str) -> str:
    """A step of the emotion arc: an emotion, or the crisis trigger the arc ended in."""
    return label(EMOTION_LABELS if step in EMOTION_LABELS else TRIGGER_LABELS, step)

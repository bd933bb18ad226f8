"""The agent's guidance panels as the pages show them, shared by live handling (``kesu.web``) and
practice (``kesu.practice``): the emotion trajectory chart, the STOP reminder when the customer runs
hot, and the reply checker's findings in the user's language. Presentation over the core's rules
(:mod:`kesu.core.analysis.trajectory`, :mod:`kesu.core.replies`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kesu.complaints.vocabulary import EMOTION_LABELS, label
from kesu.core.analysis.trajectory import chart
from kesu.core.replies import ReplyCheck, stop_reminder

EMOTION_COLOURS = {
    "anger": "#b91c1c",
    "disappointment": "#7c3aed",
    "anxiety": "#b45309",
    "confusion": "#0369a1",
    "expectation": "#0f766e",
    "neutral": "#6b7280",
    "satisfied": "#15803d",
}
#: The intensity from which the STOP reminder shows.
HEATED = 0.7
LAST_LABELS = {
    "listen": _("Listen 倾听"),
    "apologize": _("Apologize 致歉/同理"),
    "solve": _("Solve 解决"),
    "thank": _("Thank 感谢"),
}


def english() -> bool:
    return (get_language() or "").startswith("en")


def trajectory_chart(points: Sequence[tuple[str, float]]) -> dict[str, Any] | None:
    """The chart of the customer's emotion across their messages ((label, intensity) each), with
    each point's colour and name; ``None`` without points."""
    track = chart(points)
    if track is None:
        return None
    for point in track["points"]:
        point["colour"] = EMOTION_COLOURS.get(point["code"], "#6b7280")
        point["label"] = label(EMOTION_LABELS, point["code"])
    return track


def stop_panel(track: dict[str, Any] | None) -> dict[str, Any] | None:
    """The STOP reminder for the agent when the customer's emotion runs high (SPEC §5)."""
    if track is None:
        return None
    code, intensity = track["last"]
    reminder = stop_reminder(code, intensity, threshold=HEATED, rising=track["rising"])
    if reminder is None:
        return None
    data = reminder.as_dict()
    en = english()
    return {
        "title": data["title_en" if en else "title_zh"],
        "opener": data["opener_en" if en else "opener_zh"],
        "steps": [
            {
                "letter": step["letter"],
                "name": step["name_en" if en else "name_zh"],
                "text": step["text_en" if en else "text_zh"],
            }
            for step in data["steps"]
        ],
    }


def reply_check(result: ReplyCheck) -> dict[str, Any]:
    """The reply checker's verdict on a draft as the live checker shows it: blocked or not, each
    finding in the user's language, the LAST steps not yet covered, the listening ratio."""
    data = result.as_dict()
    en = english()
    return {
        "blocked": data["blocked"],
        "findings": [
            {
                "severity": f["severity"],
                "message": f["message_en" if en else "message_zh"],
                "evidence": f.get("evidence"),
                "suggestion": f.get("suggestion"),
            }
            for f in data["findings"]
        ],
        "missing_last_steps": [LAST_LABELS.get(step, step) for step in data["missing_last_steps"]],
        "listening_ratio": data.get("listening_ratio"),
    }

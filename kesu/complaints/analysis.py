"""Bridge from the Django side to the framework-free analysis engine (``kesu.core.analysis``).

Intake and every customer message call these; the result is stored as JSON with the complaint
or the message. Empty text never reaches here (intake refuses it first)."""

from __future__ import annotations

from typing import Any

from kesu.core.analysis import AnalysisError, analyze


def analyse_complaint_text(text: str, *, tier: str = "", repeat_count: int = 0) -> dict[str, Any]:
    return _analyse(text, {"tier": tier, "repeat_count": repeat_count})


def analyse_message(text: str) -> dict[str, Any]:
    return _analyse(text, None)


def _analyse(text: str, context: dict[str, Any] | None) -> dict[str, Any]:
    try:
        return analyze(text, context).as_dict()
    except AnalysisError:
        return {}

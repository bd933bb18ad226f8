"""Bridge from the Django side to the framework-free analysis engine (``kesu.core.analysis``), and
the one reader of what it stored.

Intake and every customer message call :func:`analyse_complaint_text` / :func:`analyse_message`;
the result is stored as JSON with the complaint or the message (the ``kesu analyze`` contract).
Every reader — intake, the escalation package, the workbench, the API, the dashboard — reads it
through :class:`StoredAnalysis`, never by digging into the dict: a key that is missing (an older
engine's result, or none) reads as empty, a key it does not know is kept and passed on, so the
engine can grow fields that are then read here, in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kesu.core.analysis import AnalysisError, analyze

#: Where the dashboard's SQL finds the emotion label in the stored JSON (``KT()`` / a filter).
EMOTION_LABEL_LOOKUP = "analysis__emotion__label"


def analyse_complaint_text(text: str, *, tier: str = "", repeat_count: int = 0) -> dict[str, Any]:
    return _analyse(text, {"tier": tier, "repeat_count": repeat_count})


def analyse_message(text: str) -> dict[str, Any]:
    return _analyse(text, None)


def _analyse(text: str, context: dict[str, Any] | None) -> dict[str, Any]:
    try:
        return analyze(text, context).as_dict()
    except AnalysisError:
        return {}


@dataclass(frozen=True)
class Finding:
    """An escalation trigger, a bad-faith signal: a code and the words behind it."""

    code: str
    evidence: str


@dataclass(frozen=True)
class Demand:
    type: str
    amount: float | None
    evidence: str


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}  # stored JSON: a dict or nothing


def _findings(items: Any) -> tuple[Finding, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(
        Finding(
            str(item.get("code") or ""), item.get("evidence") if isinstance(item.get("evidence"), str) else ""
        )
        for item in items
        if isinstance(item, dict) and item.get("code")
    )


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class StoredAnalysis:
    """Typed read access to a stored analysis (``Complaint.analysis``, ``Message.analysis``).

    Each property reads the stored JSON when asked (nothing is copied up front), so wrapping is
    free on the intake path. ``data`` is the stored dict itself, for the API's pass-through.
    """

    __slots__ = ("data",)

    def __init__(self, data: Mapping[str, Any] | None) -> None:
        self.data: Mapping[str, Any] = data if isinstance(data, dict | Mapping) else {}

    def __bool__(self) -> bool:
        return bool(self.data)

    # category 分类
    @property
    def category(self) -> Mapping[str, Any]:
        return _mapping(self.data.get("category"))

    @property
    def category_code(self) -> str | None:
        return _text(self.category.get("code"))

    @property
    def sub_code(self) -> str | None:
        return _text(self.category.get("sub"))

    @property
    def category_confidence(self) -> float:
        return _number(self.category.get("confidence"))

    # value orientation 价值取向
    @property
    def value_orientation(self) -> str | None:
        return _text(self.data.get("value_orientation"))

    # emotion 情绪
    @property
    def emotion(self) -> Mapping[str, Any]:
        return _mapping(self.data.get("emotion"))

    @property
    def emotion_label(self) -> str | None:
        return _text(self.emotion.get("label"))

    @property
    def emotion_intensity(self) -> float:
        return _number(self.emotion.get("intensity"))

    # escalation risk 升级风险
    @property
    def escalation(self) -> Mapping[str, Any]:
        return _mapping(self.data.get("escalation"))

    @property
    def escalation_risk(self) -> float:
        return _number(self.escalation.get("risk"))

    @property
    def escalation_level(self) -> str | None:
        return _text(self.escalation.get("level"))

    @property
    def triggers(self) -> tuple[Finding, ...]:
        return _findings(self.escalation.get("triggers"))

    @property
    def trigger_codes(self) -> frozenset[str]:
        return frozenset(t.code for t in self.triggers)

    # bad-faith signals 恶意投诉特征
    @property
    def bad_faith_signals(self) -> tuple[Finding, ...]:
        return _findings(_mapping(self.data.get("bad_faith")).get("signals"))

    # demands and the rest
    @property
    def demands(self) -> tuple[Demand, ...]:
        items = self.data.get("demands")
        if not isinstance(items, list):
            return ()
        return tuple(
            Demand(
                str(item.get("type") or "other"),
                _number(item["amount"]) if isinstance(item.get("amount"), int | float) else None,
                item.get("evidence") if isinstance(item.get("evidence"), str) else "",
            )
            for item in items
            if isinstance(item, dict)
        )

    @property
    def language(self) -> str:
        return _text(self.data.get("language")) or ""

    @property
    def evidence(self) -> Mapping[str, list[str]]:
        return _mapping(self.data.get("evidence"))

    def as_json(self, *, bad_faith: bool = True) -> dict[str, Any]:
        """The stored dict as the API shows it; bad-faith signals left out for who may not see them."""
        if bad_faith or "bad_faith" not in self.data:
            return dict(self.data)
        return {key: value for key, value in self.data.items() if key != "bad_faith"}

    def raw_triggers(self) -> list[dict[str, Any]]:
        """The triggers as stored (code, evidence and whatever else the engine put there), for
        an escalation's record."""
        items = self.escalation.get("triggers")
        return [dict(item) for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    def raw_demands(self) -> list[dict[str, Any]]:
        items = self.data.get("demands")
        return [dict(item) for item in items if isinstance(item, dict)] if isinstance(items, list) else []

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
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings

from kesu.complaints.taxonomy import compensation_standard
from kesu.core import privacy
from kesu.core.analysis import AnalysisError, analyze

#: Where the dashboard's SQL finds the emotion label in the stored JSON (``KT()`` / a filter).
EMOTION_LABEL_LOOKUP = "analysis__emotion__label"


def semantic_enabled() -> bool:
    """Whether complaints and messages get the semantic tier after intake (``KESU_SEMANTIC``)."""
    return bool(getattr(settings, "KESU_SEMANTIC_TIER", True))


def analysis_context(
    *,
    customer_tier: str = "",
    repeat_count: int = 0,
    authority_limit: Decimal | float | None = None,
    compensation_standard: Decimal | float | None = None,
    demand_amount: Decimal | float | None = None,
    history_emotions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """What the product knows beside the words (the engine's context, README): the customer's tier,
    the earlier complaints on the same matter, the handling agent's authority limit (超出权限), the
    category's compensation standard (过度赔偿), the demand as recorded, and the conversation so far."""
    context: dict[str, Any] = {"tier": customer_tier, "repeat_count": repeat_count}
    for key, value in (
        ("authority_limit", authority_limit),
        ("compensation_standard", compensation_standard),
        ("demand_amount", demand_amount),
    ):
        if value is not None:
            context[key] = float(value)
    if history_emotions:
        context["history_emotions"] = history_emotions
    return context


def complaint_context(complaint: Any, *, history: bool = False) -> dict[str, Any]:
    """The context of a stored complaint: for its words, or (``history``) for a later message."""
    owner = complaint.owner or complaint.created_by
    emotions = None
    if history:
        emotions = [
            {"label": a.emotion_label, "intensity": a.emotion_intensity}
            for a in (StoredAnalysis(m.analysis) for m in complaint.messages.filter(kind="customer").order_by("created_at"))
            if a.emotion_label
        ]
    return analysis_context(
        customer_tier=complaint.customer.tier.code,
        repeat_count=complaint.repeat_count,
        authority_limit=owner.effective_authority_limit() if owner is not None else None,
        compensation_standard=compensation_standard(complaint.subcategory or complaint.category),
        demand_amount=complaint.demand_amount,
        history_emotions=emotions,
    )


def analyse_complaint_text(text: str, *, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The inline (fast) analysis of a complaint's words, stored with it at once."""
    return _analyse(text, context)


def analyse_message(text: str, *, context: dict[str, Any] | None = None) -> dict[str, Any]:
    return _analyse(text, context)


def _analyse(text: str, context: dict[str, Any] | None) -> dict[str, Any]:
    try:
        return analyze(text, context, tier="fast").as_dict()
    except AnalysisError:
        return {}


def analyse_full(text: str, context: dict[str, Any] | None) -> tuple[dict[str, Any], bytes | None]:
    """Both tiers (the encoder too: tens of milliseconds), and the embedding as float16 bytes; the
    fast tier's result and None where the encoder cannot run here."""
    try:
        result = analyze(text, context, tier="full")
    except AnalysisError:
        return {}, None
    vector = result.embedding
    data = np.asarray(vector, dtype=np.float16).tobytes() if vector is not None else None
    return result.as_dict(), data


def embedding_of(data: bytes | memoryview | None) -> np.ndarray | None:
    if not data:
        return None
    return np.frombuffer(bytes(data), dtype=np.float16).astype(np.float32)


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

    @property
    def category_uncertain(self) -> bool:
        """The engine was too unsure to route on its category alone (待确认)."""
        return self.category.get("uncertain") is True

    @property
    def tier(self) -> str:
        """``full`` once the semantic tier refined it; ``fast`` (or empty, before) otherwise."""
        return _text(self.data.get("tier")) or "fast"

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

    def as_json(self, *, bad_faith: bool = True, masked: bool = False) -> dict[str, Any]:
        """The stored dict as the API shows it; bad-faith signals left out for who may not see them,
        and the text in it (normalised text, evidence) masked for who may not see personal data."""
        data = {key: value for key, value in self.data.items() if bad_faith or key != "bad_faith"}
        return privacy.mask_derived(data) if masked else data

    def raw_triggers(self) -> list[dict[str, Any]]:
        """The triggers as stored (code, evidence and whatever else the engine put there), for
        an escalation's record."""
        items = self.escalation.get("triggers")
        return [dict(item) for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    def raw_demands(self) -> list[dict[str, Any]]:
        items = self.data.get("demands")
        return [dict(item) for item in items if isinstance(item, dict)] if isinstance(items, list) else []

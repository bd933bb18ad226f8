"""What the complaint page shows beside the record: the analysis panel (with the evidence marked
in the customer's words), the emotion trajectory, the STOP reminder, suggested scripts and the
reply checker. Pure presentation over the engine's stored results and the core's rules."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from kesu.complaints.analysis import StoredAnalysis
from kesu.complaints.guidance import reply_check, trajectory_chart
from kesu.complaints.models import Complaint, Message, MessageKind
from kesu.complaints.taxonomy import category_by_code
from kesu.complaints.vocabulary import (
    BAD_FAITH_LABELS,
    DEMAND_LABELS,
    EMOTION_LABELS,
    TRIGGER_LABELS,
    VALUE_LABELS,
    label,
)
from kesu.core.replies import check_reply
from kesu.core.replies.scripts import fill_placeholders
from kesu.scripts.selectors import ranked_scripts_for


def highlight(text: str, phrases: list[str]) -> SafeString:
    """The customer's words, escaped, with each evidence phrase marked (first occurrences)."""
    spans: list[tuple[int, int]] = []
    for phrase in sorted({p for p in phrases if p and len(p) <= 60}, key=len, reverse=True):
        start = text.find(phrase)
        if start >= 0 and not any(s < start + len(phrase) and start < e for s, e in spans):
            spans.append((start, start + len(phrase)))
    out, cursor = [], 0
    for start, end in sorted(spans):
        out.append(escape(text[cursor:start]))
        out.append(f'<mark class="evidence">{escape(text[start:end])}</mark>')
        cursor = end
    out.append(escape(text[cursor:]))
    return mark_safe("".join(out))


def evidence_phrases(analysis: StoredAnalysis) -> list[str]:
    phrases = [t.evidence for t in analysis.triggers]
    phrases += [d.evidence for d in analysis.demands]
    phrases += [s.evidence for s in analysis.bad_faith_signals]
    return [p for p in phrases if p and " > " not in p]


def analysis_panel(complaint: Complaint, *, show_bad_faith: bool) -> dict[str, Any] | None:
    analysis = StoredAnalysis(complaint.analysis)
    if not analysis:
        return None
    category = dict(analysis.category)
    for key in ("code", "sub"):  # show the taxonomy's (admin-edited) names, not codes
        found = category_by_code(category[key]) if category.get(key) else None
        if found is None and key == "sub" and category.get(key):
            parent = category_by_code(category.get("code") or "")
            found = category_by_code(category[key], parent=parent) if parent else None
        if found is not None:
            category[key] = found.name
    emotion = analysis.emotion_label
    return {
        "category": category,
        "value": VALUE_LABELS.get(analysis.value_orientation or "", None),
        "emotion": label(EMOTION_LABELS, emotion) or None,
        "emotion_code": emotion,
        "intensity": analysis.emotion.get("intensity"),
        "risk": analysis.escalation.get("risk"),
        "risk_level": analysis.escalation_level,
        "triggers": [
            {"label": label(TRIGGER_LABELS, t.code), "evidence": t.evidence} for t in analysis.triggers
        ],
        "demands": [{**d, "type": label(DEMAND_LABELS, d.get("type"))} for d in analysis.raw_demands()],
        "bad_faith": [
            {"code": label(BAD_FAITH_LABELS, s.code), "evidence": s.evidence} for s in analysis.bad_faith_signals
        ]
        if show_bad_faith
        else [],
        "language": analysis.data.get("language"),
    }


def trajectory(messages: list[Message]) -> dict[str, Any] | None:
    """Points for a small chart of the customer's emotion across their messages, and whether it
    is rising — the engine's rule (:mod:`kesu.core.analysis.trajectory`): the last message at
    least 0.15 hotter than the first and the heat's trend upward."""
    points = []
    for message in messages:
        analysis = StoredAnalysis(message.analysis)
        if message.kind == MessageKind.CUSTOMER and analysis.emotion:
            points.append((analysis.emotion_label or "neutral", analysis.emotion_intensity))
    return trajectory_chart(points)


def suggested_scripts(
    complaint: Complaint, emotion: str | None, values: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The scripts for the stage, category and emotion, their placeholders filled from the
    complaint (``values``: salutation, agent, order, product, deadline). Where the complaint has
    its embedding the closest to its words come first, each with its relevance (相关度, the
    cosine in per cent) and the first marked the most relevant."""
    category = complaint.category.code if complaint.category_id else None
    english = (get_language() or "").startswith("en")
    ranked = ranked_scripts_for(
        stage=complaint.stage, category=category, emotion=emotion, team_id=complaint.team_id, embedding=complaint.embedding
    )
    return [
        {
            "title": s.title,
            "text": fill_placeholders((s.text_en or s.text) if english else s.text, values or {}),
            "relevance": None if similarity is None else max(0, round(100 * similarity)),
            "most_relevant": n == 0 and similarity is not None,
        }
        for n, (s, similarity) in enumerate(ranked)
    ]


def conversation_pairs(messages: list[Message]) -> list[tuple[str, str]]:
    return [(m.kind, m.body) for m in messages if m.kind in (MessageKind.CUSTOMER, MessageKind.AGENT)]


def check_draft(text: str, *, authority_limit: float | None, messages: list[Message]) -> dict[str, Any]:
    """The reply checker over a draft, with the conversation so far (LAST, listening ratio)."""
    return reply_check(check_reply(text, authority_limit=authority_limit, conversation=conversation_pairs(messages)))

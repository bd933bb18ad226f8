"""What the complaint page shows beside the record: the analysis panel (with the evidence marked
in the customer's words), the emotion trajectory, the STOP reminder, suggested scripts and the
reply checker. Pure presentation over the engine's stored results and the core's rules."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Complaint, Message, MessageKind
from kesu.complaints.taxonomy import category_by_code
from kesu.core.replies import check_reply, stop_reminder
from kesu.scripts.selectors import scripts_for

EMOTION_LABELS = {
    "anger": _("Anger 愤怒"),
    "disappointment": _("Disappointment 失望"),
    "anxiety": _("Anxiety 焦虑"),
    "confusion": _("Confusion 疑问"),
    "expectation": _("Expectation 期待"),
    "neutral": _("Neutral 平静"),
    "satisfied": _("Satisfied 满意"),
}
VALUE_LABELS = {
    "speed": _("Speed 速度"),
    "respect": _("Respect 获得尊重"),
    "money": _("Money 金钱的价值"),
    "reliability": _("Reliability 可靠性/便利性"),
    "flexibility": _("Flexibility 灵活性"),
    "fairness": _("Fairness 公平性"),
}
TRIGGER_LABELS = {
    "supervisor_request": _("Asks for a supervisor"),
    "authority": _("Beyond authority"),
    "legal": _("Legal risk"),
    "public_exposure": _("Threat of going public"),
    "regulator": _("Regulator"),
    "extreme_emotion": _("Extreme emotion"),
    "repeat": _("Repeat complaint"),
    "overdue": _("Waiting too long"),
    "vip_urgent": _("VIP / urgent"),
}
EMOTION_COLOURS = {
    "anger": "#b91c1c",
    "disappointment": "#7c3aed",
    "anxiety": "#b45309",
    "confusion": "#0369a1",
    "expectation": "#0f766e",
    "neutral": "#6b7280",
    "satisfied": "#15803d",
}
HEATED = 0.7
LAST_LABELS = {
    "listen": _("Listen 倾听"),
    "apologize": _("Apologize 致歉/同理"),
    "solve": _("Solve 解决"),
    "thank": _("Thank 感谢"),
}


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


def evidence_phrases(analysis: dict[str, Any]) -> list[str]:
    phrases = [t.get("evidence", "") for t in analysis.get("escalation", {}).get("triggers", [])]
    phrases += [d.get("evidence", "") for d in analysis.get("demands", [])]
    phrases += [s.get("evidence", "") for s in analysis.get("bad_faith", {}).get("signals", [])]
    return [p for p in phrases if isinstance(p, str) and " > " not in p]


def analysis_panel(complaint: Complaint, *, show_bad_faith: bool) -> dict[str, Any] | None:
    analysis = complaint.analysis or {}
    if not analysis:
        return None
    escalation = analysis.get("escalation", {})
    emotion = analysis.get("emotion", {})
    category = dict(analysis.get("category", {}))
    for key in ("code", "sub"):  # show the taxonomy's (admin-edited) names, not codes
        found = category_by_code(category[key]) if category.get(key) else None
        if found is None and key == "sub" and category.get(key):
            parent = category_by_code(category.get("code") or "")
            found = category_by_code(category[key], parent=parent) if parent else None
        if found is not None:
            category[key] = found.name
    return {
        "category": category,
        "value": VALUE_LABELS.get(analysis.get("value_orientation") or "", None),
        "emotion": EMOTION_LABELS.get(emotion.get("label", ""), emotion.get("label")),
        "emotion_code": emotion.get("label"),
        "intensity": emotion.get("intensity"),
        "risk": escalation.get("risk"),
        "risk_level": escalation.get("level"),
        "triggers": [
            {"label": TRIGGER_LABELS.get(t.get("code"), t.get("code")), "evidence": t.get("evidence", "")}
            for t in escalation.get("triggers", [])
        ],
        "demands": analysis.get("demands", []),
        "bad_faith": analysis.get("bad_faith", {}).get("signals", []) if show_bad_faith else [],
        "language": analysis.get("language"),
    }


def trajectory(messages: list[Message]) -> dict[str, Any] | None:
    """Points for a small chart of the customer's emotion across their messages, and whether
    it is rising (the last message more intense than the first, in a negative emotion)."""
    points = []
    for message in messages:
        emotion = (message.analysis or {}).get("emotion") or {}
        if message.kind == MessageKind.CUSTOMER and emotion:
            points.append((emotion.get("label", "neutral"), float(emotion.get("intensity") or 0.0)))
    if not points:
        return None
    width, height, pad = 240, 60, 8
    step = (width - 2 * pad) / max(1, len(points) - 1)
    coords = [
        {
            "x": round(pad + i * step, 1),
            "y": round(height - pad - intensity * (height - 2 * pad), 1),
            "colour": EMOTION_COLOURS.get(label, "#6b7280"),
            "label": EMOTION_LABELS.get(label, label),
            "intensity": round(intensity, 2),
        }
        for i, (label, intensity) in enumerate(points)
    ]
    negative = {"anger", "disappointment", "anxiety"}
    rising = len(points) > 1 and points[-1][0] in negative and points[-1][1] > points[0][1] + 0.05
    return {
        "width": width,
        "height": height,
        "points": coords,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in coords),
        "rising": rising,
        "last": points[-1],
    }


def stop_panel(track: dict[str, Any] | None) -> dict[str, Any] | None:
    """The STOP reminder for the agent when the customer's emotion runs high (SPEC §5)."""
    if track is None:
        return None
    label, intensity = track["last"]
    reminder = stop_reminder(label, intensity, threshold=HEATED, rising=track["rising"])
    if reminder is None:
        return None
    data = reminder.as_dict()
    english = (get_language() or "").startswith("en")
    return {
        "title": data["title_en" if english else "title_zh"],
        "opener": data["opener_en" if english else "opener_zh"],
        "steps": [
            {
                "letter": step["letter"],
                "name": step["name_en" if english else "name_zh"],
                "text": step["text_en" if english else "text_zh"],
            }
            for step in data["steps"]
        ],
    }


def suggested_scripts(complaint: Complaint, emotion: str | None) -> list[dict[str, str]]:
    category = complaint.category.code if complaint.category_id else None
    english = (get_language() or "").startswith("en")
    return [
        {"title": s.title, "text": (s.text_en or s.text) if english else s.text}
        for s in scripts_for(stage=complaint.stage, category=category, emotion=emotion)
    ]


def conversation_pairs(messages: list[Message]) -> list[tuple[str, str]]:
    return [(m.kind, m.body) for m in messages if m.kind in (MessageKind.CUSTOMER, MessageKind.AGENT)]


def check_draft(text: str, *, authority_limit: float | None, messages: list[Message]) -> dict[str, Any]:
    """The reply checker over a draft, with the conversation so far (LAST, listening ratio)."""
    result = check_reply(text, authority_limit=authority_limit, conversation=conversation_pairs(messages))
    english = (get_language() or "").startswith("en")
    data = result.as_dict()
    return {
        "blocked": data["blocked"],
        "findings": [
            {
                "severity": f["severity"],
                "message": f["message_en" if english else "message_zh"],
                "evidence": f.get("evidence"),
                "suggestion": f.get("suggestion"),
            }
            for f in data["findings"]
        ],
        "missing_last_steps": [LAST_LABELS.get(step, step) for step in data["missing_last_steps"]],
        "listening_ratio": data.get("listening_ratio"),
    }

"""What the practice pages show beside the conversation: for the agent, the same panels as live
handling — the analysis of the customer's last words, the emotion trajectory, the STOP reminder,
suggested scripts and the live reply checker; for the customer, the persona card; for the observer
and afterwards, the scoring sheet. Pure presentation over stored turns and the core's rules."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kesu.complaints.guidance import english, reply_check, trajectory_chart
from kesu.complaints.vocabulary import EMOTION_LABELS, TRIGGER_LABELS, VALUE_LABELS, label
from kesu.core import practice as engine
from kesu.core.replies import check_reply
from kesu.practice.forms import SOLUTION_LABELS, TIER_LABELS
from kesu.practice.models import CriterionResult, PracticeSession, Turn
from kesu.scripts.selectors import scripts_for

PHASE_LABELS = {
    "venting": _("Venting 倾诉"),
    "calming": _("Calming down 平复"),
    "negotiating": _("Negotiating 协商"),
    "accepted": _("Accepted the solution 接受方案"),
    "escalated": _("Escalated 升级"),
}
ROLE_LABELS = {"agent": _("Agent 坐席"), "customer": _("Customer 客户"), "observer": _("Observer 观察员")}


def criterion_name(code: str) -> str:
    zh, en = engine.CRITERION_NAMES.get(code, (code, code))
    return en if english() else zh


def analysis_panel(turns: list[Turn]) -> dict[str, Any] | None:
    """The engine's reading of the customer's last line (category, values, emotion, risk, triggers)."""
    last = next((t for t in reversed(turns) if t.speaker == "customer" and t.analysis), None)
    if last is None:
        return None
    data = last.analysis
    emotion = data.get("emotion") or {}
    escalation = data.get("escalation") or {}
    return {
        "emotion": label(EMOTION_LABELS, emotion.get("label")),
        "emotion_code": emotion.get("label"),
        "intensity": emotion.get("intensity"),
        "value": label(VALUE_LABELS, data.get("value_orientation")) or None,
        "risk": escalation.get("risk"),
        "risk_level": escalation.get("level"),
        "triggers": [
            {"label": label(TRIGGER_LABELS, t["code"]), "evidence": t.get("evidence")}
            for t in escalation.get("triggers", [])
        ],
        "demands": data.get("demands") or [],
    }


def trajectory(turns: list[Turn]) -> dict[str, Any] | None:
    points = [
        (
            (t.analysis.get("emotion") or {}).get("label") or "neutral",
            float((t.analysis.get("emotion") or {}).get("intensity") or 0),
        )
        for t in turns
        if t.speaker == "customer" and t.analysis.get("emotion")
    ]
    return trajectory_chart(points)


def _stage(turns: list[Turn]) -> str:
    """Where in the method the conversation is, by what the agent has done so far (for the scripts)."""
    steps = set()
    for turn in turns:
        if turn.speaker == "agent":
            steps |= set((turn.analysis.get("reading") or {}).get("last_steps") or [])
    if "solve" in steps:
        return "agree"
    if "listen" in steps:
        return "propose"
    if "apologize" in steps:
        return "confirm"
    return "listen"


def suggested_scripts(
    session: PracticeSession, turns: list[Turn], emotion: str | None
) -> list[dict[str, str]]:
    en = english()
    return [
        {"title": s.title, "text": (s.text_en or s.text) if en else s.text}
        for s in scripts_for(stage=_stage(turns), category=session.scenario.category, emotion=emotion)
    ]


def check_draft(text: str, *, session: PracticeSession, turns: list[Turn]) -> dict[str, Any]:
    """The live reply checker over a draft, with the practice conversation so far."""
    authority = float(session.authority_limit) if session.authority_limit is not None else None
    conversation = [(t.speaker, t.text) for t in turns]
    return reply_check(check_reply(text, authority_limit=authority, conversation=conversation))


def persona_card(session: PracticeSession) -> dict[str, Any]:
    """What the member playing the customer reads (and the trainer sees)."""
    persona = session.as_persona()
    return {
        "tier": TIER_LABELS.get(persona.tier, persona.tier),
        "opening": persona.opening,
        "emotion": label(EMOTION_LABELS, persona.emotion),
        "intensity": persona.intensity,
        "facts": persona.facts,
        "demand": persona.demand,
        "demand_amount": persona.demand_amount,
        "standard": persona.compensation_standard,
        "acceptable": [SOLUTION_LABELS.get(k, k) for k in persona.acceptable],
        "tolerance": persona.tolerance,
        "escalation_line": persona.escalation_line,
    }


def customer_state(session: PracticeSession) -> dict[str, Any] | None:
    if not session.solo or not session.state:
        return None
    state = engine.State.from_dict(session.state)
    persona = session.as_persona()
    code, intensity = engine.emotion_of(state, persona.emotion)
    return {
        "phase": state.phase,
        "phase_label": PHASE_LABELS.get(state.phase, state.phase),
        "emotion": label(EMOTION_LABELS, code),
        "emotion_code": code,
        "intensity": intensity,
        "refusals": state.refusals,
        "tolerance": persona.tolerance,
        "final": state.final,
    }


def score_sheet(results: list[CriterionResult]) -> list[dict[str, Any]]:
    en = english()
    return [
        {
            "code": r.code,
            "name": criterion_name(r.code),
            "weight": r.weight,
            "auto": None if r.auto_score is None else round(100 * r.auto_score),
            "score": None if r.score is None else round(100 * r.score),
            "reason": r.reason_en if en else r.reason_zh,
            "evidence": r.evidence,
            "overridden": r.overridden,
            "override_reason": r.override_reason,
            "scored_by": r.scored_by,
        }
        for r in results
    ]

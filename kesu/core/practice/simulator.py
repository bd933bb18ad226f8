"""The simulated customer 模拟客户 for solo practice: a deterministic state machine, offline.

Each reply of the trainee is read (:func:`kesu.core.practice.reading.read_reply`) and moves the customer:

==================  ===============================================================================
the reply           the customer
==================  ===============================================================================
blames, argues, a   grows angrier and counts a refusal (忍耐极限点: at the persona's tolerance it
forbidden phrase    escalates with its escalation line — 我要找你们领导, 我去12315投诉)
refuses plainly     counts a refusal (a refusal with an alternative, 李代桃僵, is a solution instead)
acknowledges        calms down (empathy, apology, 是啊, 我理解 …; less so the second time)
asks an open        tells the next hidden fact; a question naming a fact's cue tells that fact
question
offers a solution   accepts it when it is one the persona accepts, comes with a time limit, the key
                    facts are known and the customer is calm enough; a solution it cannot use counts
                    as a refusal; otherwise it asks for the time limit, for the facts or to be heard
says nothing of     grows impatient
use
==================  ===============================================================================

Phases: ``venting`` (倾诉) → ``calming`` (平复, once acknowledged) → ``negotiating`` (协商, once a
solution is on the table) → ``accepted`` (接受) or ``escalated`` (升级). The last two are final: the
customer still answers (thanks, or repeats the escalation) but no longer changes. The effects and the
lines are data (``data/customer.json``). The time never enters: the same replies give the same
conversation on any machine.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from kesu.core.replies.text import fold

from .persona import MONEY_KINDS, Persona
from .reading import Reading

VENTING, CALMING, NEGOTIATING, ACCEPTED, ESCALATED = (
    "venting",
    "calming",
    "negotiating",
    "accepted",
    "escalated",
)
PHASES = (VENTING, CALMING, NEGOTIATING, ACCEPTED, ESCALATED)
FINAL = frozenset({ACCEPTED, ESCALATED})
#: Events that count a refusal towards the tolerance.
REFUSALS = frozenset({"blamed", "refused", "wrong_solution"})
EVENTS = (
    "blamed",
    "refused",
    "wrong_solution",
    "not_understood",
    "no_time_limit",
    "not_heard",
    "reveal",
    "closed_answer",
    "nothing_more",
    "acknowledged",
    "ignored",
    "accepted",
    "after_accept",
    "thanked",
    "escalated",
    "after_escalate",
)


@lru_cache(maxsize=1)
def behaviour() -> Mapping[str, Any]:
    text = resources.files(__package__).joinpath("data", "customer.json").read_text(encoding="utf-8")
    data = json.loads(text)
    missing = [event for event in EVENTS if event not in data["lines"]]
    if missing:
        raise ValueError(f"customer.json has no lines for {', '.join(missing)}")
    return data


@dataclass(frozen=True)
class State:
    phase: str
    intensity: float
    refusals: int = 0
    revealed: tuple[str, ...] = ()  # codes of the hidden facts told, in the order told
    acknowledged: int = 0  # replies that acknowledged the customer
    replies: int = 0  # the trainee's replies so far
    accepted_solution: tuple[str, ...] = ()

    @property
    def final(self) -> bool:
        return self.phase in FINAL

    def as_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "intensity": self.intensity,
            "refusals": self.refusals,
            "revealed": list(self.revealed),
            "acknowledged": self.acknowledged,
            "replies": self.replies,
            "accepted_solution": list(self.accepted_solution),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> State:
        phase = data.get("phase", VENTING)
        return cls(
            phase=phase if phase in PHASES else VENTING,
            intensity=_clamp(float(data.get("intensity", 0.5))),
            refusals=max(0, int(data.get("refusals", 0))),
            revealed=tuple(data.get("revealed") or ()),
            acknowledged=max(0, int(data.get("acknowledged", 0))),
            replies=max(0, int(data.get("replies", 0))),
            accepted_solution=tuple(data.get("accepted_solution") or ()),
        )


@dataclass(frozen=True)
class Reaction:
    """What one reply did: the new state, the event that decided the line, the line in both
    languages, the fact told (if any), and why (the words of the reply that caused it)."""

    state: State
    event: str
    line: str
    line_en: str
    emotion: str
    fact: str = ""
    because: tuple[str, ...] = ()

    @property
    def intensity(self) -> float:
        return self.state.intensity


def _clamp(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 4)


def start(persona: Persona) -> State:
    return State(phase=VENTING, intensity=_clamp(persona.intensity))


def emotion_of(state: State, start_label: str) -> tuple[str, float]:
    """The customer's emotion label for a state (SPEC §3 arcs: 愤怒→失望→期待解决; escalation is anger)."""
    if state.phase == ESCALATED:
        return "anger", state.intensity
    if state.phase == ACCEPTED:
        return "satisfied", state.intensity
    if state.intensity >= 0.75:
        heated = start_label if start_label in ("anger", "disappointment", "anxiety") else "anger"
        return heated, state.intensity
    if state.intensity >= 0.45:
        return ("disappointment" if start_label == "anger" else start_label), state.intensity
    return "expectation", state.intensity


def _line(event: str, state: State, persona: Persona, fact: str = "") -> tuple[str, str]:
    for band in behaviour()["lines"][event]:
        if state.intensity < band["below"]:
            break
    index = state.replies % len(band["zh"])
    values = {"fact": fact, "demand": persona.demand, "escalation": persona.escalation_line}
    return band["zh"][index].format(**values).strip(), band["en"][index % len(band["en"])].format(
        **values
    ).strip()


def _effect(event: str) -> float:
    return float(behaviour()["effects"].get(event, 0.0))


def _folded(text: str) -> str:
    return fold(text).text


def _fact_asked(persona: Persona, state: State, reading: Reading) -> str | None:
    """The hidden fact a question reveals: one whose cue the questions name, else (for an open
    question) the next untold one."""
    untold = [f for f in persona.facts if f.code not in state.revealed]
    asked = _folded(" ".join(reading.questions))
    for fact in untold:
        if any(_folded(cue) in asked for cue in fact.cues):
            return fact.code
    if reading.open_questions and untold:
        return untold[0].code
    return None


def acceptable(persona: Persona, reading: Reading) -> tuple[str, ...]:
    """The solutions offered that this customer accepts; money beyond the standard is accepted too
    (the customer gains) — scoring, not the customer, marks it as beyond the standard."""
    return tuple(kind for kind in reading.solutions if kind in persona.acceptable)


def within_standard(persona: Persona, reading: Reading) -> bool:
    money = any(kind in MONEY_KINDS for kind in reading.solutions)
    return not money or reading.amount is None or reading.amount <= persona.compensation_standard


def step(persona: Persona, state: State, reading: Reading) -> Reaction:
    """The customer's reaction to one reply. Final states absorb: they answer and stay."""
    counted = replace(state, replies=state.replies + 1)
    if state.phase == ACCEPTED:
        event = "thanked" if reading.thanked else "after_accept"
        return _react(persona, counted, event)
    if state.phase == ESCALATED:
        return _react(persona, counted, "after_escalate")

    intensity = counted.intensity + _effect("negative") * len(reading.negative)
    because: tuple[str, ...] = ()
    new = counted
    if reading.acknowledged and not reading.blamed:
        intensity += _effect("acknowledged" if not state.acknowledged else "acknowledged_again")
        new = replace(new, acknowledged=new.acknowledged + 1)
        if new.phase == VENTING:
            new = replace(new, phase=CALMING)

    fact_code = None
    if reading.blamed:
        event, because = "blamed", reading.blamed
    elif reading.refused:
        event, because = "refused", reading.refused
    elif reading.solutions:
        fitting = acceptable(persona, reading)
        new = replace(new, phase=NEGOTIATING)
        if not fitting:
            event, because = "wrong_solution", reading.solution_words
        elif not persona.key_facts <= set(new.revealed):
            event, because = "not_understood", reading.solution_words
        elif not reading.time_limit:
            event, because = "no_time_limit", reading.solution_words
        elif _clamp(intensity) > persona.accept_below:
            event, because = "not_heard", reading.solution_words
        else:
            event, because = "accepted", (*reading.solution_words, reading.time_limit)
            new = replace(new, phase=ACCEPTED, accepted_solution=fitting)
    elif reading.questions:
        fact_code = _fact_asked(persona, new, reading)
        if fact_code:
            event, because = "reveal", reading.questions
            new = replace(new, revealed=(*new.revealed, fact_code))
        elif reading.open_questions:
            event, because = "nothing_more", reading.open_questions
        else:
            event, because = "closed_answer", reading.closed_questions
    elif reading.acknowledged:
        event, because = "acknowledged", reading.acknowledged
    else:
        event = "ignored"

    intensity += _effect(event) if event != "reveal" else _effect("asked")
    new = replace(new, intensity=_clamp(intensity))
    if event in REFUSALS:
        new = replace(new, refusals=new.refusals + 1)
        if new.refusals >= persona.tolerance:
            return _react(persona, replace(new, phase=ESCALATED), "escalated", because=because)
    fact = persona.fact(fact_code).text if fact_code else ""
    return _react(persona, new, event, fact=fact, because=because)


def _react(
    persona: Persona, state: State, event: str, *, fact: str = "", because: tuple[str, ...] = ()
) -> Reaction:
    zh, en = _line(event, state, persona, fact)
    label, _intensity = emotion_of(state, persona.emotion)
    return Reaction(state, event, zh, en, label, fact=fact, because=because)


def opening(persona: Persona) -> Reaction:
    """The customer's first words."""
    state = start(persona)
    return Reaction(state, "opening", persona.opening, persona.opening, emotion_of(state, persona.emotion)[0])

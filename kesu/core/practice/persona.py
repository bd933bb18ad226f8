"""Scenarios 场景 as data: a brief for the agent and a persona for the customer.

A persona holds what the person playing the customer (or the simulated customer) knows and the agent
must find out: the tier, the opening words and starting emotion, the hidden facts each revealed only to
the right question, the demand and its amount, the compensation standard the company applies, the
solutions this customer can accept, and the tolerance — how many refusals before the customer escalates,
and with which words. The four scenarios of the material are ``data/scenarios.json``; the Django app
keeps editable copies and passes them here as :class:`Scenario` values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from kesu.core.analysis.result import CATEGORIES, EMOTIONS

#: What an agent can offer, read from the reply by :mod:`.reading` (``data/solutions.tsv``).
SOLUTION_KINDS = (
    "refund",  # 退款
    "replacement",  # 换货/换新
    "repair",  # 维修/上门检修
    "compensation",  # 补偿/赔偿 (an amount; the standard applies)
    "credit",  # 话费/账户返还 (SPEC §4: credit to the bill is preferred over cash)
    "explanation",  # 说明原因/解释
    "handle_for_you",  # 代为办理/帮您办好
    "dedicated_owner",  # 专人负责/专线跟进
)
TIERS = ("standard", "high", "vip")
#: Solutions whose amount the compensation standard bounds.
MONEY_KINDS = frozenset({"compensation", "credit"})


class ScenarioError(ValueError):
    """A scenario that cannot be played (no opening words, an unknown solution, a tolerance of 0 …)."""


@dataclass(frozen=True)
class HiddenFact:
    """A fact the customer tells only when asked: an open question reveals the next untold fact; a
    question naming one of ``cues`` reveals that one. A ``key`` fact must be known before the customer
    accepts a solution (confirm the facts before proposing, SPEC §4 确认需求)."""

    code: str
    text: str
    cues: tuple[str, ...] = ()
    key: bool = False


@dataclass(frozen=True)
class Persona:
    opening: str
    emotion: str = "anger"
    intensity: float = 0.8
    tier: str = "standard"
    facts: tuple[HiddenFact, ...] = ()
    demand: str = ""  # what the customer asks for, in the customer's words
    demand_amount: float | None = None  # 元
    compensation_standard: float = 0.0  # 元: what the company's standard allows
    acceptable: tuple[str, ...] = ()  # solution kinds this customer accepts
    tolerance: int = 3  # refusals before the customer escalates (忍耐极限点)
    escalation_line: str = "我要找你们领导！"
    accept_below: float = 0.75  # the customer weighs a solution only once calmer than this

    def fact(self, code: str) -> HiddenFact:
        for fact in self.facts:
            if fact.code == code:
                return fact
        raise KeyError(code)

    @property
    def key_facts(self) -> frozenset[str]:
        return frozenset(f.code for f in self.facts if f.key)


@dataclass(frozen=True)
class Scenario:
    code: str
    title: str
    brief: str  # what the agent reads before starting
    persona: Persona
    title_en: str = ""
    brief_en: str = ""
    category: str = "other"
    #: Quality-inspection items this scenario trains: weak QA items recommend it.
    trains: tuple[str, ...] = ()
    authority_limit: float | None = None  # the trainee's authority in this scenario (元); None: their own


def _number(value: Any, what: str, *, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{what} must be a number")
    if value < low or (high is not None and value > high):
        raise ScenarioError(f"{what} must be between {low} and {high}" if high else f"{what} must be ≥ {low}")
    return float(value)


def persona_from_dict(data: Mapping[str, Any]) -> Persona:
    """A persona from its JSON form; every problem is a :class:`ScenarioError` naming the field."""
    if not isinstance(data, Mapping):
        raise ScenarioError("the persona must be an object")
    opening = str(data.get("opening") or "").strip()
    if not opening:
        raise ScenarioError("the persona needs opening words")
    emotion = data.get("emotion", "anger")
    if emotion not in EMOTIONS:
        raise ScenarioError(f"unknown emotion {emotion!r}; one of {', '.join(EMOTIONS)}")
    tier = data.get("tier", "standard")
    if tier not in TIERS:
        raise ScenarioError(f"unknown tier {tier!r}; one of {', '.join(TIERS)}")
    acceptable = tuple(data.get("acceptable") or ())
    unknown = [kind for kind in acceptable if kind not in SOLUTION_KINDS]
    if unknown or not acceptable:
        raise ScenarioError(f"acceptable solutions must be some of {', '.join(SOLUTION_KINDS)}")
    facts = []
    for index, row in enumerate(data.get("facts") or ()):
        if not isinstance(row, Mapping) or not str(row.get("text") or "").strip():
            raise ScenarioError(f"hidden fact {index + 1} needs a text")
        cues = row.get("cues") or ()
        if isinstance(cues, str) or not all(isinstance(c, str) and c.strip() for c in cues):
            raise ScenarioError(f"hidden fact {index + 1}: cues are a list of words")
        facts.append(
            HiddenFact(
                code=str(row.get("code") or f"fact{index + 1}"),
                text=str(row["text"]).strip(),
                cues=tuple(c.strip() for c in cues),
                key=bool(row.get("key", False)),
            )
        )
    if len({f.code for f in facts}) != len(facts):
        raise ScenarioError("hidden facts need distinct codes")
    amount = data.get("demand_amount")
    tolerance = data.get("tolerance", 3)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int) or not 1 <= tolerance <= 10:
        raise ScenarioError("tolerance must be a whole number of refusals from 1 to 10")
    line = str(data.get("escalation_line") or "").strip()
    if not line:
        raise ScenarioError("the persona needs an escalation line")
    return Persona(
        opening=opening,
        emotion=emotion,
        intensity=_number(data.get("intensity", 0.8), "intensity", high=1.0),
        tier=tier,
        facts=tuple(facts),
        demand=str(data.get("demand") or ""),
        demand_amount=None if amount is None else _number(amount, "demand amount"),
        compensation_standard=_number(data.get("compensation_standard", 0), "compensation standard"),
        acceptable=acceptable,
        tolerance=tolerance,
        escalation_line=line,
        accept_below=_number(data.get("accept_below", 0.75), "accept_below", high=1.0),
    )


def persona_as_dict(persona: Persona) -> dict[str, Any]:
    return {
        "opening": persona.opening,
        "emotion": persona.emotion,
        "intensity": persona.intensity,
        "tier": persona.tier,
        "facts": [
            {"code": f.code, "text": f.text, "cues": list(f.cues), "key": f.key} for f in persona.facts
        ],
        "demand": persona.demand,
        "demand_amount": persona.demand_amount,
        "compensation_standard": persona.compensation_standard,
        "acceptable": list(persona.acceptable),
        "tolerance": persona.tolerance,
        "escalation_line": persona.escalation_line,
        "accept_below": persona.accept_below,
    }


def scenario_from_dict(data: Mapping[str, Any]) -> Scenario:
    code = str(data.get("code") or "").strip()
    if not code:
        raise ScenarioError("a scenario needs a code")
    category = data.get("category", "other")
    if category not in CATEGORIES:
        raise ScenarioError(f"unknown category {category!r}")
    limit = data.get("authority_limit")
    return Scenario(
        code=code,
        title=str(data.get("title") or code),
        title_en=str(data.get("title_en") or ""),
        brief=str(data.get("brief") or ""),
        brief_en=str(data.get("brief_en") or ""),
        category=category,
        trains=tuple(data.get("trains") or ()),
        authority_limit=None if limit is None else _number(limit, "authority limit"),
        persona=persona_from_dict(data.get("persona") or {}),
    )


@lru_cache(maxsize=1)
def _default_data() -> tuple[dict[str, Any], ...]:
    text = resources.files(__package__).joinpath("data", "scenarios.json").read_text(encoding="utf-8")
    return tuple(json.loads(text)["scenarios"])


def default_scenarios_data() -> list[dict[str, Any]]:
    """The material's four scenarios as JSON-ready dicts (fresh copies, to seed the database)."""
    return json.loads(json.dumps(_default_data()))


def default_scenarios() -> tuple[Scenario, ...]:
    return tuple(scenario_from_dict(row) for row in _default_data())

"""Kesu training 培训 (SPEC §9, §11): role-play practice against a simulated customer or in rotating
groups, scored on the four criteria, and the anonymisation of real cases for the case library.
Framework-free: no Django, DRF or Celery import here.

    from kesu.core.practice import default_scenarios, get_backend, score_practice, Outcome
    scenario = default_scenarios()[0]
    customer = get_backend()
    first = customer.open(scenario.persona)                  # the customer's opening words
    reaction = customer.respond(scenario.persona, first.state, "非常抱歉，能告诉我具体情况吗？", authority_limit=100)
    reaction.line, reaction.event, reaction.state.phase      # a hidden fact told, "reveal", "calming"

- :mod:`.persona` — scenarios and personas as data (``data/scenarios.json``: the material's four).
- :mod:`.reading` — what one reply does (reply checker + quality inspection's phrase rules + amounts).
- :mod:`.simulator` — the simulated customer's state machine; :mod:`.backend` — who plays it.
- :mod:`.scoring` — the four criteria with evidence, weights, totals.
- :mod:`.rotation` — groups of 2–3 rotating customer, agent and observer.
- :mod:`.anonymise` — nothing personal left in a published case.
"""

from .anonymise import Anonymised, Known, anonymise, leaks
from .backend import BACKENDS, CustomerBackend, RuleCustomer, get_backend
from .persona import (
    SOLUTION_KINDS,
    TIERS,
    HiddenFact,
    Persona,
    Scenario,
    ScenarioError,
    default_scenarios,
    default_scenarios_data,
    persona_as_dict,
    persona_from_dict,
    scenario_from_dict,
)
from .reading import Reading, read_reply
from .rotation import (
    AGENT,
    CUSTOMER,
    OBSERVER,
    ROLES,
    RotationError,
    role_of,
    roles_in_round,
    rounds_for,
    split_into_groups,
)
from .scoring import (
    CRITERIA,
    CRITERION_NAMES,
    DEFAULT_WEIGHTS,
    CriterionScore,
    Outcome,
    Proof,
    Scoring,
    score_practice,
    total,
)
from .simulator import ACCEPTED, ESCALATED, FINAL, PHASES, Reaction, State, emotion_of, opening, start, step

__all__ = [
    "ACCEPTED",
    "AGENT",
    "BACKENDS",
    "CRITERIA",
    "CRITERION_NAMES",
    "CUSTOMER",
    "DEFAULT_WEIGHTS",
    "ESCALATED",
    "FINAL",
    "OBSERVER",
    "PHASES",
    "ROLES",
    "SOLUTION_KINDS",
    "TIERS",
    "Anonymised",
    "CriterionScore",
    "CustomerBackend",
    "HiddenFact",
    "Known",
    "Outcome",
    "Persona",
    "Proof",
    "Reaction",
    "Reading",
    "RotationError",
    "RuleCustomer",
    "Scenario",
    "ScenarioError",
    "Scoring",
    "State",
    "anonymise",
    "default_scenarios",
    "default_scenarios_data",
    "emotion_of",
    "get_backend",
    "leaks",
    "opening",
    "persona_as_dict",
    "persona_from_dict",
    "read_reply",
    "role_of",
    "roles_in_round",
    "rounds_for",
    "scenario_from_dict",
    "score_practice",
    "split_into_groups",
    "start",
    "step",
    "total",
]

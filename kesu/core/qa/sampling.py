"""Sampling 抽检: which handled complaints quality inspection looks at, drawn reproducibly.

A plan samples ``rate`` (0..1) of each agent's complaints of a month at random, and always includes
those with one of the ``always`` flags (escalated, regulator-sourced, dissatisfied follow-up, marked
bad-faith). "At random" is reproducible: each candidate's rank is the SHA-256 of ``seed:id``, and an
agent's random picks are their ``ceil(rate × n)`` lowest-ranked candidates among those not already
included by a flag (n: all the agent's candidates). The same candidates, rate and seed always give the
same sample, on any machine; a new seed gives another.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass

#: The always-include flags, in the order a pick's reason is named by.
ALWAYS_FLAGS = ("escalated", "regulator", "dissatisfied", "bad_faith")
RANDOM = "random"


@dataclass(frozen=True)
class Candidate:
    id: int
    agent: int
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Pick:
    id: int
    agent: int
    reason: str  # "random", or the first always-flag that included it


def rank(seed: str, candidate_id: int) -> str:
    return hashlib.sha256(f"{seed}:{candidate_id}".encode()).hexdigest()


def draw_sample(
    candidates: Iterable[Candidate], *, rate: float, seed: str, always: Iterable[str] = ALWAYS_FLAGS
) -> list[Pick]:
    """The picks, ordered by agent then id."""
    if not 0 <= rate <= 1:
        raise ValueError("rate must be between 0 and 1")
    always = tuple(flag for flag in ALWAYS_FLAGS if flag in set(always))
    by_agent: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        by_agent.setdefault(candidate.agent, []).append(candidate)
    picks = []
    for agent, group in by_agent.items():
        chosen: dict[int, str] = {}
        for candidate in group:
            flag = next((f for f in always if f in candidate.flags), None)
            if flag:
                chosen[candidate.id] = flag
        quota = math.ceil(rate * len(group) - 1e-9)
        rest = sorted((c for c in group if c.id not in chosen), key=lambda c: rank(seed, c.id))
        for candidate in rest[:quota]:
            chosen[candidate.id] = RANDOM
        picks += [Pick(cid, agent, why) for cid, why in chosen.items()]
    return sorted(picks, key=lambda p: (p.agent, p.id))

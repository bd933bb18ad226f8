"""Group practice as the material runs it (SPEC §11): trainees in groups of 2–3 rotate the roles of
customer 客户, agent 坐席 and observer 观察员 over rounds, so that each plays the agent once.

Pure arithmetic over positions: the Django side stores members by position and asks who plays what.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

CUSTOMER, AGENT, OBSERVER = "customer", "agent", "observer"
ROLES = (CUSTOMER, AGENT, OBSERVER)
MIN_GROUP, MAX_GROUP = 2, 3

T = TypeVar("T")


class RotationError(ValueError):
    """A group of the wrong size, or a round that does not exist."""


def rounds_for(size: int) -> int:
    """A group plays as many rounds as it has members: each member is the agent once."""
    if not MIN_GROUP <= size <= MAX_GROUP:
        raise RotationError(f"a practice group has {MIN_GROUP} to {MAX_GROUP} members, not {size}")
    return size


def roles_in_round(members: Sequence[T], round_no: int) -> dict[str, T | None]:
    """Who plays each role in round ``round_no`` (1-based). The member at position ``i`` is the agent
    in round ``i + 1``; the one before them (cyclically) plays the customer, the one after observes.
    A pair has no observer: the customer also fills in the scoring sheet."""
    size = len(members)
    rounds = rounds_for(size)
    if not 1 <= round_no <= rounds:
        raise RotationError(f"round {round_no} of {rounds}")
    agent = round_no - 1
    cast: dict[str, T | None] = {
        AGENT: members[agent],
        CUSTOMER: members[(agent - 1) % size],
        OBSERVER: members[(agent + 1) % size] if size == MAX_GROUP else None,
    }
    return cast


def role_of(members: Sequence[T], round_no: int, member: T) -> str | None:
    for role, who in roles_in_round(members, round_no).items():
        if who == member:
            return role
    return None


def split_into_groups(trainees: Sequence[T], *, size: int = MAX_GROUP) -> list[list[T]]:
    """Trainees in groups as near ``size`` (2 or 3) as the count allows, in order, sizes differing by
    at most one and never a group of one (with threes: four trainees make two pairs, five a three and
    a pair, seven a three and two pairs)."""
    if size not in (MIN_GROUP, MAX_GROUP):
        raise RotationError(f"groups of {MIN_GROUP} or {MAX_GROUP}")
    count = len(trainees)
    if count < MIN_GROUP:
        raise RotationError(f"at least {MIN_GROUP} trainees")
    groups_n = -(-count // size)  # ceil
    while groups_n * MIN_GROUP > count:
        groups_n -= 1
    while count > groups_n * MAX_GROUP:  # size 2 with a remainder: add to the groups, as threes
        groups_n += 1
    base, extra = divmod(count, groups_n)
    groups, start = [], 0
    for index in range(groups_n):
        length = base + (1 if index < extra else 0)
        groups.append(list(trainees[start : start + length]))
        start += length
    return groups

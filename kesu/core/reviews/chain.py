"""The full-chain reconstruction of a review (SPEC §11): the trigger point, the staff behaviour
chain and the customer's emotion arc (e.g. 疑问 → 愤怒 → 公开曝光), from what the caller read out of
the audit trail and the conversation."""

from __future__ import annotations

from collections.abc import Iterable

#: A public-exposure or regulator threat ends the arc as its own step (the crisis the arc led to).
CRISIS_TRIGGERS = ("public_exposure", "regulator", "legal")


def emotion_arc(points: Iterable[tuple[str | None, Iterable[str]]]) -> list[str]:
    """The arc of the customer's messages, oldest first, each ``(emotion label, trigger codes)``:
    consecutive repeats collapse into one step, and a crisis trigger is a step of its own."""
    arc: list[str] = []
    for label, triggers in points:
        steps = [label] if label else []
        steps += [t for t in CRISIS_TRIGGERS if t in set(triggers)]
        for step in steps:
            if not arc or arc[-1] != step:
                arc.append(step)
    return arc

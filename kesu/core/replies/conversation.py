"""What the conversation so far says about the agent: LAST coverage and the listening ratio.

- LAST (SPEC §4; §10 质检): Listen, Apologize/Empathize, Solve, Thank. A step is covered when an agent
  turn (or the draft) holds one of its phrases in ``data/last_steps.tsv``.
- Listening ratio (SPEC §5: 听与说的比例约为 7:3): the customer's speaking characters over the agent's,
  so 7:3 is about 2.33. :func:`listening_tip` gives a tip when the customer's share of the speaking falls
  below ``listening_tip_below`` of ``data/settings.json`` (default 0.5: the agent talks more).

A conversation is a list of ``(kind, body)`` pairs, oldest first, ``kind`` being ``"customer"`` or
``"agent"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .findings import Finding, make_finding
from .rules import LAST_STEPS, get_rules
from .text import fold, speaking_length

Conversation = Sequence[tuple[str, str]]
SPEAKERS = ("customer", "agent")


def validate_conversation(conversation: object) -> list[tuple[str, str]]:
    """The conversation as a list of (kind, body); TypeError/ValueError on a malformed one."""
    if conversation is None:
        return []
    if isinstance(conversation, str | bytes) or not isinstance(conversation, Iterable):
        raise TypeError("conversation must be a list of (kind, body) pairs")
    turns = []
    for turn in conversation:
        if not isinstance(turn, list | tuple) or len(turn) != 2:
            raise TypeError("each conversation turn must be a (kind, body) pair")
        kind, body = turn
        if kind not in SPEAKERS:
            raise ValueError(f"turn kind must be 'customer' or 'agent', got {kind!r}")
        if not isinstance(body, str):
            raise TypeError("turn body must be a string")
        turns.append((kind, body))
    return turns


def last_steps_covered(agent_texts: Iterable[str]) -> dict[str, bool]:
    """{"listen", "apologize", "solve", "thank"} -> covered by any of the agent's texts."""
    return last_steps_in(fold(body).text for body in agent_texts)


def last_steps_in(folded_texts: Iterable[str]) -> dict[str, bool]:
    """LAST coverage of texts already folded (:func:`.text.fold`)."""
    rules = get_rules()
    covered = dict.fromkeys(LAST_STEPS, False)
    for text in folded_texts:
        for step in LAST_STEPS:
            covered[step] = covered[step] or rules.last_steps[step].search(text)
    return covered


def _lengths(conversation: Conversation) -> tuple[int, int]:
    turns = validate_conversation(conversation)
    customer = sum(speaking_length(body) for kind, body in turns if kind == "customer")
    agent = sum(speaking_length(body) for kind, body in turns if kind == "agent")
    return customer, agent


def listening_ratio(conversation: Conversation) -> float | None:
    """Customer speaking characters / agent speaking characters (SPEC: about 7:3 = 2.33);
    None while the agent has said nothing."""
    customer, agent = _lengths(conversation)
    if agent == 0:
        return None
    return round(customer / agent, 3)


def listening_tip(conversation: Conversation) -> Finding | None:
    """The ``listening_ratio_low`` tip when the agent is doing most of the talking, else None.

    Silent until both sides together have spoken ``listening_min_chars`` characters: one long first
    answer to a short question is not a habit yet.
    """
    settings = get_rules().settings
    customer, agent = _lengths(conversation)
    if agent == 0 or customer + agent < settings["listening_min_chars"]:
        return None
    share = customer / (customer + agent)
    if share >= settings["listening_tip_below"]:
        return None
    return make_finding(
        "listening_ratio_low", ratio=f"{share:.0%}", target=f"{settings['listening_target']:.0%}"
    )

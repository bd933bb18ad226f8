"""Who plays the simulated customer: a backend turns the trainee's reply into the customer's reaction.

The default, ``rules``, is the deterministic state machine of :mod:`.simulator` over the reading of
:mod:`.reading` — offline, no model to download. A backend driven by a language model can be added
later by registering another :class:`CustomerBackend` under a name; the Django side picks the backend by
the setting ``KESU_PRACTICE_CUSTOMER`` (``rules`` unless set), so none is on by default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .persona import Persona
from .reading import read_reply
from .simulator import Reaction, State, opening, step


class CustomerBackend(Protocol):
    name: str

    def open(self, persona: Persona) -> Reaction: ...

    def respond(
        self, persona: Persona, state: State, reply: str, *, authority_limit: float | None
    ) -> Reaction: ...


class RuleCustomer:
    """The state machine: the same replies always give the same conversation."""

    name = "rules"

    def open(self, persona: Persona) -> Reaction:
        return opening(persona)

    def respond(
        self, persona: Persona, state: State, reply: str, *, authority_limit: float | None
    ) -> Reaction:
        return step(persona, state, read_reply(reply, authority_limit=authority_limit))


BACKENDS: dict[str, Callable[[], CustomerBackend]] = {"rules": RuleCustomer}


def get_backend(name: str = "rules") -> CustomerBackend:
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ValueError(
            f"unknown simulated-customer backend {name!r}; one of {', '.join(BACKENDS)}"
        ) from None

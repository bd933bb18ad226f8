"""Who talks how much, who talks over whom, and how long the customer waits — from the turns' times.

- :func:`listening_share`: the customer's share of the speaking (SPEC §5: 听与说的比例约为 7:3, a share of
  0.7) by talk time where every turn has a start and an end, by speaking characters otherwise
  (letters, digits and Han characters; :func:`kesu.core.replies.text.speaking_length`).
- :func:`interruptions`: agent turns that start while the customer is still speaking (overlapping turns
  of a call export), by more than ``min_overlap`` seconds.
- :func:`response_waits`: for each agent turn answering the customer, how long the customer waited:
  on a call from the end of the customer's last turn; in a chat (start times only) from the first
  customer message the agent had not answered yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kesu.core.replies.text import speaking_length

from .transcript import AGENT, CUSTOMER, Transcript, Turn


@dataclass(frozen=True)
class Share:
    customer: float  # seconds or characters
    agent: float
    by: str  # "time" | "chars"

    @property
    def share(self) -> float | None:
        """The customer's share of the speaking, 0..1 (None when nobody spoke)."""
        spoken = self.customer + self.agent
        return round(self.customer / spoken, 4) if spoken > 0 else None


def listening_share(turns: Sequence[Turn]) -> Share:
    if turns and all(t.duration is not None for t in turns):
        by, size = "time", lambda t: t.duration or 0.0
    else:
        by, size = "chars", lambda t: float(speaking_length(t.text))
    customer = sum(size(t) for t in turns if t.speaker == CUSTOMER)
    agent = sum(size(t) for t in turns if t.speaker == AGENT)
    return Share(customer=round(customer, 3), agent=round(agent, 3), by=by)


@dataclass(frozen=True)
class Interruption:
    turn: int  # the agent turn that starts too early
    customer_turn: int  # the customer turn it overlaps
    overlap: float  # seconds


def interruptions(transcript: Transcript, *, min_overlap: float = 0.5) -> list[Interruption]:
    """Agent turns starting more than ``min_overlap`` s before the customer's current turn ends."""
    found = []
    speaking: tuple[int, float] | None = None  # the customer turn still running: (index, end)
    for index, turn in enumerate(transcript.turns):
        if turn.start is None or turn.end is None:
            return []
        if turn.speaker == CUSTOMER:
            if speaking is None or turn.end > speaking[1]:
                speaking = (index, turn.end)
        elif speaking is not None and speaking[1] - turn.start > min_overlap:
            found.append(Interruption(index, speaking[0], round(speaking[1] - turn.start, 2)))
    return found


@dataclass(frozen=True)
class Wait:
    turn: int  # the agent turn
    seconds: float


def response_waits(transcript: Transcript) -> list[Wait]:
    """How long the customer waited before each agent reply whose wait the times show (a turn
    without a start time ends the wait unmeasured)."""
    by_end = transcript.talk_timed
    waits = []
    waiting_since: float | None = None
    for index, turn in enumerate(transcript.turns):
        if turn.speaker == CUSTOMER:
            if by_end:
                waiting_since = turn.end
            elif waiting_since is None:
                waiting_since = turn.start
        else:
            if waiting_since is not None and turn.start is not None:
                waits.append(Wait(index, round(max(0.0, turn.start - waiting_since), 2)))
            waiting_since = None
    return waits

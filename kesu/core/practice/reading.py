"""What one reply of the trainee does to the customer: a :class:`Reading`, made of the reply checker's
findings (:mod:`kesu.core.replies`: forbidden phrases, negative expressions, promises beyond authority,
LAST steps), quality inspection's phrase rules (:mod:`kesu.core.qa`: empathy and apology, open and closed
questions, time limits), the analysis engine's amounts (:mod:`kesu.core.analysis.amounts`) and this
package's own files: the solutions an agent can offer (``data/solutions.tsv``) and plain refusals
(``data/refusals.tsv``). A solution or an amount in a clause that restates the customer's demand (the
reply checker's restate words: 您要求, 您希望 …) is not offered. The simulated customer reacts to
readings only; it never reads the text. (The engine's emotion model reads customers' words, not the
agent's — an empathetic reply full of 生气 reads as anger — so the customer's emotion moves on what the
reply does, not on the engine's emotion of it.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from kesu.core.analysis.amounts import find_amounts
from kesu.core.qa.checks import Context, questions, time_limits
from kesu.core.qa.transcript import AGENT, Transcript
from kesu.core.replies import check_reply
from kesu.core.replies.rules import PhraseSet, Row
from kesu.core.replies.text import clause_span, fold, fold_phrase

from .persona import SOLUTION_KINDS

MAX_REPLY_CHARS = 2000


def _rows(name: str) -> list[Row]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            kind, phrase = (cell.strip() for cell in [*line.split("\t"), ""][:2])
            rows.append(Row(kind=kind, phrase=fold_phrase(phrase)))
    return rows


@lru_cache(maxsize=1)
def _solutions() -> dict[str, PhraseSet]:
    rows = _rows("solutions.tsv")
    return {kind: PhraseSet(rows, kind) for kind in SOLUTION_KINDS}


@lru_cache(maxsize=1)
def _refusals() -> PhraseSet:
    return PhraseSet(_rows("refusals.tsv"), "phrase")


@dataclass(frozen=True)
class Reading:
    """One reply, as the customer hears it. Every field holds the words that show it (evidence)."""

    text: str
    blamed: tuple[str, ...] = ()  # forbidden phrases: arguing, blaming, hiding behind rules
    negative: tuple[str, ...] = ()  # negative expressions (很抱歉让您久等了 …)
    acknowledged: tuple[str, ...] = ()  # acknowledgement, empathy, apology
    open_questions: tuple[str, ...] = ()
    closed_questions: tuple[str, ...] = ()
    solutions: tuple[str, ...] = ()  # kinds offered, in SOLUTION_KINDS order
    solution_words: tuple[str, ...] = ()
    amount: float | None = None  # the largest amount named (元)
    time_limit: str = ""
    refused: tuple[str, ...] = ()  # a plain refusal, without any solution in the reply
    over_authority: bool = False  # an amount beyond the trainee's authority
    over_promise: bool = False  # an absolute guarantee
    thanked: bool = False
    last_steps: tuple[str, ...] = ()

    @property
    def questions(self) -> tuple[str, ...]:
        return self.open_questions + self.closed_questions

    def as_dict(self) -> dict:
        return {
            "blamed": list(self.blamed),
            "negative": list(self.negative),
            "acknowledged": list(self.acknowledged),
            "open_questions": list(self.open_questions),
            "closed_questions": list(self.closed_questions),
            "solutions": list(self.solutions),
            "solution_words": list(self.solution_words),
            "amount": self.amount,
            "time_limit": self.time_limit,
            "refused": list(self.refused),
            "over_authority": self.over_authority,
            "over_promise": self.over_promise,
            "thanked": self.thanked,
            "last_steps": list(self.last_steps),
        }


def read_reply(text: str, *, authority_limit: float | None = None) -> Reading:
    """Read one reply of the trainee (cut at :data:`MAX_REPLY_CHARS`)."""
    text = (text or "")[:MAX_REPLY_CHARS]
    if not text.strip():
        return Reading(text=text)
    check = check_reply(text, authority_limit=authority_limit)

    def found(code: str, severity: str | None = None) -> tuple[str, ...]:
        return tuple(
            f.evidence
            for f in check.findings
            if f.code == code and (severity is None or f.severity == severity)
        )

    ctx = Context(Transcript.of([(AGENT, text)]))
    rules = ctx.rules
    folding = fold(text)
    folded = folding.text

    def said(start: int, end: int) -> str:  # the words as the trainee wrote them
        a, b = folding.span(start, end)
        return text[a:b]

    acknowledged = [e.text for e in ctx.find(rules.apology) + ctx.find(rules.empathy)]
    acknowledged += [said(h.start, h.end) for h in rules.replies.acknowledgement.find(folded)]
    asked = questions(ctx)
    restate = rules.replies.restate

    def offered(start: int, end: int) -> bool:
        """Not the customer's demand restated (您要求赔偿3000元 offers nothing)."""
        left, right = clause_span(folded, start, end)
        return not restate.search(folded[left:right])

    kinds, words = [], []
    for kind, phrases in _solutions().items():
        hits = [h for h in phrases.find(folded) if offered(h.start, h.end)]
        if hits:
            kinds.append(kind)
            words.append(said(hits[0].start, hits[0].end))
    amounts = [a.value for a in find_amounts(folded) if offered(a.start, a.end)]
    limits = time_limits(ctx)
    refusals = () if kinds else tuple(said(h.start, h.end) for h in _refusals().find(folded))
    return Reading(
        text=text,
        blamed=found("forbidden_phrase", "block"),
        negative=found("negative_expression"),
        acknowledged=tuple(dict.fromkeys(acknowledged)),
        open_questions=tuple(q.text for q in asked if q.note == "open"),
        closed_questions=tuple(q.text for q in asked if q.note == "closed"),
        solutions=tuple(kinds),
        solution_words=tuple(words),
        amount=max(amounts) if amounts else None,
        time_limit=limits[0].text if limits else "",
        refused=refusals,
        over_authority=bool(found("promise_beyond_authority")),
        over_promise=bool(found("over_promise")),
        thanked=bool(check.last_steps.get("thank")),
        last_steps=tuple(step for step, said in check.last_steps.items() if said),
    )

"""The automatic checks of quality inspection 自动质检项: one function per check, registered by name.

Every check reads a :class:`Context` (the transcript, each turn folded once, the reply checker's result
for each agent turn) and the item's ``params``, and returns a :class:`Result`: a score from 0 to 1, or
None when the item does not apply; the key of its reason in ``data/reasons.tsv``; and its evidence — the
turn and the character span in that turn's text, as written, that show why.

=====================  ==========================================================================
check                  scores
=====================  ==========================================================================
last_order             LAST steps (``replies/data/last_steps.tsv``) present: ¼ each, less
                       ``out_of_order_penalty`` per pair out of order (thanks counted where last said)
empathy_apology        1 for empathy and an apology (``empathy.tsv``), ``one_of_two`` for one
open_question_first    1 when the agent's first question or request is open (``questions.tsv``);
                       ``open_later``, ``closed_only``, ``none`` otherwise
restating              1 for a restating phrase (``restate.tsv``) and the customer's own content words
                       taken up (``min_shared_words``); ``one_of_two`` for one of them
solution_time_limit    1 for steps the customer can follow now (``solutions.tsv``), or for an act of
                       the company (a LAST solve word) with a concrete time limit (the reply
                       checker's ``time_limits.tsv``); ``one_of_two`` for one of the two
firm_promise           share of promise clauses (a promise marker of ``promises.tsv``, or a hedge of
                       ``hedges.tsv``, with an action) without a hedge; None without promises
thanks_at_end          1 for thanks in the last agent turn, ``not_at_end`` for thanks earlier
positive_expression    1 − ``per_finding`` × negative expressions (``rewrites.tsv``)
i_over_we              commitments as 我 (``commit_i.tsv``) / all commitments (我们: ``we_commit.tsv``)
polite_you             您 / (您 + 你) in the agent's Chinese; None without either
no_forbidden           0 with a forbidden phrase (``forbidden.tsv``, not when quoted), else 1
no_over_promise        0 with an over-promise or an amount beyond ``Facts.authority_limit``, else 1
ask_name               1 when the agent asks how to address the customer or uses a title (张先生)
next_time              1 when the agent says what to do next time (``next_time.tsv``)
listening_ratio        the customer's share of the speaking before the agent's first solution: 1 at
                       ``full_at`` or more, 0 at ``zero_at`` or less, linear between
interruptions          1 − ``per_interruption`` × interruptions; None without start and end times
response_time          the complaint's service-level clocks (``Facts.sla``) met / decided; otherwise the
                       share of replies within ``max_wait_seconds`` of the channel; None without times
first_reply_solution   1 when the first agent turn offers a solution or reports progress (``progress.tsv``)
=====================  ==========================================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from itertools import pairwise

from kesu.core.replies import LAST_STEPS, ReplyCheck, check_reply
from kesu.core.replies.rules import PhraseSet
from kesu.core.replies.text import Folded, clause_span, fold, has_han

from . import talk
from .rules import QaRules, get_qa_rules
from .transcript import AGENT, CUSTOMER, Transcript


@dataclass(frozen=True)
class Facts:
    """What the words cannot tell: the agent's compensation authority (元), and the state of the
    complaint's service-level clocks (``first_reply`` / ``effective`` → ``met``, ``met_late``,
    ``breached``, or anything else for a clock still running)."""

    authority_limit: float | None = None
    sla: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    turn: int  # index into the transcript's turns
    start: int  # character span [start, end) in that turn's text as written
    end: int
    text: str
    note: str = ""  # what it shows: a LAST step, "open", "hedged", a suggested rewrite …

    def as_dict(self) -> dict:
        return {"turn": self.turn, "span": [self.start, self.end], "text": self.text, "note": self.note}


@dataclass(frozen=True)
class Result:
    score: float | None
    reason: str  # a key of data/reasons.tsv
    evidence: tuple[Evidence, ...] = ()
    values: Mapping[str, object] = field(default_factory=dict)  # for the reason's placeholders
    figures: Mapping[str, object] = field(default_factory=dict)  # measured numbers, for reports


class Context:
    """One transcript prepared for the checks: each turn folded once, each agent turn checked once."""

    def __init__(self, transcript: Transcript, facts: Facts | None = None) -> None:
        self.transcript = transcript
        self.facts = facts or Facts()
        self.rules: QaRules = get_qa_rules()
        self.turns = transcript.turns
        self.folded: list[Folded] = [fold(turn.text) for turn in self.turns]
        self.agent: list[int] = [i for i, turn in enumerate(self.turns) if turn.speaker == AGENT]
        self.language = (
            "zh" if any(has_han(self.folded[i].text) for i in self.agent) or not self.agent else "en"
        )
        self._hits: dict[tuple[int, int], list] = {}

    @cached_property
    def reply_checks(self) -> dict[int, ReplyCheck]:
        limit = self.facts.authority_limit
        return {i: check_reply(self.turns[i].text, authority_limit=limit) for i in self.agent}

    def evidence(self, turn: int, start: int, end: int, note: str = "") -> Evidence:
        """Evidence for the folded span [start, end) of a turn, pointing into the text as written."""
        a, b = self.folded[turn].span(start, end)
        return Evidence(turn, a, b, self.turns[turn].text[a:b], note)

    def hits(self, phrases: PhraseSet, turn: int) -> list:
        """The hits of ``phrases`` in one turn's folded text, found once per transcript."""
        key = (id(phrases), turn)
        found = self._hits.get(key)
        if found is None:
            found = self._hits[key] = phrases.find(self.folded[turn].text)
        return found

    def find(self, phrases: PhraseSet, turns: Iterable[int] | None = None, note: str = "") -> list[Evidence]:
        """Every hit of ``phrases`` in the given turns (the agent's by default), in order."""
        found = []
        for i in self.agent if turns is None else turns:
            for hit in self.hits(phrases, i):
                found.append(self.evidence(i, hit.start, hit.end, note))
        return found

    def findings(self, *codes: str, severity: str | None = None) -> list[Evidence]:
        """The reply checker's findings of these codes in the agent's turns, as evidence."""
        found = []
        for i, check in self.reply_checks.items():
            for f in check.findings:
                if f.code in codes and (severity is None or f.severity == severity) and f.span != (0, 0):
                    found.append(Evidence(i, f.span[0], f.span[1], f.evidence, f.suggestion or ""))
        return found

    def solutions(self, turns: Iterable[int] | None = None) -> list[Evidence]:
        """Solutions offered: acts of the company (LAST solve words, noted ``solution``) and steps for
        the customer to follow (``solutions.tsv``, noted ``steps``), in order."""
        if turns is None:
            return list(self._all_solutions)
        wanted = set(turns)
        return [e for e in self._all_solutions if e.turn in wanted]

    @cached_property
    def _all_solutions(self) -> list[Evidence]:
        found = self.find(self.rules.replies.last_steps["solve"], note="solution")
        found += self.find(self.rules.steps, note="steps")
        for i in self.agent:
            text = self.folded[i].text
            for hit in self.hits(self.rules.operation, i):
                left, right = clause_span(text, hit.start, hit.end)
                clause = text[left:right]
                frames = self.rules.frame.find(clause)
                if any(f.end <= hit.start - left or f.start >= hit.end - left for f in frames):
                    found.append(self.evidence(i, hit.start, hit.end, "steps"))
        return sorted(found, key=lambda e: (e.turn, e.start))

    @cached_property
    def first_solution_turn(self) -> int | None:
        """The first agent turn that offers a solution."""
        found = self.solutions()
        return found[0].turn if found else None


Check = Callable[[Context, Mapping], Result]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[name] = function
        return function

    return register


def _texts(evidence: Iterable[Evidence], limit: int = 3) -> str:
    """The first few distinct excerpts, for a reason's placeholder."""
    return "、".join(list(dict.fromkeys(e.text for e in evidence if e.text))[:limit])


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ranked(a: Evidence, b: Evidence) -> bool:
    """Does ``a`` come in an earlier turn than ``b``? (Steps within one turn are in no order.)"""
    return a.turn < b.turn


@check("last_order")
def last_order(ctx: Context, params: Mapping) -> Result:
    steps = {step: ctx.find(ctx.rules.replies.last_steps[step], note=step) for step in LAST_STEPS}
    steps["solve"] = [replace(e, note="solve") for e in ctx.solutions()]
    # Thanks belong at the end: judge the order by the last thanks, the other steps by their first hit.
    where = {step: (hits[-1] if step == "thank" else hits[0]) for step, hits in steps.items() if hits}
    present = [step for step in LAST_STEPS if step in where]
    disorder = [(a, b) for a, b in pairwise(present) if _ranked(where[b], where[a])]
    score = len(present) / len(LAST_STEPS) - float(params.get("out_of_order_penalty", 0.25)) * len(disorder)
    missing = [step for step in LAST_STEPS if step not in where]
    values = {
        "found": len(present),
        "missing": ("、".join(_step(s)[0] for s in missing), ", ".join(_step(s)[1] for s in missing)),
        "pairs": (
            "；".join(f"{_step(b)[0]}在{_step(a)[0]}之前" for a, b in disorder),
            "; ".join(f"{_step(b)[1]} before {_step(a)[1]}" for a, b in disorder),
        ),
    }
    key = "last_order.disorder" if disorder else "last_order.some" if missing else "last_order.all"
    return Result(max(0.0, round(score, 4)), key, tuple(where[s] for s in present), values)


def _step(step: str) -> tuple[str, str]:
    return reasons()[f"step.{step}"]


@check("empathy_apology")
def empathy_apology(ctx: Context, params: Mapping) -> Result:
    apology = ctx.find(ctx.rules.apology, note="apology")
    empathy = ctx.find(ctx.rules.empathy, note="empathy")
    evidence = tuple(apology[:1] + empathy[:1])
    if apology and empathy:
        return Result(1.0, "empathy_apology.both", evidence)
    if apology or empathy:
        key = "empathy_apology.apology" if apology else "empathy_apology.empathy"
        return Result(float(params.get("one_of_two", 0.6)), key, evidence)
    return Result(0.0, "empathy_apology.none")


_SENTENCE = re.compile(r"(?:[^。!?;\n.]|\.(?!\s|$))+(?:[。!?;\n]+|\.(?=\s|$))*")
_QUESTION_END = re.compile(r"(?:\?|[吗呢么][。.!~～…]*)\s*$")
#: A closed cue this near the start of a sentence makes it a question (请问是否…, can you confirm…).
_QUESTION_LEAD = 3


def questions(ctx: Context) -> list[Evidence]:
    """The agent's questions and requests for information, in order, noted ``open`` or ``closed``.

    A sentence is open when it holds an open cue (能告诉我…, 请详细描述…, what happened), question mark or
    not; closed when it is any other question (ending in ? or 吗/呢) or starts with a closed cue (是否…,
    can you confirm …)."""
    found = []
    for i in ctx.agent:
        text = ctx.folded[i].text
        for m in _SENTENCE.finditer(text):
            sentence = m.group(0).rstrip()
            span = (m.start(), m.start() + len(sentence))
            if ctx.rules.ask_name.search(sentence):
                continue  # asking how to address the customer is courtesy, not fact-finding
            if ctx.rules.open_question.search(sentence):
                found.append(ctx.evidence(i, *span, "open"))
            elif _QUESTION_END.search(sentence.rstrip("。;")) or any(
                hit.start <= _QUESTION_LEAD for hit in ctx.rules.closed_question.find(sentence)
            ):
                found.append(ctx.evidence(i, *span, "closed"))
    return found


@check("open_question_first")
def open_question_first(ctx: Context, params: Mapping) -> Result:
    asked = questions(ctx)
    opened = [q for q in asked if q.note == "open"]
    if not asked:
        return Result(float(params.get("none", 0.0)), "open_question_first.none")
    if asked[0].note == "open":
        closed = [q for q in asked if q.note == "closed"]
        return Result(
            1.0, "open_question_first.open_first", (asked[0], *closed[:1]), {"open": _short(asked[0].text)}
        )
    if opened:
        return Result(
            float(params.get("open_later", 0.5)), "open_question_first.open_later", (asked[0], opened[0])
        )
    return Result(float(params.get("closed_only", 0.25)), "open_question_first.closed_only", (asked[0],))


_FUNCTION_CHARS = frozenset(
    "的了是在我你他她它们这那就也都还吗呢吧啊呀哦么和与及或而但被把给让向对从很不有个要会能说一没过着到再又才只"
)
_LATIN_WORD = re.compile(r"[a-z][a-z'-]{4,}")
_NUMBER = re.compile(r"\d{4,}")


def content_words(text: str, stop: frozenset[str]) -> set[str]:
    """What a customer's turn is about: long numbers, long English words, Chinese two-character
    words without function characters — minus the stop words of ``restate.tsv``."""
    words = set(_NUMBER.findall(text)) | {w for w in _LATIN_WORD.findall(text) if w not in stop}
    for a, b in pairwise(text):
        if "\u4e00" <= a <= "\u9fff" and "\u4e00" <= b <= "\u9fff":
            pair = a + b
            if pair not in stop and a not in _FUNCTION_CHARS and b not in _FUNCTION_CHARS:
                words.add(pair)
    return words


@check("restating")
def restating(ctx: Context, params: Mapping) -> Result:
    phrases = ctx.find(ctx.rules.restate, note="restate")
    heard: set[str] = set()
    shared: list[Evidence] = []
    shared_words: list[str] = []
    for i, turn in enumerate(ctx.turns):
        text = ctx.folded[i].text
        if turn.speaker == CUSTOMER:
            heard |= content_words(text, ctx.rules.restate_stop)
            continue
        reused = sorted(w for w in heard if w in text)
        if len(reused) >= int(params.get("min_shared_words", 2)) and not shared:
            start = min(text.find(w) for w in reused)
            word = min(reused, key=text.find)
            shared = [ctx.evidence(i, start, start + len(word), "customer_words")]
            shared_words = reused
    words = "、".join(shared_words[:5])
    values = {"phrase": phrases[0].text if phrases else "", "words": words}
    evidence = tuple(phrases[:1] + shared)
    if phrases and shared:
        return Result(1.0, "restating.both", evidence, values)
    if phrases or shared:
        key = "restating.phrase" if phrases else "restating.words"
        return Result(float(params.get("one_of_two", 0.6)), key, evidence, values)
    return Result(0.0, "restating.none")


def time_limits(ctx: Context) -> list[Evidence]:
    found = []
    for i in ctx.agent:
        for m in ctx.rules.replies.time_limit.finditer(ctx.folded[i].text):
            found.append(ctx.evidence(i, m.start(), m.end(), "time_limit"))
    return found


@check("solution_time_limit")
def solution_time_limit(ctx: Context, params: Mapping) -> Result:
    """Steps the customer can follow at once need no time limit; an act of the company (a refund, a
    repair, a work order) does."""
    found = ctx.solutions()
    acts = [e for e in found if e.note == "solution"]
    steps = [e for e in found if e.note == "steps"]
    limit = time_limits(ctx)
    if found:  # a time limit is the solution's when it comes with it or after it
        limit = [e for e in limit if e.turn >= found[0].turn] or limit
    values = {"solution": _texts(found), "limit": _texts(limit)}
    if steps and not (acts and not limit):
        return Result(1.0, "solution_time_limit.steps", tuple(steps[:1] + limit[:1]), values)
    if acts and limit:
        return Result(1.0, "solution_time_limit.both", (acts[0], limit[0]), values)
    if found or limit:
        key = "solution_time_limit.solution" if found else "solution_time_limit.limit"
        return Result(float(params.get("one_of_two", 0.5)), key, tuple(found[:1] + limit[:1]), values)
    return Result(0.0, "solution_time_limit.none")


@check("firm_promise")
def firm_promise(ctx: Context, params: Mapping) -> Result:
    replies = ctx.rules.replies
    firm, hedged, hedges = [], [], []
    for i in ctx.agent:
        text = ctx.folded[i].text
        seen: set[tuple[int, int]] = set()
        # A promise: a marker and an action in one clause; or a hedge and an action (应该会退吧).
        for anchor in [*replies.promise_marker.find(text), *ctx.rules.hedge.find(text)]:
            left, right = clause_span(text, anchor.start, anchor.end)
            clause = text[left:right]
            acted = replies.promise_action.search(clause) or ctx.rules.hedge_action.search(clause)
            if (left, right) in seen or not acted:
                continue
            seen.add((left, right))
            words = ctx.rules.hedge.find(clause)
            if words:
                hedged.append(ctx.evidence(i, left, right, "hedged"))
                hedges += [ctx.evidence(i, left + w.start, left + w.end, "hedge") for w in words]
            else:
                firm.append(ctx.evidence(i, left, right, "firm"))
    hedged.sort(key=lambda e: (e.turn, e.start))
    promises = len(firm) + len(hedged)
    if not promises:
        return Result(None, "firm_promise.none")
    values = {"firm": len(firm), "hedged": len(hedged), "promises": promises, "words": _texts(hedges)}
    key = "firm_promise.hedged" if hedged else "firm_promise.firm"
    return Result(
        round(len(firm) / promises, 4), key, tuple(hedged + firm[:1]), values, {"promises": promises}
    )


@check("thanks_at_end")
def thanks_at_end(ctx: Context, params: Mapping) -> Result:
    if not ctx.agent:
        return Result(0.0, "thanks_at_end.none")
    thanks = ctx.find(ctx.rules.replies.last_steps["thank"], note="thank")
    at_end = [e for e in thanks if e.turn == ctx.agent[-1]]
    if at_end:
        return Result(1.0, "thanks_at_end.end", (at_end[-1],), {"thanks": at_end[-1].text})
    if thanks:
        return Result(float(params.get("not_at_end", 0.5)), "thanks_at_end.earlier", (thanks[-1],))
    return Result(0.0, "thanks_at_end.none")


@check("positive_expression")
def positive_expression(ctx: Context, params: Mapping) -> Result:
    found = ctx.findings("negative_expression")
    if not found:
        return Result(1.0, "positive_expression.clean")
    score = max(0.0, 1.0 - float(params.get("per_finding", 0.5)) * len(found))
    return Result(
        score, "positive_expression.found", tuple(found), {"count": len(found), "words": _texts(found)}
    )


@check("i_over_we")
def i_over_we(ctx: Context, params: Mapping) -> Result:
    we = ctx.findings("prefer_i_over_we")
    i_commit = ctx.find(ctx.rules.commit_i, note="i")
    if not we and not i_commit:
        return Result(None, "i_over_we.none")
    values = {"we": len(we), "i": len(i_commit), "count": len(i_commit)}
    if not we:
        return Result(1.0, "i_over_we.i", tuple(i_commit[:1]), values)
    return Result(round(len(i_commit) / (len(i_commit) + len(we)), 4), "i_over_we.we", tuple(we), values)


_INFORMAL = re.compile("[你妳]")


@check("polite_you")
def polite_you(ctx: Context, params: Mapping) -> Result:
    polite, informal = 0, []
    for i in ctx.agent:
        text, folded = ctx.turns[i].text, ctx.folded[i]
        polite += text.count("您")
        skip = {
            folded.origin[p]
            for word in ctx.rules.polite_allow
            for m in re.finditer(re.escape(word), folded.text)
            for p in range(m.start(), m.end())
        }
        for m in _INFORMAL.finditer(text):
            if m.start() not in skip:
                informal.append(Evidence(i, m.start(), m.end(), m.group(0), "您"))
    if not polite and not informal:
        return Result(None, "polite_you.none")
    values = {"polite": polite, "informal": len(informal)}
    key = "polite_you.mixed" if informal else "polite_you.polite"
    return Result(round(polite / (polite + len(informal)), 4), key, tuple(informal[:5]), values)


@check("no_forbidden")
def no_forbidden(ctx: Context, params: Mapping) -> Result:
    found = ctx.findings("forbidden_phrase", severity="block")
    if found:
        return Result(0.0, "no_forbidden.found", tuple(found), {"words": _texts(found)})
    return Result(1.0, "no_forbidden.clean")


@check("no_over_promise")
def no_over_promise(ctx: Context, params: Mapping) -> Result:
    found = ctx.findings("over_promise", "promise_beyond_authority")
    if found:
        return Result(0.0, "no_over_promise.found", tuple(found), {"words": _texts(found)})
    return Result(1.0, "no_over_promise.clean")


_EN_TITLE = re.compile(r"\b(?:Mr|Ms|Mrs|Miss|Dr)\.?\s+[A-Z][a-z]+")


@check("ask_name")
def ask_name(ctx: Context, params: Mapping) -> Result:
    asked = ctx.find(ctx.rules.ask_name, note="ask_name")
    if asked:
        return Result(1.0, "ask_name.asked", (asked[0],), {"words": asked[0].text})
    for i in ctx.agent:
        m = ctx.rules.title.search(ctx.folded[i].text)
        if m:
            used = ctx.evidence(i, m.start(), m.end(), "title")
            return Result(1.0, "ask_name.used", (used,), {"words": used.text})
        m = _EN_TITLE.search(ctx.turns[i].text)
        if m:
            used = Evidence(i, m.start(), m.end(), m.group(0), "title")
            return Result(1.0, "ask_name.used", (used,), {"words": used.text})
    return Result(0.0, "ask_name.none")


@check("next_time")
def next_time(ctx: Context, params: Mapping) -> Result:
    told = ctx.find(ctx.rules.next_time, note="next_time")
    if told:
        return Result(1.0, "next_time.told", (told[0],), {"words": told[0].text})
    return Result(0.0, "next_time.none")


def listening_stage(ctx: Context) -> list[int]:
    """The listening and confirming stages: the turns before the agent's first solution (all turns
    when there is none, or when the agent had not spoken before it)."""
    end = ctx.first_solution_turn
    stage = list(range(len(ctx.turns) if end is None else end))
    if not any(ctx.turns[i].speaker == AGENT for i in stage):
        stage = list(range(len(ctx.turns)))
    return stage


@check("listening_ratio")
def listening_ratio(ctx: Context, params: Mapping) -> Result:
    stage = listening_stage(ctx)
    share = talk.listening_share([ctx.turns[i] for i in stage])
    if share.by == "chars" and share.customer + share.agent < float(params.get("min_chars", 40)):
        return Result(None, "listening_ratio.short")
    value = share.share
    if value is None or not any(ctx.turns[i].speaker == AGENT for i in stage):
        return Result(None, "listening_ratio.short")
    full, zero = float(params.get("full_at", 0.6)), float(params.get("zero_at", 0.3))
    score = 1.0 if value >= full else 0.0 if value <= zero else (value - zero) / (full - zero)
    by = reasons()[f"by.{share.by}"]
    values = {"share": f"{value:.0%}", "by": by[0], "by_en": by[1]}
    agent_turns = [i for i in stage if ctx.turns[i].speaker == AGENT]
    longest = max(agent_turns, key=lambda i: len(ctx.turns[i].text))
    evidence = (
        Evidence(longest, 0, len(ctx.turns[longest].text), ctx.turns[longest].text, "longest_agent_turn"),
    )
    key = "listening_ratio.good" if score >= 1.0 else "listening_ratio.low"
    figures = {"customer_share": value, "by": share.by, "customer": share.customer, "agent": share.agent}
    return Result(round(score, 4), key, evidence, values, figures)


@check("interruptions")
def interruptions(ctx: Context, params: Mapping) -> Result:
    if not ctx.transcript.talk_timed:
        return Result(None, "interruptions.untimed")
    found = talk.interruptions(ctx.transcript, min_overlap=float(params.get("min_overlap_seconds", 0.5)))
    if not found:
        return Result(1.0, "interruptions.none", figures={"interruptions": 0})
    evidence = tuple(
        Evidence(
            x.turn, 0, min(len(ctx.turns[x.turn].text), 30), ctx.turns[x.turn].text[:30], f"{x.overlap}s"
        )
        for x in found
    )
    score = max(0.0, 1.0 - float(params.get("per_interruption", 0.5)) * len(found))
    values = {"count": len(found), "longest": max(x.overlap for x in found)}
    return Result(score, "interruptions.found", evidence, values, {"interruptions": len(found)})


SLA_DECIDED = {"met": 1.0, "met_late": 0.0, "breached": 0.0}


@check("response_time")
def response_time(ctx: Context, params: Mapping) -> Result:
    sla = ctx.facts.sla
    decided = {clock: SLA_DECIDED[state] for clock, state in sla.items() if state in SLA_DECIDED}
    if decided:
        labels = {clock: reasons().get(f"sla.{sla.get(clock) or 'pending'}", reasons()["sla.pending"])
                  for clock in ("first_reply", "effective")}  # fmt: skip
        values = {
            "met": int(sum(decided.values())),
            "decided": len(decided),
            "first": labels["first_reply"],
            "effective": labels["effective"],
        }
        return Result(round(sum(decided.values()) / len(decided), 4), "response_time.sla", (), values)
    waits = talk.response_waits(ctx.transcript)
    if not waits:
        return Result(None, "response_time.untimed")
    limits = params.get("max_wait_seconds", {})
    limit = (
        float(limits.get(ctx.transcript.channel, limits.get("other", 300)))
        if isinstance(limits, Mapping)
        else float(limits)
    )
    within = [w for w in waits if w.seconds <= limit]
    slowest = max(waits, key=lambda w: w.seconds)
    text = ctx.turns[slowest.turn].text
    evidence = (Evidence(slowest.turn, 0, min(len(text), 30), text[:30], f"{slowest.seconds:g}s"),)
    values = {
        "within": len(within),
        "count": len(waits),
        "limit": f"{limit:g}",
        "longest": f"{slowest.seconds:g}",
    }
    figures = {"longest_wait": slowest.seconds, "replies": len(waits)}
    return Result(round(len(within) / len(waits), 4), "response_time.waits", evidence, values, figures)


@check("first_reply_solution")
def first_reply_solution(ctx: Context, params: Mapping) -> Result:
    if not ctx.agent:
        return Result(0.0, "first_reply_solution.no")
    first = [ctx.agent[0]]
    found = ctx.solutions(first) + ctx.find(ctx.rules.progress, first, "progress")
    if found:
        found.sort(key=lambda e: e.start)
        return Result(1.0, "first_reply_solution.yes", (found[0],), {"words": _texts(found)})
    return Result(0.0, "first_reply_solution.no")


# --- reasons --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def reasons() -> dict[str, tuple[str, str]]:
    text = resources.files(__package__).joinpath("data", "reasons.tsv").read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            key, zh, en = (cell.strip() for cell in line.split("\t"))
            table[key] = (zh, en)
    return table


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def reason(key: str, values: Mapping[str, object] | None = None) -> tuple[str, str]:
    """The reason's Chinese and English text; a value may be a (Chinese, English) pair."""
    zh, en = reasons()[key]
    values = values or {}
    zh_values = _Blank({k: v[0] if isinstance(v, tuple) else v for k, v in values.items()})
    en_values = _Blank({k: v[1] if isinstance(v, tuple) else v for k, v in values.items()})
    return zh.format_map(zh_values), en.format_map(en_values).replace("、", ", ")

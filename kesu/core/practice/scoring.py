"""The four criteria of role-play 角色扮演评分 (SPEC §9), scored automatically with the evidence:

==============  ===============================================================================
criterion       automatic score (0–1)
==============  ===============================================================================
``last``        LAST 的正确运用: quality inspection's ``last_order`` check over the practice
                transcript — each step present ¼, less ¼ for each pair out of order
``emotion``     情绪控制与沟通: the mean of empathy and apology, an open question first, positive
                expression and no forbidden phrase (quality inspection's checks), and — against a
                simulated customer — whether its emotion came down (1 fell by 0.2 or more, 0.5 no
                higher, 0 higher)
``solution``    方案合理可行: of the solution offered last (or accepted), the share of: one the
                customer can accept, a concrete time limit, within the compensation standard,
                within the trainee's authority, no absolute guarantee — at most 0.4 beyond the
                standard or the authority; 0 without a solution
``satisfaction``客户满意与问题解决: the simulated customer's end state (accepted 1, less 0.1 per refusal
                it counted, never under 0.6; escalated 0; still talking: half its calm), or the
                peer customer's rating (1–5 → 0–1); None until one of them exists
==============  ===============================================================================

The total is the weighted mean (weights editable, 25 each by default) of the criteria scored, out of
100. An observer's or trainer's override replaces a criterion's score; the Django side keeps both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kesu.core.qa.checks import CHECKS, Context, Facts, reason
from kesu.core.qa.transcript import AGENT, CUSTOMER, Transcript

from .persona import Persona
from .reading import Reading, read_reply
from .simulator import ACCEPTED, ESCALATED, State, within_standard

CRITERIA = ("last", "emotion", "solution", "satisfaction")
CRITERION_NAMES: dict[str, tuple[str, str]] = {
    "last": ("LAST 的正确运用", "Correct use of LAST"),
    "emotion": ("情绪控制与沟通", "Emotion control and communication"),
    "solution": ("方案合理可行", "Reasonable, feasible solution"),
    "satisfaction": ("客户满意与问题解决", "Customer satisfaction and resolution"),
}
DEFAULT_WEIGHTS: dict[str, float] = {code: 25.0 for code in CRITERIA}
#: A solution beyond the compensation standard or the trainee's authority scores at most this.
BEYOND_LIMITS_CAP = 0.4
COMMUNICATION_CHECKS = ("empathy_apology", "open_question_first", "positive_expression", "no_forbidden")


@dataclass(frozen=True)
class Proof:
    """A piece of evidence: the turn (index into the practice transcript), the words, what they show."""

    turn: int | None
    text: str
    note: str = ""

    def as_dict(self) -> dict:
        return {"turn": self.turn, "text": self.text, "note": self.note}


@dataclass(frozen=True)
class CriterionScore:
    code: str
    score: float | None
    reason_zh: str
    reason_en: str
    evidence: tuple[Proof, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "score": self.score,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
            "evidence": [p.as_dict() for p in self.evidence],
        }


@dataclass(frozen=True)
class Outcome:
    """How the practice ended for the customer: the simulated customer's state, or the peer's rating."""

    start_intensity: float | None = None
    state: State | None = None
    peer_rating: int | None = None  # 1–5, the person who played the customer


def total(scores: Mapping[str, float | None], weights: Mapping[str, float] | None = None) -> float | None:
    """The weighted mean of the criteria scored, out of 100 (None when none is)."""
    weights = weights or DEFAULT_WEIGHTS
    scored = [(weights.get(code, 0.0), s) for code, s in scores.items() if s is not None and code in CRITERIA]
    weight = sum(w for w, _ in scored)
    if weight <= 0:
        return None
    return round(100 * sum(w * s for w, s in scored) / weight, 1)


def _proofs(evidence) -> tuple[Proof, ...]:
    return tuple(Proof(e.turn, e.text, e.note) for e in evidence)


def _last(ctx: Context) -> CriterionScore:
    result = CHECKS["last_order"](ctx, {})
    zh, en = reason(result.reason, result.values)
    return CriterionScore("last", result.score, zh, en, _proofs(result.evidence))


def _emotion(ctx: Context, outcome: Outcome) -> CriterionScore:
    parts: list[float] = []
    zh: list[str] = []
    en: list[str] = []
    proofs: list[Proof] = []
    for name in COMMUNICATION_CHECKS:
        result = CHECKS[name](ctx, {})
        if result.score is None:
            continue
        parts.append(result.score)
        r_zh, r_en = reason(result.reason, result.values)
        zh.append(r_zh)
        en.append(r_en)
        proofs += _proofs(result.evidence[:2])
    if outcome.state is not None and outcome.start_intensity is not None:
        before, after = outcome.start_intensity, outcome.state.intensity
        calm = 1.0 if after <= before - 0.2 else 0.5 if after <= before else 0.0
        parts.append(calm)
        zh.append(f"客户情绪强度 {before:.2f} → {after:.2f}。")
        en.append(f"The customer's emotion went from {before:.2f} to {after:.2f}.")
        proofs.append(Proof(None, f"{before:.2f} → {after:.2f}", "emotion"))
    score = round(sum(parts) / len(parts), 4) if parts else None
    return CriterionScore("emotion", score, "".join(zh), " ".join(en), tuple(proofs))


def _solution(
    readings: Mapping[int, Reading], persona: Persona, authority_limit: float | None, outcome: Outcome
) -> CriterionScore:
    offered = [i for i, r in readings.items() if r.solutions]
    if not offered:
        return CriterionScore("solution", 0.0, "没有提出解决方案", "No solution was offered")
    fitting = [i for i in offered if set(readings[i].solutions) & set(persona.acceptable)]
    accepted = outcome.state is not None and outcome.state.phase == ACCEPTED
    # the reply the customer accepted (the last fitting one), else the last solution offered
    index = fitting[-1] if accepted and fitting else offered[-1]
    reading = readings[index]
    amount_ok_authority = not reading.over_authority and (
        authority_limit is None or reading.amount is None or reading.amount <= authority_limit
    )
    checks = [
        (
            "fits",
            bool(set(reading.solutions) & set(persona.acceptable)),
            ("客户能接受的方案", "a solution the customer can accept"),
            ("不是客户需要的方案", "not a solution this customer needs"),
        ),
        (
            "time_limit",
            bool(reading.time_limit),
            (f"明确时限「{reading.time_limit}」", f"a time limit: {reading.time_limit}"),
            ("没有明确时限", "no concrete time limit"),
        ),
        (
            "standard",
            within_standard(persona, reading),
            ("在补偿标准之内", "within the compensation standard"),
            (
                f"超出补偿标准 {persona.compensation_standard:g} 元",
                f"beyond the standard of {persona.compensation_standard:g} yuan",
            ),
        ),
        (
            "authority",
            amount_ok_authority,
            ("在自己的权限之内", "within your authority"),
            ("超出自己的权限", "beyond your authority"),
        ),
        (
            "firm",
            not reading.over_promise,
            ("没有绝对化承诺", "no absolute guarantee"),
            ("绝对化承诺（保证/百分之百）", "an absolute guarantee"),
        ),
    ]
    passed = sum(1 for _, ok, _, _ in checks if ok)
    score = passed / len(checks)
    if not (within_standard(persona, reading) and amount_ok_authority):
        score = min(score, BEYOND_LIMITS_CAP)  # neither reasonable nor feasible, however it is put
    zh = "；".join((good if ok else bad)[0] for _, ok, good, bad in checks)
    en = "; ".join((good if ok else bad)[1] for _, ok, good, bad in checks)
    proofs = [Proof(index, w, "solution") for w in reading.solution_words[:3]]
    if reading.time_limit:
        proofs.append(Proof(index, reading.time_limit, "time_limit"))
    if reading.amount is not None:
        proofs.append(Proof(index, f"{reading.amount:g}", "amount"))
    return CriterionScore("solution", round(score, 4), zh, en, tuple(proofs))


def _satisfaction(outcome: Outcome) -> CriterionScore:
    if outcome.peer_rating is not None:
        rating = min(5, max(1, outcome.peer_rating))
        return CriterionScore(
            "satisfaction",
            round((rating - 1) / 4, 4),
            f"扮演客户的学员评分 {rating}/5",
            f"The peer customer rated {rating}/5",
        )
    state = outcome.state
    if state is None:
        return CriterionScore(
            "satisfaction", None, "等待扮演客户的学员评分", "Waiting for the peer customer's rating"
        )
    if state.phase == ACCEPTED:
        score = max(0.6, 1.0 - 0.1 * state.refusals)
        return CriterionScore(
            "satisfaction",
            round(score, 4),
            f"客户接受了方案（被拒绝 {state.refusals} 次）",
            f"The customer accepted the solution ({state.refusals} refusals on the way)",
            (Proof(None, "accepted", "outcome"),),
        )
    if state.phase == ESCALATED:
        return CriterionScore(
            "satisfaction",
            0.0,
            f"客户在被拒绝 {state.refusals} 次后升级投诉",
            f"The customer escalated after {state.refusals} refusals",
            (Proof(None, "escalated", "outcome"),),
        )
    return CriterionScore(
        "satisfaction",
        round(0.5 * (1 - state.intensity), 4),
        "练习结束时客户尚未接受方案",
        "The practice ended before the customer accepted a solution",
        (Proof(None, state.phase, "outcome"),),
    )


@dataclass(frozen=True)
class Scoring:
    criteria: tuple[CriterionScore, ...]
    total: float | None

    def criterion(self, code: str) -> CriterionScore:
        return next(c for c in self.criteria if c.code == code)

    def as_dict(self) -> dict:
        return {"total": self.total, "criteria": [c.as_dict() for c in self.criteria]}


def score_practice(
    turns: Sequence[tuple[str, str]],
    persona: Persona,
    *,
    authority_limit: float | None = None,
    outcome: Outcome | None = None,
    weights: Mapping[str, float] | None = None,
) -> Scoring:
    """Score a practice conversation, ``turns`` of ``(speaker, text)`` with speaker ``customer`` or
    ``agent``, on the four criteria."""
    outcome = outcome or Outcome()
    turns = [(speaker, text) for speaker, text in turns if speaker in (CUSTOMER, AGENT) and text.strip()]
    ctx = Context(Transcript.of(turns), Facts(authority_limit=authority_limit))
    readings = {
        i: read_reply(text, authority_limit=authority_limit)
        for i, (who, text) in enumerate(turns)
        if who == AGENT
    }
    if not readings:
        empty = tuple(
            CriterionScore(
                code, None if code == "satisfaction" else 0.0, "学员没有回复", "The trainee did not reply"
            )
            for code in CRITERIA
        )
        return Scoring(empty, total({c.code: c.score for c in empty}, weights))
    criteria = (
        _last(ctx),
        _emotion(ctx, outcome),
        _solution(readings, persona, authority_limit, outcome),
        _satisfaction(outcome),
    )
    return Scoring(criteria, total({c.code: c.score for c in criteria}, weights))

"""One entry point: :func:`score_transcript` scores every automatic (and assisted) item of a scorecard
on a transcript, with the evidence, and totals them; manual items are left for the inspector."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .checks import CHECKS, Context, Evidence, Facts, reason
from .scorecard import MANUAL, Scorecard, Total, default_scorecard, total
from .transcript import Transcript


@dataclass(frozen=True)
class ItemScore:
    code: str
    score: float | None  # 0..1; None: not applicable, or (manual) not scored yet
    reason_zh: str
    reason_en: str
    evidence: tuple[Evidence, ...] = ()
    figures: Mapping[str, object] = field(default_factory=dict)
    applicable: bool = True  # False: the item does not apply (channel, nothing to judge)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "score": self.score,
            "applicable": self.applicable,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
            "evidence": [e.as_dict() for e in self.evidence],
            "figures": dict(self.figures),
        }


@dataclass(frozen=True)
class Scoring:
    items: tuple[ItemScore, ...]  # in scorecard order
    total: Total  # over the items scored automatically
    language: str  # zh | en: the agent's language

    def item(self, code: str) -> ItemScore:
        return next(i for i in self.items if i.code == code)

    def scores(self) -> dict[str, float | None]:
        return {i.code: i.score for i in self.items}

    def as_dict(self) -> dict:
        return {
            "items": [i.as_dict() for i in self.items],
            "total": self.total.as_dict(),
            "language": self.language,
        }


def score_transcript(
    transcript: Transcript, scorecard: Scorecard | None = None, *, facts: Facts | None = None
) -> Scoring:
    """Score ``transcript`` on ``scorecard`` (the default one if None).

    Manual items come back with score None and ``applicable`` True (the inspector scores them); items
    that do not apply (another channel, no promise to judge, no times to measure) with score None and
    ``applicable`` False.
    """
    scorecard = scorecard or default_scorecard()
    ctx = Context(transcript, facts)
    items = []
    for spec in scorecard.items:
        if not spec.applies_to(transcript.channel):
            zh, en = reason("not_this_channel")
            items.append(ItemScore(spec.code, None, zh, en, applicable=False))
        elif spec.kind == MANUAL:
            zh, en = reason("manual")
            items.append(ItemScore(spec.code, None, zh, en))
        elif not ctx.agent:
            zh, en = reason("no_agent")
            items.append(ItemScore(spec.code, None, zh, en, applicable=False))
        else:
            result = CHECKS[spec.check](ctx, spec.params)
            zh, en = reason(result.reason, result.values)
            items.append(
                ItemScore(
                    spec.code,
                    result.score,
                    zh,
                    en,
                    result.evidence,
                    result.figures,
                    applicable=result.score is not None,
                )
            )
    scores = {i.code: i.score for i in items}
    return Scoring(tuple(items), total(scorecard, scores), ctx.language)

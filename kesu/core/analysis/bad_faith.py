"""Bad-faith signals 恶意投诉特征: signals with evidence for a team lead to judge, never a verdict.

Rules (context keys are documented in README.md):
- excessive_compensation: the largest demanded amount > EXCESSIVE_FACTOR x ``compensation_standard``.
- threat_to_spread: a defamation-style phrase (搞臭你们, 刷差评), or a public-exposure threat tied to a
  condition (不赔钱就曝光, otherwise I will post this).
- refuses_solutions: a refusal phrase (都不接受, 免谈) or ``previous_offers_refused`` >= REFUSED_AT.
- repeated_unreasonable: ``repeat_count`` >= 2 together with an excessive demand or refused solutions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .context import number
from .lexicon import Entry, Hit, Lexicon, Negation, clause_span, read_tsv
from .result import BadFaith, Signal

if TYPE_CHECKING:
    from .escalation import Candidate

EXCESSIVE_FACTOR = 3.0
REFUSED_AT = 2
REPEAT_AT = 2


class BadFaithAnalyzer:
    def __init__(self, negation: Negation) -> None:
        self.negation = negation
        self.lexicon = Lexicon(
            Entry(code=r[0], kind="bad_faith", phrase=r[1]) for r in read_tsv("bad_faith.tsv")
        )

    def analyze(
        self, text: str, context: dict, demanded: float | None, exposure_hit: Hit | Candidate | None
    ) -> BadFaith:
        hits = self.lexicon.find(text)
        signals: list[Signal] = []
        factor = number(context.get("excessive_factor")) or EXCESSIVE_FACTOR
        standard = number(context.get("compensation_standard"))
        excessive = False
        if standard is not None and standard >= 0 and demanded is not None and demanded > factor * standard:
            excessive = True
            signals.append(
                Signal(
                    "excessive_compensation",
                    f"demanded {demanded:g} > {factor:g} x compensation_standard {standard:g}",
                )
            )
        spread = [
            h
            for h in hits
            if h.entry.code == "threat_to_spread" and not self.negation.is_negated(text, h.start)
        ]
        if spread:
            signals.append(Signal("threat_to_spread", spread[0].phrase))
        elif exposure_hit is not None:
            left, _right = clause_span(text, exposure_hit.start, exposure_hit.end)
            window = (max(0, left - 40), exposure_hit.start)
            coercion = [h for h in hits if h.entry.code == "coercion" and window[0] <= h.start < window[1]]
            if coercion:
                signals.append(Signal("threat_to_spread", f"{coercion[-1].phrase} … {exposure_hit.phrase}"))
        refused = number(context.get("previous_offers_refused"))
        refusing = [h for h in hits if h.entry.code == "refuses_solutions"]
        refuses = False
        if refusing:
            refuses = True
            signals.append(Signal("refuses_solutions", refusing[0].phrase))
        elif refused is not None and refused >= REFUSED_AT:
            refuses = True
            signals.append(Signal("refuses_solutions", f"previous_offers_refused {refused:g}"))
        repeat = number(context.get("repeat_count"))
        if repeat is not None and repeat >= REPEAT_AT and (excessive or refuses):
            why = "excessive demand" if excessive else "refused solutions"
            signals.append(Signal("repeated_unreasonable", f"repeat_count {repeat:g} + {why}"))
        return BadFaith(signals=signals)

"""Demands 诉求: remedy types (data/demands.tsv) and the amount stated for a refund or compensation."""

from __future__ import annotations

import re

from .amounts import Amount, find_amounts
from .lexicon import Entry, Lexicon, Negation, clause_span, read_tsv
from .result import Demand

_MONEY_TYPES = ("compensation", "refund")
# Verbs that make a bare amount a demand even without a remedy word: 给我五千, 还我三百块.
_DEMAND_VERB = re.compile(r"要求|要|给我|还我|赔|补|退|demand|want|owe")
_SENTENCE_BREAK = re.compile(r"[.!?;。！？；\n]")


class DemandAnalyzer:
    def __init__(self, negation: Negation) -> None:
        self.negation = negation
        self.lexicon = Lexicon(Entry(code=r[0], kind="demand", phrase=r[1]) for r in read_tsv("demands.tsv"))

    def analyze(self, text: str) -> list[Demand]:
        hits = [h for h in self.lexicon.find(text) if not self.negation.is_negated(text, h.start)]
        amounts = find_amounts(text)
        demands: dict[str, Demand] = {}
        for hit in hits:
            if hit.entry.code not in demands:
                demands[hit.entry.code] = Demand(type=hit.entry.code, amount=None, evidence=hit.phrase)
        for amount in amounts:
            target = self._owner(text, amount, hits)
            if target is None:
                left, _right = clause_span(text, amount.start, amount.end)
                if not _DEMAND_VERB.search(text[left : amount.start]):
                    continue
                target = "compensation"
            current = demands.get(target)
            if current is None:
                demands[target] = Demand(type=target, amount=amount.value, evidence=amount.text)
            elif current.amount is None or amount.value > current.amount:
                demands[target] = Demand(
                    type=target, amount=amount.value, evidence=f"{current.evidence} {amount.text}"
                )
        return sorted(demands.values(), key=lambda d: d.type)

    @staticmethod
    def _owner(text: str, amount: Amount, hits) -> str | None:
        """The refund/compensation phrase nearest to the amount within its sentence, if any."""
        best, best_distance = None, 10**9
        for hit in hits:
            if hit.entry.code not in _MONEY_TYPES:
                continue
            lo, hi = (
                sorted((hit.end, amount.start))
                if hit.end <= amount.start
                else sorted((amount.end, hit.start))
            )
            if _SENTENCE_BREAK.search(text, lo, hi) or hi - lo > 30:
                continue
            distance = hi - lo
            if distance < best_distance:
                best, best_distance = hit.entry.code, distance
        return best


def max_amount(demands: list[Demand]) -> float | None:
    values = [d.amount for d in demands if d.amount is not None]
    return max(values) if values else None

"""Calibration 校准: two inspectors score the same sample; how far do they agree?

Per item, two scores agree when they differ by at most ``tolerance`` (0.25 by default: the same
verdict on a 0 / ½ / 1 item, one step apart at most on a finer one). Reported: the share of item
scores that agree, Cohen's kappa of the pass/fail verdicts (a score ≥ 0.5 passes) — agreement beyond
chance —, the mean absolute difference of the totals, and the agreement per item, so a team sees which
items its inspectors read differently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

Scores = Mapping[str, float | None]


@dataclass(frozen=True)
class Pair:
    first: Scores  # item code -> score (None: not scored / not applicable)
    second: Scores
    first_total: float | None = None
    second_total: float | None = None


@dataclass(frozen=True)
class Agreement:
    pairs: int
    items_compared: int
    items_agreeing: int
    kappa: float | None
    mean_total_difference: float | None
    by_item: dict[str, tuple[int, int]] = field(default_factory=dict)  # code -> (agreeing, compared)

    @property
    def share(self) -> float | None:
        return round(self.items_agreeing / self.items_compared, 4) if self.items_compared else None

    def as_dict(self) -> dict:
        return {
            "pairs": self.pairs,
            "items_compared": self.items_compared,
            "items_agreeing": self.items_agreeing,
            "share": self.share,
            "kappa": self.kappa,
            "mean_total_difference": self.mean_total_difference,
            "by_item": {code: {"agreeing": a, "compared": n} for code, (a, n) in self.by_item.items()},
        }


def cohen_kappa(verdicts: Sequence[tuple[bool, bool]]) -> float | None:
    """Cohen's kappa of paired pass/fail verdicts; None when chance agreement is total."""
    n = len(verdicts)
    if not n:
        return None
    observed = sum(a == b for a, b in verdicts) / n
    p_first = sum(a for a, _ in verdicts) / n
    p_second = sum(b for _, b in verdicts) / n
    expected = p_first * p_second + (1 - p_first) * (1 - p_second)
    if expected >= 1:
        return None
    return round((observed - expected) / (1 - expected), 4)


def agreement(pairs: Sequence[Pair], *, tolerance: float = 0.25, pass_at: float = 0.5) -> Agreement:
    compared = agreeing = 0
    by_item: dict[str, list[int]] = {}
    verdicts: list[tuple[bool, bool]] = []
    differences = []
    for pair in pairs:
        for code in pair.first.keys() & pair.second.keys():
            a, b = pair.first[code], pair.second[code]
            if a is None or b is None:
                continue
            same = abs(a - b) <= tolerance + 1e-9
            compared += 1
            agreeing += same
            counts = by_item.setdefault(code, [0, 0])
            counts[0] += same
            counts[1] += 1
            verdicts.append((a >= pass_at, b >= pass_at))
        if pair.first_total is not None and pair.second_total is not None:
            differences.append(abs(pair.first_total - pair.second_total))
    return Agreement(
        pairs=len(pairs),
        items_compared=compared,
        items_agreeing=agreeing,
        kappa=cohen_kappa(verdicts),
        mean_total_difference=round(sum(differences) / len(differences), 2) if differences else None,
        by_item={code: (a, n) for code, (a, n) in sorted(by_item.items())},
    )

"""Scorecards 评分表 as data: weighted items, each automatic, assisted or manual, some critical.

An item's score is a number from 0 to 1 (or None: not applicable, or not scored yet). The total is
the weighted mean of the items scored, out of 100. A critical item scoring below the scorecard's
``pass_below`` (0.5 by default) fails the whole inspection: its total is 0, while the raw total and
the item scores stay visible. Sub-scores per group (method, communication, solution, compliance,
timeliness) are the same weighted mean over the group's items.

The default scorecard is ``data/scorecard.json``; the Django app keeps versioned copies that admins
edit, and passes them here as :class:`Scorecard` values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

AUTOMATIC, ASSISTED, MANUAL = "automatic", "assisted", "manual"
KINDS = (AUTOMATIC, ASSISTED, MANUAL)
GROUPS = ("method", "communication", "solution", "compliance", "timeliness")
#: The group whose sub-score appraisal uses (SPEC §8: appraisal without a communication score).
COMMUNICATION = "communication"


class ScorecardError(ValueError):
    """A scorecard that cannot be used (unknown check, duplicate code, negative weight …)."""


@dataclass(frozen=True)
class ItemSpec:
    code: str
    kind: str
    group: str
    weight: float
    check: str = ""
    critical: bool = False
    label: str = ""
    label_en: str = ""
    description: str = ""
    description_en: str = ""
    channels: tuple[str, ...] = ()
    params: Mapping = field(default_factory=dict)

    def applies_to(self, channel: str) -> bool:
        return not self.channels or channel in self.channels

    @property
    def automatic(self) -> bool:
        """Scored by the engine (automatic items, and the suggestion of assisted ones)."""
        return self.kind != MANUAL


@dataclass(frozen=True)
class Scorecard:
    code: str
    items: tuple[ItemSpec, ...]
    name: str = ""
    name_en: str = ""
    version: int = 1
    pass_below: float = 0.5

    def __post_init__(self) -> None:
        from .checks import CHECKS

        codes = [item.code for item in self.items]
        if len(codes) != len(set(codes)):
            raise ScorecardError("item codes must be unique")
        for item in self.items:
            if item.kind not in KINDS:
                raise ScorecardError(f"{item.code}: kind must be one of {', '.join(KINDS)}")
            if item.group not in GROUPS:
                raise ScorecardError(f"{item.code}: group must be one of {', '.join(GROUPS)}")
            if item.weight < 0:
                raise ScorecardError(f"{item.code}: a weight cannot be negative")
            if item.kind == MANUAL and item.check:
                raise ScorecardError(f"{item.code}: a manual item has no automatic check")
            if item.kind != MANUAL and item.check not in CHECKS:
                raise ScorecardError(f"{item.code}: unknown check {item.check!r}")

    def item(self, code: str) -> ItemSpec:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def with_weights(self, weights: Mapping[str, float]) -> Scorecard:
        """The same scorecard with some weights replaced (tuning, what-if)."""
        items = tuple(
            ItemSpec(**{**item.__dict__, "weight": float(weights.get(item.code, item.weight))})
            for item in self.items
        )
        return Scorecard(self.code, items, self.name, self.name_en, self.version, self.pass_below)


def scorecard_from_dict(data: Mapping) -> Scorecard:
    items = tuple(
        ItemSpec(
            code=row["code"],
            kind=row["kind"],
            group=row["group"],
            weight=float(row["weight"]),
            check=row.get("check", ""),
            critical=bool(row.get("critical", False)),
            label=row.get("label", ""),
            label_en=row.get("label_en", ""),
            description=row.get("description", ""),
            description_en=row.get("description_en", ""),
            channels=tuple(row.get("channels", ())),
            params=dict(row.get("params", {})),
        )
        for row in data["items"]
    )
    return Scorecard(
        code=data["code"],
        items=items,
        name=data.get("name", ""),
        name_en=data.get("name_en", ""),
        version=int(data.get("version", 1)),
        pass_below=float(data.get("pass_below", 0.5)),
    )


def default_scorecard_data() -> dict:
    """The default scorecard file as a dict (the Django app seeds its first version from it)."""
    text = resources.files(__package__).joinpath("data", "scorecard.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def default_scorecard() -> Scorecard:
    return scorecard_from_dict(default_scorecard_data())


@dataclass(frozen=True)
class Total:
    score: float | None  # 0–100 after the critical rule (0 when failed); None when nothing is scored
    raw: float | None  # 0–100 before it
    failed: bool
    failed_items: tuple[str, ...]
    groups: dict[str, float | None]  # sub-score per group, 0–100

    def as_dict(self) -> dict:
        return {
            "score": self.score,
            "raw": self.raw,
            "failed": self.failed,
            "failed_items": list(self.failed_items),
            "groups": dict(self.groups),
        }


def _weighted(pairs: list[tuple[float, float]]) -> float | None:
    weight = sum(w for w, _ in pairs)
    if not pairs or weight <= 0:
        return None
    return round(100 * sum(w * s for w, s in pairs) / weight, 2)


def total(scorecard: Scorecard, scores: Mapping[str, float | None]) -> Total:
    """The total of item scores (code → 0..1, or None / missing: left out)."""
    pairs: dict[str, list[tuple[float, float]]] = {group: [] for group in GROUPS}
    failed = []
    for item in scorecard.items:
        score = scores.get(item.code)
        if score is None:
            continue
        pairs[item.group].append((item.weight, score))
        if item.critical and score < scorecard.pass_below:
            failed.append(item.code)
    raw = _weighted([pair for group in pairs.values() for pair in group])
    return Total(
        score=0.0 if failed and raw is not None else raw,
        raw=raw,
        failed=bool(failed),
        failed_items=tuple(failed),
        groups={group: _weighted(group_pairs) for group, group_pairs in pairs.items()},
    )

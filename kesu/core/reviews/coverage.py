"""Communication-training coverage (SPEC §8: 65 % against an 80 % industry benchmark, an
organisational root cause): the share of a team's agents trained, as a percentage to one decimal,
and whether it falls below the benchmark. One rule for both places that show it — the review
loop's team figures (the counts a team keeps, ``kesu.reviews``) and training's team progress (the
agents who finished a practice in Kesu, ``kesu.practice``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

#: The industry benchmark of the material; the review policy holds the one in use.
DEFAULT_BENCHMARK = Decimal("80")


@dataclass(frozen=True)
class Coverage:
    trained: int
    agents: int

    @property
    def rate(self) -> Decimal | None:
        """Percentage of the agents trained, to one decimal; ``None`` without agents."""
        if self.agents <= 0:
            return None
        return (Decimal(self.trained) * 100 / Decimal(self.agents)).quantize(Decimal("0.1"))

    def below(self, benchmark: Decimal = DEFAULT_BENCHMARK) -> bool:
        """Below the benchmark: a training gap (never without agents to count)."""
        rate = self.rate
        return rate is not None and rate < benchmark

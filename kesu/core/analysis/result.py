"""Result types of the analysis engine. ``as_dict()`` gives the stable JSON contract of ``kesu analyze``."""

from __future__ import annotations

from dataclasses import dataclass, field

EMOTIONS = ("anger", "disappointment", "anxiety", "confusion", "expectation", "neutral", "satisfied")
CATEGORIES = (
    "product_quality",
    "service_attitude",
    "process",
    "communication",
    "price_fee",
    "logistics_delay",
    "rights_dispute",
    "other",
)
TRIGGERS = (
    "supervisor_request",
    "authority",
    "legal",
    "public_exposure",
    "regulator",
    "extreme_emotion",
    "repeat",
    "overdue",
    "vip_urgent",
)
DEMAND_TYPES = (
    "refund",
    "replacement",
    "repair",
    "compensation",
    "apology",
    "explanation",
    "punish_staff",
    "other",
)
VALUES = ("speed", "respect", "money", "reliability", "flexibility", "fairness")


@dataclass(frozen=True)
class Category:
    code: str
    sub: str | None
    confidence: float
    evidence: list[str] = field(default_factory=list)
    uncertain: bool = False  # too unsure to route on its own: the UI shows 待确认 and asks the agent

    def as_dict(self) -> dict:
        return {"code": self.code, "sub": self.sub, "confidence": self.confidence, "uncertain": self.uncertain}


@dataclass(frozen=True)
class Emotion:
    label: str
    intensity: float
    evidence: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"label": self.label, "intensity": self.intensity}

    def __getitem__(self, key: str) -> object:  # trajectory points also read as {"label", "intensity"}
        return self.as_dict()[key]


@dataclass(frozen=True)
class Trigger:
    code: str
    evidence: str

    def as_dict(self) -> dict:
        return {"code": self.code, "evidence": self.evidence}


@dataclass(frozen=True)
class Escalation:
    risk: float
    level: str  # low | medium | high
    triggers: list[Trigger]

    def as_dict(self) -> dict:
        return {"risk": self.risk, "level": self.level, "triggers": [t.as_dict() for t in self.triggers]}


@dataclass(frozen=True)
class Signal:
    code: str
    evidence: str

    def as_dict(self) -> dict:
        return {"code": self.code, "evidence": self.evidence}


@dataclass(frozen=True)
class BadFaith:
    """Signals for a team lead to judge; never a verdict that the complaint is in bad faith."""

    signals: list[Signal]

    def as_dict(self) -> dict:
        return {"signals": [s.as_dict() for s in self.signals]}


@dataclass(frozen=True)
class Demand:
    type: str
    amount: float | None
    evidence: str

    def as_dict(self) -> dict:
        return {"type": self.type, "amount": self.amount, "evidence": self.evidence}


@dataclass(frozen=True)
class Analysis:
    text: str
    normalized_text: str
    language: str
    category: Category
    value_orientation: str | None
    value_evidence: list[str]
    emotion: Emotion
    escalation: Escalation
    bad_faith: BadFaith
    demands: list[Demand]
    truncated: bool = False
    tier: str = "fast"  # "full": the semantic tier ran too; "fast": lexicons and n-gram models only
    embedding: object = None  # the encoder's normalised 384-d vector (numpy), when the full tier ran
    trajectory: Trajectory | None = None  # with the conversation so far, when the context gave it

    def as_dict(self) -> dict:
        extra = {"trajectory": self.trajectory.as_dict()} if self.trajectory is not None else {}
        return {
            **extra,
            "tier": self.tier,
            "category": self.category.as_dict(),
            "value_orientation": self.value_orientation,
            "emotion": self.emotion.as_dict(),
            "escalation": self.escalation.as_dict(),
            "bad_faith": self.bad_faith.as_dict(),
            "demands": [d.as_dict() for d in self.demands],
            "language": self.language,
            "evidence": {
                "category": self.category.evidence,
                "value_orientation": self.value_evidence,
                "emotion": self.emotion.evidence,
            },
            "normalized_text": self.normalized_text if self.normalized_text != self.text else None,
            "truncated": self.truncated,
        }


@dataclass(frozen=True)
class Trajectory:
    points: list[Emotion]
    rising: bool
    heat: list[float]

    def as_dict(self) -> dict:
        return {
            "points": [p.as_dict() for p in self.points],
            "rising": self.rising,
            "heat": self.heat,
        }

"""The STOP reminder 情绪管理提醒 for the agent (SPEC §5: the agent's own emotion; STOP = Signal, Take
control, Opposite action, Practice), shown when the conversation is heated.

Heated means the customer's emotion is one of ``labels`` in ``data/stop.json`` (anger 愤怒, anxiety 焦虑,
disappointment 失望) and either its intensity reaches the threshold or the emotion trajectory is rising
(``kesu.core.analysis.analyze_trajectory(...).rising``: the customer is getting more upset). The steps'
texts and an opening sentence per emotion are data in the same file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .rules import get_rules


@dataclass(frozen=True)
class ReminderStep:
    letter: str
    name_zh: str
    name_en: str
    text_zh: str
    text_en: str


@dataclass(frozen=True)
class Reminder:
    emotion: str  # the emotion code: anger | anxiety | disappointment
    intensity: float
    rising: bool
    title_zh: str
    title_en: str
    steps: tuple[ReminderStep, ...]
    opener_zh: str  # a first sentence the agent can say
    opener_en: str

    @property
    def text_zh(self) -> str:
        return "\n".join([self.title_zh, *(f"{s.letter} {s.name_zh}：{s.text_zh}" for s in self.steps)])

    @property
    def text_en(self) -> str:
        return "\n".join([self.title_en, *(f"{s.letter} {s.name_en}: {s.text_en}" for s in self.steps)])

    def as_dict(self) -> dict:
        return {
            "emotion": self.emotion,
            "intensity": self.intensity,
            "rising": self.rising,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "steps": [s.__dict__.copy() for s in self.steps],
            "opener_zh": self.opener_zh,
            "opener_en": self.opener_en,
            "text_zh": self.text_zh,
            "text_en": self.text_en,
        }


def stop_reminder(
    emotion_label: str, intensity: float, *, threshold: float = 0.7, rising: bool = False
) -> Reminder | None:
    """The STOP reminder when the customer's emotion is heated, else None.

    ``emotion_label`` is an analysis code (``anger``) or its Chinese name (愤怒); other labels (confusion,
    neutral …) and intensities that are not numbers give None.
    """
    if not isinstance(emotion_label, str):
        return None
    data = get_rules().stop
    names = {zh: code for code, zh in data["labels"].items()}
    code = names.get(emotion_label, emotion_label)
    if code not in data["labels"]:
        return None
    if isinstance(intensity, bool) or not isinstance(intensity, int | float) or math.isnan(intensity):
        return None
    if intensity < threshold and not rising:
        return None
    return Reminder(
        emotion=code,
        intensity=float(intensity),
        rising=bool(rising),
        title_zh=data["title_zh"],
        title_en=data["title_en"],
        steps=tuple(ReminderStep(**step) for step in data["steps"]),
        opener_zh=data["opener"][code]["zh"],
        opener_en=data["opener"][code]["en"],
    )

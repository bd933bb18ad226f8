"""The scripts library 话术库: what an agent can say at each stage of the handling method (SPEC §4), for a
complaint category and the customer's emotion, and the ranking that suggests them.

A script is a JSON object::

    {"stage": "listen", "category": null, "emotion": "anger", "title": "先认同情绪",
     "text": "…", "text_en": "…", "tags": ["LAST", "empathy"]}

``stage`` is a workflow stage (``kesu.core.workflow.Stage``); ``category`` and ``emotion`` are analysis
codes, or null for "any". The demo library is ``kesu/demo/scripts.json``; admins keep theirs in the
database, and the Django layer hands either to :func:`suggest_scripts` as dicts or :class:`Script`.
Every script must pass :func:`~kesu.core.replies.check_reply` with no block or warn finding.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from kesu.core.analysis.result import CATEGORIES, EMOTIONS
from kesu.core.workflow import Stage

# One home each: the workflow's stages, the engine's category and emotion codes.
STAGES = tuple(stage.value for stage in Stage)


@dataclass(frozen=True)
class Script:
    stage: str
    category: str | None
    emotion: str | None
    title: str
    text: str
    text_en: str
    tags: tuple[str, ...] = field(default=())

    @classmethod
    def from_dict(cls, data: Mapping) -> Script:
        """A validated script; ValueError names the first bad field."""
        for key in ("title", "text", "text_en"):
            if not isinstance(data.get(key), str) or not data[key].strip():
                raise ValueError(f"script {key!r} must be a non-empty string")
        for key, allowed in (("stage", STAGES), ("category", CATEGORIES), ("emotion", EMOTIONS)):
            value = data.get(key)
            if not (value in allowed or (value is None and key != "stage")):
                raise ValueError(
                    f"script {data['title']!r}: {key} {value!r} is not one of {', '.join(allowed)}"
                )
        tags = data.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ValueError(f"script {data['title']!r}: tags must be a list of strings")
        return cls(
            stage=data["stage"],
            category=data.get("category"),
            emotion=data.get("emotion"),
            title=data["title"],
            text=data["text"],
            text_en=data["text_en"],
            tags=tuple(tags),
        )

    def as_dict(self) -> dict:
        return {**self.__dict__, "tags": list(self.tags)}


def load_scripts(path: str | Path) -> list[Script]:
    """Scripts from a JSON file holding a list of script objects (e.g. ``kesu/demo/scripts.json``)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError("a scripts file holds a JSON list of script objects")
    return [Script.from_dict(item) for item in data]


S = TypeVar("S", Script, Mapping)


def _field(script: Script | Mapping, name: str) -> object:
    return script.get(name) if isinstance(script, Mapping) else getattr(script, name)


def suggest_scripts(
    scripts: Sequence[S],
    stage: str | None,
    category: str | None,
    emotion: str | None,
    limit: int = 5,
) -> list[S]:
    """The scripts that fit, best first, at most ``limit``; scripts are returned as given.

    A script fits when its stage equals ``stage`` (None: any stage) and its category and emotion each
    equal the one asked for or are null (a wildcard). Ranking: more exact matches of category and
    emotion first (a category match counts before an emotion match), then wildcards; the library's
    order breaks ties. Asking for None (e.g. the category is not known yet) accepts every value and
    ranks the wildcard scripts first.
    """
    return [scripts[index] for index in fitting(scripts, stage, category, emotion)[: max(limit, 0)]]


def fitting(scripts: Sequence[S], stage: str | None, category: str | None, emotion: str | None) -> list[int]:
    """The positions of the scripts that fit, in :func:`suggest_scripts`'s order (all of them)."""
    ranked = []
    for index, script in enumerate(scripts):
        if stage is not None and _field(script, "stage") != stage:
            continue
        score = []
        for name, wanted in (("category", category), ("emotion", emotion)):
            value = _field(script, name)
            if value is None:
                score.append(1)
            elif wanted is None:
                score.append(0)
            elif value == wanted:
                score.append(2)
            else:
                break
        else:
            exact = score.count(2)
            ranked.append(((-exact, -score[0], -score[1], index), index))
    ranked.sort(key=lambda pair: pair[0])
    return [index for _, index in ranked]


#: The placeholders a script may hold, filled from the complaint at hand: the Chinese names and
#: the English ones mean the same value.
PLACEHOLDERS = {
    "称呼": "salutation",
    "坐席": "agent",
    "订单号": "order",
    "产品": "product",
    "时限": "deadline",
}


def fill_placeholders(text: str, values: Mapping[str, str]) -> str:
    """The script with each placeholder ({称呼}, {坐席}, {订单号}, {产品}, {时限}, or their English
    names) replaced by its value; one without a value stays as it is, for the agent to fill in."""
    for chinese, english in PLACEHOLDERS.items():
        value = values.get(english, "")
        if value:
            text = text.replace("{" + chinese + "}", value).replace("{" + english + "}", value)
    return text

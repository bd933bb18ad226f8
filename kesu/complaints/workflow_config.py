"""The admin-editable side of the workflow: stage names and checklists stored in the database,
falling back to the defaults of ``kesu.core.workflow`` for a stage with no configuration.

Every complaint page and API response needs this, so it is read once and cached (Django's
cache, 60 s); saving a stage or checklist item in the admin clears it at once in that process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language

from kesu import memo
from kesu.complaints.models import ChecklistItemConfig, StageChoices, StageConfig
from kesu.core.workflow import DEFAULT_CHECKLISTS, Stage

CACHE_KEY = "kesu:workflow-config:v1"
CACHE_SECONDS = 60


@dataclass(frozen=True)
class ChecklistEntry:
    code: str
    label: str
    required: bool


def invalidate(**_: Any) -> None:
    memo.forget(CACHE_KEY)


def _config() -> dict[str, Any]:
    return memo.remember(CACHE_KEY, _load, CACHE_SECONDS)


def _load() -> dict[str, Any]:
    config = {
        s.stage: {"name": s.name, "name_en": s.name_en, "items": []}
        for s in StageConfig.objects.all().only("stage", "name", "name_en")
    }
    for item in (
        ChecklistItemConfig.objects.filter(active=True).select_related("stage").order_by("position", "id")
    ):
        config[item.stage.stage]["items"].append((item.code, item.label, item.label_en, item.required))
    return config


def _english() -> bool:
    return (get_language() or "").startswith("en")


def stage_label(stage: Stage) -> str:
    configured = _config().get(stage.value)
    if configured is None:
        return str(StageChoices(stage.value).label)
    return (configured["name_en"] or configured["name"]) if _english() else configured["name"]


def stage_labels() -> dict[str, str]:
    return {s.value: stage_label(s) for s in Stage}


def checklist_for(stage: Stage) -> list[ChecklistEntry]:
    english = _english()
    configured = _config().get(stage.value)
    if configured is not None:
        return [
            ChecklistEntry(code, (label_en or label) if english else label, required)
            for code, label, label_en, required in configured["items"]
        ]
    return [
        ChecklistEntry(i.code, i.label_en if english else i.label_zh, i.required)
        for i in DEFAULT_CHECKLISTS[stage]
    ]


def required_items(stage: Stage) -> frozenset[str]:
    return frozenset(item.code for item in checklist_for(stage) if item.required)

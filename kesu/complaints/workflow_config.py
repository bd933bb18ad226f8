"""The admin-editable side of the workflow: stage names and checklists stored in the database,
falling back to the defaults of ``kesu.core.workflow`` for anything not configured."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from kesu.complaints.models import ChecklistItemConfig, StageChoices, StageConfig
from kesu.core.workflow import DEFAULT_CHECKLISTS, Stage


@dataclass(frozen=True)
class ChecklistEntry:
    code: str
    label: str
    required: bool


def _english() -> bool:
    return (get_language() or "").startswith("en")


def stage_label(stage: Stage) -> str:
    config = StageConfig.objects.filter(stage=stage.value).only("name", "name_en").first()
    if config is None:
        return str(StageChoices(stage.value).label)
    return (config.name_en or config.name) if _english() else config.name


def stage_labels() -> dict[str, str]:
    """All stage labels in one query (for lists and the stage bar)."""
    labels = {s.value: str(StageChoices(s.value).label) for s in Stage}
    for config in StageConfig.objects.all().only("stage", "name", "name_en"):
        labels[config.stage] = (config.name_en or config.name) if _english() else config.name
    return labels


def checklist_for(stage: Stage) -> list[ChecklistEntry]:
    rows = list(
        ChecklistItemConfig.objects.filter(stage__stage=stage.value, active=True).only(
            "code", "label", "label_en", "required"
        )
    )
    if rows or StageConfig.objects.filter(stage=stage.value).exists():
        english = _english()
        return [ChecklistEntry(r.code, (r.label_en or r.label) if english else r.label, r.required) for r in rows]
    english = _english()
    return [
        ChecklistEntry(i.code, i.label_en if english else i.label_zh, i.required) for i in DEFAULT_CHECKLISTS[stage]
    ]


def required_items(stage: Stage) -> frozenset[str]:
    return frozenset(item.code for item in checklist_for(stage) if item.required)

"""Which scripts to suggest now: the current stage, the complaint's category and the customer's
emotion; exact matches first, then the general ones (ranking in kesu.core.replies)."""

from __future__ import annotations

from kesu.core.replies import suggest_scripts
from kesu.scripts.models import Script


def scripts_for(*, stage: str, category: str | None, emotion: str | None, limit: int = 5) -> list[Script]:
    candidates = list(Script.objects.filter(stage=stage, active=True))
    rows = [
        {"stage": s.stage, "category": s.category or None, "emotion": s.emotion or None, "script": s}
        for s in candidates
    ]
    return [row["script"] for row in suggest_scripts(rows, stage, category, emotion, limit=limit)]

"""Which scripts to suggest now: the current stage, the complaint's category and the customer's
emotion; exact matches first, then the general ones (ranking in kesu.core.replies)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from kesu.core.replies import suggest_scripts
from kesu.scripts.models import Script, SolutionOption


def scripts_for(
    *,
    stage: str,
    category: str | None,
    emotion: str | None,
    team_id: int | None = None,
    limit: int = 5,
) -> list[Script]:
    """The scripts to suggest, of this deployment's industry (``KESU_INDUSTRY``) and the
    complaint's team, or for all of them."""
    industry = getattr(settings, "KESU_INDUSTRY", "")
    candidates = list(
        Script.objects.filter(stage=stage, active=True)
        .filter(Q(industry="") | Q(industry=industry))
        .filter(Q(team__isnull=True) | Q(team_id=team_id))
    )
    rows = [
        {"stage": s.stage, "category": s.category or None, "emotion": s.emotion or None, "script": s}
        for s in candidates
    ]
    return [row["script"] for row in suggest_scripts(rows, stage, category, emotion, limit=limit)]


def solution_options(category: str | None) -> list[dict[str, str]]:
    """The catalogue's options for a category (the general ones, "other", where it has none)."""
    rows = list(
        SolutionOption.objects.filter(active=True, category__in=[category or "other", "other"]).values(
            "category", "solution_type", "title", "text"
        )
    )
    own = [r for r in rows if r["category"] == (category or "other")] or [r for r in rows if r["category"] == "other"]
    return [{"type": r["solution_type"], "title": r["title"], "text": r["text"]} for r in own]

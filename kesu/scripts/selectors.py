"""Which scripts to suggest now: the current stage, the complaint's category and the customer's
emotion decide which fit (exact matches first, then the general ones); the complaint's embedding,
where it has one, puts the fitting scripts closest to its words first (ranking in kesu.core.replies)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from kesu.complaints.analysis import embedding_of
from kesu.core.replies import rank_scripts
from kesu.scripts.models import Script, SolutionOption


def ranked_scripts_for(
    *,
    stage: str,
    category: str | None,
    emotion: str | None,
    team_id: int | None = None,
    embedding: bytes | memoryview | None = None,
    limit: int = 5,
) -> list[tuple[Script, float | None]]:
    """The scripts to suggest, of this deployment's industry (``KESU_INDUSTRY``) and the
    complaint's team, or for all of them, each with its cosine to ``embedding`` (the complaint's
    stored one): the closest first. Without it (or a script without its own) the rules' order."""
    industry = getattr(settings, "KESU_INDUSTRY", "")
    query = embedding_of(embedding)
    candidates = Script.objects.filter(stage=stage, active=True).filter(Q(industry="") | Q(industry=industry))
    candidates = candidates.filter(Q(team__isnull=True) | Q(team_id=team_id))
    if query is None:
        candidates = candidates.defer("embedding")
    scripts = list(candidates)
    rows = [{"stage": s.stage, "category": s.category or None, "emotion": s.emotion or None, "script": s} for s in scripts]
    vectors = [embedding_of(s.embedding) if query is not None else None for s in scripts]
    ranked = rank_scripts(rows, stage, category, emotion, query=query, embeddings=vectors, limit=limit)
    return [(r.script["script"], r.similarity) for r in ranked]


def scripts_for(
    *,
    stage: str,
    category: str | None,
    emotion: str | None,
    team_id: int | None = None,
    limit: int = 5,
) -> list[Script]:
    """The scripts to suggest by the rules alone (no complaint to compare with, e.g. practice)."""
    return [
        script
        for script, _ in ranked_scripts_for(stage=stage, category=category, emotion=emotion, team_id=team_id, limit=limit)
    ]


def solution_options(category: str | None) -> list[dict[str, str]]:
    """The catalogue's options for a category (the general ones, "other", where it has none)."""
    rows = list(
        SolutionOption.objects.filter(active=True, category__in=[category or "other", "other"]).values(
            "category", "solution_type", "title", "text"
        )
    )
    own = [r for r in rows if r["category"] == (category or "other")] or [r for r in rows if r["category"] == "other"]
    return [{"type": r["solution_type"], "title": r["title"], "text": r["text"]} for r in own]

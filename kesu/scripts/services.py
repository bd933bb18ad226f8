"""Writes to the script library: a script's embedding, kept in step with its words."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from kesu.scripts.encoding import encode_scripts
from kesu.scripts.models import Script

#: The fields a script's embedding is computed from (``kesu.core.replies.script_documents``).
EMBEDDED_FIELDS = frozenset({"title", "text", "text_en"})


def script_embed(*, script: Script) -> bool:
    """Set (not save) the script's embedding from its words; False where the encoder is off, and
    then no embedding at all: one of the old words would rank the script by what it no longer says."""
    found = encode_scripts([(script.title, script.text, script.text_en)])
    script.embedding = found[0] if found else None
    return bool(found)


@dataclass(frozen=True)
class Embedded:
    embedded: int
    scripts: int
    encoder: bool


def scripts_embed(*, scripts: QuerySet[Script] | None = None, missing_only: bool = False) -> Embedded:
    """(Re)compute the embeddings of ``scripts`` (default: all), e.g. after the encoder changed;
    ``missing_only``: those without one. Nothing is written where the encoder is off."""
    queryset = Script.objects.all() if scripts is None else scripts
    if missing_only:
        queryset = queryset.filter(embedding__isnull=True)
    rows = list(queryset.order_by("pk").only("pk", "title", "text", "text_en"))
    found = encode_scripts([(s.title, s.text, s.text_en) for s in rows])
    if found is None:
        return Embedded(0, len(rows), encoder=False)
    for script, data in zip(rows, found, strict=True):
        script.embedding = data
    Script.objects.bulk_update(rows, ["embedding"], batch_size=200)
    return Embedded(len(rows), len(rows), encoder=True)

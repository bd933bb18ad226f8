"""Embed stored complaints again 重算投诉向量: the embedding the semantic tier stored with a complaint,
computed anew from its words, e.g. after the encoder changed — similar-complaint search and script
ranking compare embeddings of one encoder only.

Only the embedding column is written (``update()``): the complaint's analysis, category, risk and
``updated_at`` stay as they are, and nothing is audited, since nothing a person decided or sees as the
complaint's record changes — the refinement (:mod:`kesu.handling.analysis`) still owns the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kesu.complaints.analysis import analyse_full
from kesu.complaints.models import Complaint
from kesu.core.analysis import get_engine

#: Complaints per batch: read together, written in one transaction.
BATCH = 64


@dataclass(frozen=True)
class Embedded:
    embedded: int  # given the current encoder's embedding
    complaints: int  # chosen (all, ``missing_only``, ``since``)
    encoder: bool  # False: the encoder cannot run here and nothing was written


def complaints_embed(
    *, missing_only: bool = False, since: timedelta | None = None, batch: int = BATCH
) -> Embedded:
    """(Re)compute the embedding of every complaint (``missing_only``: those without one; ``since``:
    received within it) from its words, as the semantic refinement does (:func:`analyse_full`)."""
    queryset = Complaint.objects.all()
    if missing_only:
        queryset = queryset.filter(embedding__isnull=True)
    if since is not None:
        queryset = queryset.filter(received_at__gte=timezone.now() - since)
    total = queryset.count()
    if get_engine().semantic() is None:
        return Embedded(0, total, encoder=False)
    done, last = 0, 0
    while True:
        # By primary key, a batch at a time (no cursor held open across the writes, on any database).
        rows = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", "text")[:batch])
        if not rows:
            break
        # The context only adds triggers and signals; the embedding is the words' alone.
        found = [(pk, analyse_full(text, None)[1]) for pk, text in rows]
        with transaction.atomic():
            for pk, data in found:
                if data is not None:  # the encoder failed on this text: keep what it has
                    done += Complaint.objects.filter(pk=pk).update(embedding=data)
        last = rows[-1][0]
    return Embedded(done, total, encoder=True)

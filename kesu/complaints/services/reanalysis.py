"""Analyse a complaint again (after the lexicons or models changed), with what intake knew."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kesu.complaints.analysis import (
    StoredAnalysis,
    analyse_complaint_text,
    analyse_message,
    complaint_context,
    semantic_enabled,
)
from kesu.complaints.audit import AuditAction, record_event
from kesu.complaints.models import Complaint, MessageKind


def complaint_reanalyse(*, complaint_id: int) -> dict[str, Any]:
    """Analyse the complaint text and each customer message again; audit what changed. The
    context is intake's: the customer's tier and the earlier complaints on the same matter, so a
    repeat complaint keeps its ``repeat`` trigger."""
    with transaction.atomic():
        complaint = (
            # Only the complaint's row is locked: PostgreSQL refuses FOR UPDATE on the nullable side
            # of the outer joins (owner, category) that come with it.
            Complaint.objects.select_for_update(of=("self",))
            .select_related("customer__tier", "owner", "created_by", "category", "subcategory")
            .get(pk=complaint_id)
        )
        analysis = analyse_complaint_text(complaint.text, context=complaint_context(complaint))
        changed = analysis != complaint.analysis
        if changed:
            before = StoredAnalysis(complaint.analysis).category_code
            complaint.analysis = analysis
            complaint.semantic_pending = semantic_enabled()  # the encoder refines it again after
            complaint.save(update_fields=["analysis", "semantic_pending", "updated_at"])
            record_event(
                complaint=complaint,
                actor=None,
                action=AuditAction.REANALYSED,
                changes={"analysis.category": [before, StoredAnalysis(analysis).category_code]},
            )
        for message in complaint.messages.filter(kind=MessageKind.CUSTOMER):
            message.analysis = analyse_message(message.body)
            message.save(update_fields=["analysis"])
    return {"complaint": complaint.reference, "changed": changed}

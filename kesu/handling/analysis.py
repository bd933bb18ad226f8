"""The semantic tier after intake 语义分析: the encoder refines the inline analysis of a complaint or a
customer message, updates what it stored, and escalates when the verdict changed — audited.

Intake analyses inline with the fast tier (lexicons and n-gram models, well under a millisecond) so it keeps
its pace; the encoder needs tens of milliseconds a text, so it runs after commit: a Celery task when a broker
is configured, the minute loop of ``kesu serve`` on the embedded default. Both read the same mark
(``semantic_pending``) and the sweep's loop picks up whatever a lost task left, so nothing is refined twice
(the row is locked and the mark re-read) or never.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kesu.complaints.analysis import StoredAnalysis, analyse_full, complaint_context
from kesu.complaints.audit import AuditAction, lock_complaint, record_event
from kesu.complaints.models import Complaint, Message
from kesu.complaints.taxonomy import category_by_code
from kesu.core.analysis import get_engine
from kesu.escalation import automatic

log = logging.getLogger(__name__)
TEXT_TRIGGERS = frozenset(automatic.INTAKE_TRIGGERS)


@dataclass
class Refined:
    complaint: str
    changes: dict = field(default_factory=dict)
    escalated: bool = False


def _text_triggers(analysis: dict) -> frozenset[str]:
    return StoredAnalysis(analysis).trigger_codes & TEXT_TRIGGERS


def refine_complaint(complaint_id: int) -> Refined | None:
    """Refine a complaint's analysis with both tiers; None when there is nothing (left) to do."""
    complaint = (
        Complaint.objects.select_related("customer__tier", "owner", "created_by", "category", "subcategory")
        .filter(pk=complaint_id, semantic_pending=True)
        .first()
    )
    if complaint is None:
        return None
    full, embedding = analyse_full(complaint.text, complaint_context(complaint))  # outside the lock
    if StoredAnalysis(full).tier != "full":
        return None  # the encoder cannot run here: leave it pending for a process that can
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        if not complaint.semantic_pending:
            return None  # another worker did it meanwhile
        before = StoredAnalysis(complaint.analysis)
        after = StoredAnalysis(full)
        changes: dict[str, list] = {}
        if before.category_code != after.category_code or before.sub_code != after.sub_code:
            changes["analysis.category"] = [before.category_code, after.category_code]
        if complaint.category_by_analysis and after.category_code:
            category = category_by_code(after.category_code)
            sub = category_by_code(after.sub_code, parent=category) if category and after.sub_code else None
            if category is not None and (category.pk, getattr(sub, "pk", None)) != (
                complaint.category_id,
                complaint.subcategory_id,
            ):
                changes["category"] = [getattr(complaint.category, "code", None), category.code]
                complaint.category, complaint.subcategory = category, sub
        old_triggers, new_triggers = _text_triggers(complaint.analysis), _text_triggers(full)
        if old_triggers != new_triggers:
            changes["analysis.triggers"] = [sorted(old_triggers), sorted(new_triggers)]
        if before.emotion_label != after.emotion_label:
            changes["analysis.emotion"] = [before.emotion_label, after.emotion_label]
        risk = max(after.escalation_risk, complaint.escalation_risk if old_triggers <= new_triggers else 0.0)
        complaint.analysis = full
        complaint.embedding = embedding
        complaint.semantic_pending = False
        complaint.escalation_risk = risk
        complaint.save(
            update_fields=["analysis", "embedding", "semantic_pending", "escalation_risk", "category",
                           "subcategory", "updated_at"]
        )
        first = complaint.messages.filter(kind="customer").order_by("created_at", "id").first()
        if first is not None and first.body == complaint.text:
            Message.objects.filter(pk=first.pk).update(analysis=full, semantic_pending=False)
        if changes:
            record_event(complaint=complaint, actor=None, action=AuditAction.ANALYSIS_REFINED, changes=changes)
        escalation = automatic.escalate_on_analysis(complaint, full, before=old_triggers)
    return Refined(complaint.reference, changes, escalation is not None)


def refine_message(message_id: int) -> Refined | None:
    """Refine a later customer message's analysis; a serious trigger it newly shows escalates."""
    message = Message.objects.select_related("complaint").filter(pk=message_id, semantic_pending=True).first()
    if message is None:
        return None
    complaint = (
        Complaint.objects.select_related("customer__tier", "owner", "created_by", "category", "subcategory")
        .get(pk=message.complaint_id)
    )
    context = complaint_context(complaint, history=False)
    earlier = [
        {"label": a.emotion_label, "intensity": a.emotion_intensity}
        for a in (
            StoredAnalysis(m.analysis)
            for m in complaint.messages.filter(kind="customer", created_at__lt=message.created_at).order_by("created_at")
        )
        if a.emotion_label
    ]
    if earlier:
        context["history_emotions"] = earlier
    full, _embedding = analyse_full(message.body, context)
    if StoredAnalysis(full).tier != "full":
        return None
    with transaction.atomic():
        complaint = lock_complaint(complaint)
        message = Message.objects.select_for_update().get(pk=message.pk)
        if not message.semantic_pending:
            return None
        old_triggers, new_triggers = _text_triggers(message.analysis), _text_triggers(full)
        message.analysis, message.semantic_pending = full, False
        message.save(update_fields=["analysis", "semantic_pending"])
        changes = {}
        if old_triggers != new_triggers:
            changes["analysis.triggers"] = [sorted(old_triggers), sorted(new_triggers)]
        risk = StoredAnalysis(full).escalation_risk
        if risk > complaint.escalation_risk:
            changes["escalation_risk"] = [complaint.escalation_risk, risk]
            complaint.escalation_risk = risk
            complaint.save(update_fields=["escalation_risk", "updated_at"])
        if changes:
            record_event(
                complaint=complaint,
                actor=None,
                action=AuditAction.ANALYSIS_REFINED,
                changes={**changes, "message": [None, message.pk]},
            )
        escalation = automatic.escalate_on_analysis(complaint, full, before=old_triggers)
    return Refined(complaint.reference, changes, escalation is not None)


def refine_pending(*, limit: int = 50) -> int:
    """Refine what is still marked (newest first, within ``KESU_SEMANTIC_BACKFILL_DAYS``); returns how
    many were refined. The catch-up of the minute loop and of Celery beat."""
    if not getattr(settings, "KESU_SEMANTIC_TIER", True) or get_engine().semantic() is None:
        return 0
    since = timezone.now() - timedelta(days=getattr(settings, "KESU_SEMANTIC_BACKFILL_DAYS", 7))
    done = 0
    ids = list(
        Complaint.objects.filter(semantic_pending=True, received_at__gte=since)
        .order_by("-received_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        done += _safely(refine_complaint, pk)
    mids = list(
        Message.objects.filter(semantic_pending=True, created_at__gte=since)
        .order_by("-created_at")
        .values_list("pk", flat=True)[: max(0, limit - len(ids))]
    )
    for pk in mids:
        done += _safely(refine_message, pk)
    return done


def _safely(act, pk: int) -> int:
    try:
        return int(act(pk) is not None)
    except Exception:  # one bad row must not stop the loop; it stays marked and is logged
        log.exception("semantic refinement of %s %s failed", act.__name__, pk)
        return 0


def schedule_complaint(complaint: Complaint) -> None:
    """After commit, refine the complaint (a step of ``ON_INTAKE``)."""
    if complaint.semantic_pending:
        transaction.on_commit(lambda: _enqueue(complaint_id=complaint.pk))


def schedule_message(message: Message) -> None:
    if message.semantic_pending:
        transaction.on_commit(lambda: _enqueue(message_id=message.pk))


def _enqueue(**ids: int) -> None:
    """With a broker: a task now. Without one (the embedded default) the minute loop of ``kesu serve``
    picks it up within seconds, so intake never waits for the encoder."""
    if not getattr(settings, "CELERY_BROKER_URL", ""):
        return
    from kesu.handling.tasks import refine_analysis

    try:
        refine_analysis.delay(**ids)
    except Exception:  # the broker is down: the catch-up refines it later
        log.warning("could not enqueue the semantic refinement %s; the catch-up will", ids)

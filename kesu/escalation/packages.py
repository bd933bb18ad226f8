"""The escalation package 升级资料: what the next level needs at a glance — customer, problem,
timeline, what was tried, and the analysis evidence (SPEC §6). Personal data is masked in
everything the package quotes; the complaint holds the rest. One shape for every escalation;
the sweep compiles many at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from kesu.complaints.analysis import StoredAnalysis
from kesu.complaints.models import Attachment, AuditEvent, Complaint, Message, MessageKind
from kesu.core import privacy

TIMELINE_EVENTS = 50
TRIED_REPLIES = 20
ATTACHMENTS = 50


def _package(
    complaint: Complaint,
    timeline: list[dict[str, Any]],
    tried: list[dict[str, Any]],
    attachments: list[dict[str, Any]],
) -> dict[str, Any]:
    customer = complaint.customer
    analysis = StoredAnalysis(complaint.analysis)
    if complaint.solution_type:
        details = privacy.mask_text(complaint.solution_text)[:500]  # masked, then cut: no half a number
        tried = [*tried, {"solution": complaint.solution_type, "details": details}]
    # Whatever else the package quotes (the demands and triggers with their evidence) is masked too.
    return privacy.mask_derived(
        {
            "customer": {
                "id": customer.external_id,
                "name": privacy.mask_name(customer.name),
                "tier": customer.tier.code,
            },
            "problem": {
                "text": privacy.mask_text(complaint.text)[:1000],
                "category": analysis.category_code,
                "demands": analysis.raw_demands(),
                "demand_type": complaint.demand_type,
                "demand_amount": str(complaint.demand_amount)
                if complaint.demand_amount is not None
                else None,
                "repeat_count": complaint.repeat_count,
            },
            "timeline": timeline,
            "tried": tried,
            "evidence": {"escalation": dict(analysis.escalation), "emotion": dict(analysis.emotion)},
            "attachments": attachments,
            "stage": complaint.stage,
            "owner": complaint.owner.username if complaint.owner_id else None,
        }
    )


def _event(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.created_at.isoformat(),
        "action": event.action,
        "by": event.actor.username if event.actor_id else None,
    }


def _attachment(attachment: Attachment) -> dict[str, Any]:
    """Listed, not included: the next level opens it on the complaint page, where an ID document
    is shown only to those who may see personal data; its name is left out here."""
    return {
        "id": attachment.pk,
        "kind": attachment.kind,
        "filename": None if attachment.personal else attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "at": attachment.created_at.isoformat(),
    }


def _reply(message: Message) -> dict[str, Any]:
    return {"at": message.created_at.isoformat(), "reply": privacy.mask_text(message.body)[:500]}


def compile_package(complaint: Complaint, *, fresh: bool = False) -> dict[str, Any]:
    """The package of one complaint. A ``fresh`` complaint (escalated at intake) has no history
    beyond its receipt."""
    stored = complaint.intake_attachments if fresh else None  # what intake stored just now, if it says
    if stored is None:
        stored = list(complaint.attachments.order_by("created_at", "id")[:ATTACHMENTS])
    attachments = [_attachment(a) for a in stored[:ATTACHMENTS]]
    if fresh:
        timeline = [{"at": complaint.received_at.isoformat(), "action": "created", "by": None}]
        return _package(complaint, timeline, [], attachments)
    events = complaint.audit_events.select_related("actor").order_by("created_at", "id")[:TIMELINE_EVENTS]
    replies = complaint.messages.filter(kind=MessageKind.AGENT).order_by("created_at", "id")[:TRIED_REPLIES]
    return _package(complaint, [_event(e) for e in events], [_reply(m) for m in replies], attachments)


def compile_packages(complaints: Iterable[Complaint]) -> dict[int, dict[str, Any]]:
    """The packages of many complaints (with ``customer__tier`` and ``owner`` selected) in three
    more queries, not three per complaint: the same content as :func:`compile_package`."""
    complaints = list(complaints)
    ids = [c.pk for c in complaints]
    timelines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event in (
        AuditEvent.objects.filter(complaint_id__in=ids).select_related("actor").order_by("created_at", "id")
    ):
        if len(timelines[event.complaint_id]) < TIMELINE_EVENTS:
            timelines[event.complaint_id].append(_event(event))
    tried: dict[int, list[dict[str, Any]]] = defaultdict(list)
    replies = Message.objects.filter(complaint_id__in=ids, kind=MessageKind.AGENT).order_by(
        "created_at", "id"
    )
    for message in replies:
        if len(tried[message.complaint_id]) < TRIED_REPLIES:
            tried[message.complaint_id].append(_reply(message))
    evidence: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for attachment in Attachment.objects.filter(complaint_id__in=ids).order_by("created_at", "id"):
        if len(evidence[attachment.complaint_id]) < ATTACHMENTS:
            evidence[attachment.complaint_id].append(_attachment(attachment))
    return {c.pk: _package(c, timelines[c.pk], tried[c.pk], evidence[c.pk]) for c in complaints}

"""Reads: querysets scoped to what the user may see, with the joins every list needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Least

from kesu.accounts.models import User
from kesu.complaints.models import Attachment, AuditEvent, Category, Complaint, Message
from kesu.complaints.permissions import visibility_filter


@dataclass(frozen=True)
class ComplaintFilters:
    stage: str = ""
    channel: str = ""
    source: str = ""
    priority: int | None = None
    category: str = ""
    team: int | None = None
    owner: str = ""  # a user id, "me" or "none"
    tier: str = ""
    escalated: bool | None = None
    is_open: bool | None = None
    q: str = ""
    received_after: datetime | None = None
    received_before: datetime | None = None
    sla: str = ""  # "at_risk", "breached" (a running clock in that state), "late" (either), "paused"
    escalation: int | None = None  # escalated to at least this level (1: the team lead)


def complaints_visible_to(user: User) -> QuerySet[Complaint]:
    queryset = Complaint.objects.select_related(
        "customer", "customer__tier", "team", "owner", "category", "subcategory", "repeat_of", "sla"
    )
    limit = visibility_filter(user)
    return queryset if limit is None else queryset.filter(limit)


FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
RUNNING = ["on_track", "at_risk", "breached"]


def with_next_deadline(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """Annotate the nearest deadline of a running clock (far in the future when none runs)."""
    first = Case(
        When(sla__first_reply_status__in=RUNNING, then=F("sla__first_reply_due_at")),
        default=Value(FAR_FUTURE),
    )
    effective = Case(
        When(sla__effective_status__in=RUNNING, then=F("sla__effective_due_at")), default=Value(FAR_FUTURE)
    )
    return queryset.annotate(next_deadline=Least(first, effective))


def complaint_list(
    *, user: User, filters: ComplaintFilters | None = None, order: str = "received"
) -> QuerySet[Complaint]:
    f = filters or ComplaintFilters()
    qs = complaints_visible_to(user)
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.is_open is not None:
        closed = Q(stage__in=["closed", "review"])
        qs = qs.exclude(closed) if f.is_open else qs.filter(closed)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.priority is not None:
        qs = qs.filter(priority=f.priority)
    if f.category:
        qs = qs.filter(Q(category__code=f.category) | Q(subcategory__code=f.category))
    if f.team is not None:
        qs = qs.filter(team_id=f.team)
    if f.owner == "me":
        qs = qs.filter(owner=user)
    elif f.owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif f.owner:
        qs = qs.filter(owner_id=f.owner)
    if f.tier:
        qs = qs.filter(customer__tier__code=f.tier)
    if f.escalated is not None:
        qs = qs.filter(escalated_complaint=f.escalated)
    if f.sla == "paused":
        qs = qs.filter(sla__paused_since__isnull=False)
    elif f.sla:
        states = ["at_risk", "breached"] if f.sla == "late" else [f.sla]
        qs = qs.filter(Q(sla__first_reply_status__in=states) | Q(sla__effective_status__in=states))
    if f.escalation is not None:
        qs = qs.filter(escalation_level__gte=f.escalation)
    if f.received_after:
        qs = qs.filter(received_at__gte=f.received_after)
    if f.received_before:
        qs = qs.filter(received_at__lt=f.received_before)
    if f.q:
        term = f.q.strip()
        digits = "".join(ch for ch in term if ch.isdigit())
        words = Message.objects.filter(complaint=OuterRef("pk"), body__icontains=term)
        match = (
            Q(reference__iexact=term)
            | Q(order_number=term)
            | Q(customer__external_id=term)
            | Q(customer__name__icontains=term)
            | Q(text__icontains=term)
            | Q(product__icontains=term)
            | Exists(words)
        )
        if len(digits) >= 4:  # a phone number, whole or its last digits
            match |= Q(customer__phone__endswith=digits)
        qs = qs.filter(match)
    if order == "urgency":
        # The queue: the nearest deadline first, then the riskiest, then the most important customer.
        return with_next_deadline(qs).order_by(
            "next_deadline", "-escalation_risk", "customer__tier__rank", "-id"
        )
    return qs.order_by("-received_at", "-id")


def complaint_get(*, user: User, reference: str) -> Complaint | None:
    return complaints_visible_to(user).filter(reference=reference).first()


def complaint_messages(*, complaint: Complaint, include_notes: bool = True) -> QuerySet[Message]:
    """The conversation, with each reply's delivery and each message's attachments."""
    qs = complaint.messages.select_related("author", "delivery").prefetch_related("attachments")
    return qs if include_notes else qs.exclude(kind="note")


def complaint_attachment(*, complaint: Complaint, pk: int) -> Attachment | None:
    return complaint.attachments.filter(pk=pk).first()


def complaint_attachments(*, complaint: Complaint) -> QuerySet[Attachment]:
    return complaint.attachments.select_related("message")


def complaint_audit(*, complaint: Complaint) -> QuerySet[AuditEvent]:
    return complaint.audit_events.select_related("actor")


def complaint_for_mail(*, thread_ids: tuple[str, ...], reference: str, sender: str) -> Complaint | None:
    """The complaint a customer's mail answers: the one whose message it names in In-Reply-To or
    References (our Message-IDs are not guessable), else the one whose ``[KS…]`` reference its
    subject carries — only when it comes from that complaint's customer, so that a stranger who
    copies a reference cannot write into someone else's complaint."""
    if thread_ids:
        found = (
            Message.objects.filter(email_message_id__in=list(thread_ids))
            .select_related("complaint", "complaint__customer")
            .order_by("-created_at", "-id")
            .first()
        )
        if found is not None:
            return found.complaint
    if reference:
        complaint = Complaint.objects.select_related("customer").filter(reference=reference).first()
        if complaint is not None and sender and complaint.customer.email.strip().lower() == sender.lower():
            return complaint
    return None


#: The bound on a similarity search: the most recent complaints with an embedding, within a year,
#: among those the user may see (an agent's own team). 2,000 float16 vectors are 1.5 MB read and one
#: 2,000 x 384 product — milliseconds (``benchmarks/similar.py``).
SIMILAR_POOL = 2000
SIMILAR_DAYS = 365


def similar_complaints(
    *, user: User, complaint: Complaint, limit: int = 5, min_similarity: float = 0.85
) -> list[tuple[Complaint, float]]:
    """Other complaints like this one (the semantic tier's embeddings, cosine), among those the user
    may see: how they were solved is the first place to look (SPEC §11: reuse solutions found).
    Empty while this one has no embedding yet (the semantic tier refines after intake)."""
    from kesu.complaints.analysis import embedding_of

    target = embedding_of(complaint.embedding)
    if target is None:
        return []
    since = complaint.received_at - timedelta(days=SIMILAR_DAYS)
    pool = list(
        complaints_visible_to(user)
        .filter(embedding__isnull=False, received_at__gte=since)
        .exclude(pk=complaint.pk)
        .order_by("-received_at")
        .values_list("pk", "embedding")[:SIMILAR_POOL]
    )
    if not pool:
        return []
    import numpy as np

    width = target.size * 2  # float16 bytes
    keep = [i for i, (_, e) in enumerate(pool) if e is not None and len(e) == width]
    if not keep:
        return []
    matrix = np.frombuffer(b"".join(bytes(pool[i][1]) for i in keep), dtype=np.float16).reshape(len(keep), -1)
    scores = matrix.astype(np.float32) @ target
    order = [keep[j] for j in np.argsort(-scores)[:limit] if scores[j] >= min_similarity]
    score_of = {keep[j]: float(scores[j]) for j in range(len(keep))}
    found = {c.pk: c for c in complaints_visible_to(user).filter(pk__in=[pool[i][0] for i in order])}
    return [(found[pool[i][0]], round(score_of[i], 3)) for i in order if pool[i][0] in found]


def category_choices() -> list[tuple[str, str]]:
    """(code, name) of the main categories, in the taxonomy's order (the queue's filter)."""
    return list(
        Category.objects.filter(parent__isnull=True).order_by("position", "pk").values_list("code", "name")
    )


def customer_complaints(*, user: User, customer_id: int) -> QuerySet[Complaint]:
    """The customer's complaints the user may see, the newest first (the customer's profile and
    the complaint page's history)."""
    return complaints_visible_to(user).filter(customer_id=customer_id).order_by("-received_at", "-id")


def main_categories() -> QuerySet[Category]:
    return Category.objects.filter(parent__isnull=True).order_by("position", "pk")


def subcategories() -> QuerySet[Category]:
    """Every sub-category with its parent (named "parent / sub" in pickers)."""
    return Category.objects.filter(parent__isnull=False).select_related("parent").order_by(
        "parent__position", "position", "pk"
    )

"""The complaint's part of taking a complaint in (受理): check what was given, record the complaint,
its first customer message, the audit event and the repeat link, under a unique reference.

:func:`kesu.handling.intake.take_in` composes these with the other capabilities' steps (the
clocks start, important complaints escalate) in one transaction; call that, not these.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu import inserts
from kesu.accounts.models import Team, User
from kesu.complaints import clock, intake_reads, permissions
from kesu.complaints.analysis import (
    StoredAnalysis,
    analyse_complaint_text,
    analysis_context,
    semantic_enabled,
)
from kesu.complaints.audit import AuditAction, record_event
from kesu.complaints.errors import ComplaintError, Conflict, ErrorCode, PermissionRefused
from kesu.complaints.models import (
    ESCALATED_CHANNELS,
    Category,
    Channel,
    Complaint,
    EscalatedComplaintConfig,
    IdempotencyRecord,
    Message,
    MessageKind,
    Priority,
    ReceivingUnit,
    Source,
)
from kesu.complaints.services.customers import CustomerData, customer_fields_hidden, customer_resolve
from kesu.complaints.taxonomy import category_by_code, compensation_standard
from kesu.core import kpi as core_kpi
from kesu.core import repeats
from kesu.customers.models import Customer

T = TypeVar("T")

# References are KS + day + 8 random digits: short enough to read out on the phone, so two complaints of
# one day can draw the same one (at 10,000 a day, about once in three days). The unique index catches it
# and the intake is stored again under a fresh reference; the customer never sees the clash.
REFERENCE_ATTEMPTS = 5
#: No complaint is taken in as received before this (year 1 or 1900 is a typing slip; the metrics
#: ask about 2000 onwards too).
EARLIEST_RECEIVED = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Intake:
    """A complaint as given at intake, checked (:func:`intake_check`) and ready to store."""

    actor: User
    customer: CustomerData | Customer
    text: str
    channel: str
    team: Team
    source: str
    product: str
    order_number: str
    demand_type: str
    demand_amount: Decimal | None
    demand_note: str
    priority: int | None
    category: Category | None
    received_at: datetime
    external_ref: str | None
    receiving_unit: str = ReceivingUnit.PROVINCIAL


def _escalated_complaint(intake: Intake) -> bool:
    """升级投诉 by the admin's rules (SPEC §11); read only for the walk-ins and letters they decide."""
    if intake.source == Source.CUSTOMER and intake.channel not in ESCALATED_CHANNELS:
        return False
    rules = (
        EscalatedComplaintConfig.current()
        if intake.source == Source.CUSTOMER
        else core_kpi.DEFAULT_ESCALATED_COMPLAINT_RULES
    )
    return core_kpi.is_escalated_complaint(
        source=intake.source,
        channel=intake.channel,
        receiving_unit=intake.receiving_unit,
        rules=rules,
        customer_source=Source.CUSTOMER,
    )


def intake_check(
    *,
    actor: User,
    customer: CustomerData | Customer,
    text: str,
    channel: str,
    team: Team | None = None,
    source: str = Source.CUSTOMER,
    product: str = "",
    order_number: str = "",
    demand_type: str = "",
    demand_amount: Decimal | None = None,
    demand_note: str = "",
    priority: int | None = None,
    category: Category | None = None,
    received_at: datetime | None = None,
    external_ref: str | None = None,
    receiving_unit: str = "",
) -> Intake:
    """Refuse what cannot be taken in; a referral from above (regulator, authority, headquarters)
    always comes through the referral channel."""
    if not actor.has_perm("complaints.add_complaint"):
        raise PermissionRefused()
    team = team or actor.team
    if team is None:
        raise ComplaintError(ErrorCode.TEAM_REQUIRED, _("Choose the team that will handle this complaint."))
    if not permissions.sees_all(actor) and team.pk != actor.team_id:
        raise PermissionRefused(_("You can only take complaints in for your own team."))
    text = (text or "").strip()
    if not text:
        raise ComplaintError(ErrorCode.TEXT_REQUIRED, _("The customer's words are required."))
    if channel not in Channel.values:
        raise ComplaintError(
            ErrorCode.INVALID_CHANNEL, _("Unknown channel: %(channel)s.") % {"channel": channel}
        )
    if source not in Source.values:
        raise ComplaintError(ErrorCode.INVALID_SOURCE, _("Unknown source: %(source)s.") % {"source": source})
    if source != Source.CUSTOMER and channel != Channel.REFERRAL:
        channel = Channel.REFERRAL
    receiving_unit = receiving_unit or ReceivingUnit.PROVINCIAL
    if receiving_unit not in ReceivingUnit.values:
        raise ComplaintError(
            ErrorCode.INVALID_CHANNEL,
            _("Unknown receiving unit: %(unit)s.") % {"unit": receiving_unit},
        )
    received_at = received_at or clock.now()
    if received_at > timezone.now() + timedelta(minutes=5):
        raise ComplaintError(ErrorCode.RECEIVED_IN_FUTURE, _("The time received cannot be in the future."))
    if received_at < EARLIEST_RECEIVED:
        raise ComplaintError(
            ErrorCode.RECEIVED_TOO_LONG_AGO, _("The time received cannot be before 2000; check the date.")
        )
    return Intake(
        actor=actor,
        customer=customer,
        text=text,
        channel=channel,
        team=team,
        source=source,
        product=product,
        order_number=order_number,
        demand_type=demand_type,
        demand_amount=demand_amount,
        demand_note=demand_note,
        priority=priority,
        category=category,
        received_at=received_at,
        external_ref=external_ref,
        receiving_unit=receiving_unit,
    )


def complaint_store(intake: Intake, *, reference: str) -> Complaint:
    """Record the complaint (in the caller's transaction): its customer, the repeat link, the
    analysis of the customer's words (SPEC §3), the first message and the audit events.

    A referral from above or a walk-in/letter marks it as an escalated complaint (升级投诉)."""
    customer, new_customer = intake.customer, False
    hidden: list[str] = []
    if isinstance(customer, CustomerData):
        customer, new_customer = customer_resolve(data=customer)
        if not new_customer:
            hidden = customer_fields_hidden(customer=customer, given=intake.customer, team=intake.team)
    earlier: list[repeats.RepeatMatch] = []
    references: dict[int, str] = {}
    if not new_customer:  # a customer created just now has no earlier complaints to look up
        earlier, references = find_earlier_on_same_matter(
            customer=customer,
            text=intake.text,
            order_number=intake.order_number,
            product=intake.product,
            received_at=intake.received_at,
        )
    count = repeats.repeat_count(earlier)
    context = analysis_context(
        customer_tier=customer.tier.code,
        repeat_count=count,
        compensation_standard=compensation_standard(intake.category),
        demand_amount=intake.demand_amount,
    )
    analysis = analyse_complaint_text(intake.text, context=context)
    read = StoredAnalysis(analysis)
    if intake.demand_amount is not None or any(d.amount for d in read.demands):
        # A demand with an amount: read it against the taker's authority (超出权限). Only then is
        # the authority looked up (their roles), so a complaint without one costs no query for it.
        context["authority_limit"] = float(intake.actor.effective_authority_limit())
        analysis = analyse_complaint_text(intake.text, context=context)
        read = StoredAnalysis(analysis)
    category = intake.category
    by_analysis = False
    if category is None and read.category_code:
        category = category_by_code(read.category_code)
        by_analysis = category is not None
    subcategory = None
    if category is not None and read.sub_code:
        subcategory = category_by_code(read.sub_code, parent=category)
    if by_analysis and (standard := compensation_standard(subcategory or category)) is not None:
        # The standard is the analysed category's: read the demand against it (恶意投诉特征).
        context["compensation_standard"] = float(standard)
        analysis = analyse_complaint_text(intake.text, context=context)
        read = StoredAnalysis(analysis)
    priority = intake.priority
    if priority is None:
        priority = Priority.HIGH if read.escalation_level == "high" else Priority.NORMAL
    repeat_of = None
    if earlier:  # 多次投诉未得到解决: each time again is more urgent (a third time, two levels)
        priority = min(priority + min(count, 2), Priority.URGENT)
        # The earlier complaint as far as the lookup read it; whoever names it (the API's
        # response does) need not read it again. Other fields load on access as usual.
        repeat_of = Complaint.from_db(
            Complaint.objects.db, ["id", "reference"], [earlier[0].key, references[earlier[0].key]]
        )
    complaint = inserts.insert(
        Complaint(
            reference=reference,
            customer=customer,
            team=intake.team,
            created_by=intake.actor,
            channel=intake.channel,
            source=intake.source,
            receiving_unit=intake.receiving_unit,
            escalated_complaint=_escalated_complaint(intake),
            product=intake.product,
            order_number=intake.order_number,
            text=intake.text,
            language=read.language,
            demand_type=intake.demand_type,
            demand_amount=intake.demand_amount,
            demand_note=intake.demand_note,
            priority=priority,
            category=category,
            subcategory=subcategory,
            checklist_done=["recorded"],
            analysis=analysis,
            semantic_pending=semantic_enabled(),
            category_by_analysis=by_analysis,
            received_at=intake.received_at,
            external_ref=intake.external_ref or None,
            repeat_of=repeat_of,
            escalation_risk=read.escalation_risk,
            repeat_count=count,
            customer_hidden=hidden,
        )
    )
    inserts.insert(
        Message(
            complaint=complaint,
            kind=MessageKind.CUSTOMER,
            channel=intake.channel,
            body=intake.text,
            analysis=analysis,
            created_at=intake.received_at,
        )
    )
    record_event(
        complaint=complaint,
        actor=intake.actor,
        action=AuditAction.CREATED,
        changes={
            "stage": [None, complaint.stage],
            "channel": [None, intake.channel],
            "team": [None, intake.team.name],
            **({"customer_hidden": [None, hidden]} if hidden else {}),
        },
    )
    if repeat_of is not None:
        record_event(
            complaint=complaint,
            actor=None,
            action=AuditAction.LINKED_REPEAT,
            changes={
                "repeat_of": [None, repeat_of.reference],
                "repeat_count": [0, count],
                "priority": [None, priority],
            },
            note=earlier[0].reason,
        )
    return complaint


def find_earlier_on_same_matter(
    *, customer: Customer, text: str, order_number: str, product: str, received_at: datetime
) -> tuple[list[repeats.RepeatMatch], dict[int, str]]:
    """The customer's complaints on the same matter within the repeat window (SPEC §2), and
    the references of the candidates by id."""
    if customer.pk is None:
        return [], {}
    window = getattr(settings, "KESU_REPEAT_WINDOW_DAYS", repeats.DEFAULT_WINDOW_DAYS)
    rows = intake_reads.recent_complaints(customer.pk, received_at - timedelta(days=window), received_at)
    candidates = [repeats.Candidate(*row[:6]) for row in rows]
    new = repeats.Candidate(0, text, received_at, order_number, product)
    return repeats.find_repeats(new, candidates, window_days=window), {row[0]: row[6] for row in rows}


def new_reference(received_at: datetime) -> str:
    local = timezone.localtime(received_at)
    return f"KS{local:%Y%m%d}{secrets.randbelow(10**8):08d}"


def _reference_taken(reference: str) -> bool:
    """Whether an IntegrityError came from the reference being taken (asked after the rollback)."""
    return Complaint.objects.filter(reference=reference).exists()


def with_unique_reference(received_at: datetime, store: Callable[[str], T], *, savepoint: bool) -> T:
    """Run ``store(reference)`` in a transaction, again with a new reference while it clashes.

    Inside a caller's transaction a clash can only be undone to a savepoint (``savepoint=True``);
    on its own, the transaction is this one and rolls back whole."""
    for attempt in range(REFERENCE_ATTEMPTS):
        reference = new_reference(received_at)
        try:
            with transaction.atomic(savepoint=savepoint):
                return store(reference)
        except IntegrityError:
            if attempt == REFERENCE_ATTEMPTS - 1 or not _reference_taken(reference):
                raise
    raise AssertionError("unreachable")


def idempotent_replay(*, actor: User, key: str, fingerprint: str) -> Complaint | None:
    """The complaint an earlier request with this ``Idempotency-Key`` created, if any; the same
    key with a different body is refused."""
    record = intake_reads.idempotency_record(actor.pk, key)
    if record is None:
        return None
    if record[0] != fingerprint:
        raise Conflict(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            _("This Idempotency-Key was already used for a different request."),
        )
    return Complaint.objects.get(pk=record[1])


def idempotency_remember(*, actor: User, key: str, fingerprint: str, complaint: Complaint) -> None:
    """Keep the key with the complaint it created; its unique index settles concurrent retries."""
    inserts.insert(IdempotencyRecord(user=actor, key=key, fingerprint=fingerprint, complaint=complaint))

"""Every change to a complaint happens here: one function per act, each locking the row,
checking permission and the workflow, writing the change and its audit event in one
transaction. Views, the API, the importer and the CLI call these and nothing else.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Team, User
from kesu.complaints import clock, intake_reads, permissions
from kesu.complaints.analysis import analyse_complaint_text, analyse_message
from kesu.complaints.errors import ComplaintError, Conflict, PermissionRefused
from kesu.complaints.models import (
    ESCALATED_CHANNELS,
    AuditEvent,
    Category,
    Channel,
    Complaint,
    FollowUpResult,
    IdempotencyRecord,
    Message,
    MessageKind,
    Priority,
    RefundMethod,
    SolutionType,
    Source,
)
from kesu.complaints.taxonomy import category_by_code
from kesu.complaints.workflow_config import checklist_for, required_items, stage_label
from kesu.core import repeats, workflow
from kesu.core.replies import check_reply
from kesu.core.workflow import Stage
from kesu.customers.models import Customer
from kesu.customers.tiers import default_tier, tier_by_code, tier_by_pk


@dataclass(frozen=True)
class CustomerData:
    """Customer details as given at intake. ``external_id`` or ``phone`` identifies a returning
    customer; existing records are not overwritten by what a new complaint says."""

    name: str
    external_id: str = ""
    phone: str = ""
    email: str = ""
    id_card: str = ""
    tier: str = ""


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def record_event(
    *,
    complaint: Complaint,
    actor: User | None,
    action: str,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one audit event. ``changes`` maps a field to ``[before, after]``."""
    clean = {k: [_json(v[0]), _json(v[1])] for k, v in (changes or {}).items()}
    return AuditEvent.objects.create(
        complaint=complaint,
        actor=actor if actor and actor.pk else None,
        action=action,
        changes=clean,
        note=note,
        created_at=clock.now(),
    )


def _set(complaint: Complaint, changes: dict[str, list[Any]], **values: Any) -> None:
    """Assign fields and remember before/after for the audit event."""
    for field, value in values.items():
        before = getattr(complaint, field)
        if before != value:
            changes[field] = [before, value]
            setattr(complaint, field, value)


def _locked(complaint: Complaint) -> Complaint:
    """Re-read the row under a lock so concurrent acts serialise (SELECT … FOR UPDATE)."""
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _save(complaint: Complaint, changes: dict[str, list[Any]]) -> None:
    if changes:
        complaint.save(update_fields=[*changes.keys(), "updated_at"])


def _new_reference(received_at: datetime) -> str:
    local = timezone.localtime(received_at)
    return f"KS{local:%Y%m%d}{secrets.randbelow(10**8):08d}"


# References are KS + day + 8 random digits: short enough to read out on the phone, so two complaints of
# one day can draw the same one (at 10,000 a day, about once in three days). The unique index catches it
# and the intake is stored again under a fresh reference; the customer never sees the clash.
REFERENCE_ATTEMPTS = 5


def _reference_taken(reference: str) -> bool:
    """Whether an IntegrityError came from the reference being taken (asked after the rollback)."""
    return Complaint.objects.filter(reference=reference).exists()


def _with_unique_reference(received_at: datetime, store: Any, *, savepoint: bool) -> Any:
    """Run ``store(reference)`` in a transaction, again with a new reference while it clashes."""
    for attempt in range(REFERENCE_ATTEMPTS):
        reference = _new_reference(received_at)
        try:
            with transaction.atomic(savepoint=savepoint):
                return store(reference)
        except IntegrityError:
            if attempt == REFERENCE_ATTEMPTS - 1 or not _reference_taken(reference):
                raise
    raise AssertionError("unreachable")


def customer_resolve(*, data: CustomerData) -> tuple[Customer, bool]:
    """Find the returning customer by id or phone, or create one; and whether it was created."""
    tier = None
    if data.tier:
        tier = tier_by_code(data.tier)
        if tier is None:
            raise ComplaintError("unknown_tier", _("Unknown customer tier: %(tier)s.") % {"tier": data.tier})
    if data.external_id:
        customer = intake_reads.customer_by_external_id(data.external_id)
        if customer is not None:
            return _with_tier(customer), False
    elif data.phone:
        customer = intake_reads.customer_by_phone(data.phone)
        if customer is not None:
            return _with_tier(customer), False
    fields = {
        "external_id": data.external_id or f"C{secrets.token_hex(6).upper()}",
        "name": data.name,
        "phone": data.phone,
        "email": data.email,
        "id_card": data.id_card,
        "tier": tier or default_tier(),
    }
    try:
        with transaction.atomic():
            return Customer.objects.create(**fields), True
    except IntegrityError:  # the same new customer arrived twice at once
        return _with_tier(Customer.objects.get(external_id=fields["external_id"])), False


def _with_tier(customer: Customer) -> Customer:
    """Tiers are a handful of remembered rows (``kesu.customers.tiers``): no join to read them."""
    tier = tier_by_pk(customer.tier_id)
    if tier is not None:
        customer.tier = tier
    return customer


def complaint_create(
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
    reference: str | None = None,
) -> Complaint:
    """Take a complaint in (受理): record it, its first customer message and the audit event.

    A referral from above (regulator, authority, headquarters) or a walk-in/letter marks it as an
    escalated complaint (升级投诉). The analysis engine reads the customer's words at once.

    ``reference`` is for a caller that retries its own transaction on a clash
    (``complaint_create_idempotent``); without it a fresh one is drawn, and drawn again if taken.
    """
    if not actor.has_perm("complaints.add_complaint"):
        raise PermissionRefused()
    team = team or actor.team
    if team is None:
        raise ComplaintError("team_required", _("Choose the team that will handle this complaint."))
    if not permissions.sees_all(actor) and team.pk != actor.team_id:
        raise PermissionRefused(_("You can only take complaints in for your own team."))
    text = (text or "").strip()
    if not text:
        raise ComplaintError("text_required", _("The customer's words are required."))
    if channel not in Channel.values:
        raise ComplaintError("invalid_channel", _("Unknown channel: %(channel)s.") % {"channel": channel})
    if source not in Source.values:
        raise ComplaintError("invalid_source", _("Unknown source: %(source)s.") % {"source": source})
    if source != Source.CUSTOMER and channel != Channel.REFERRAL:
        channel = Channel.REFERRAL
    received_at = received_at or clock.now()
    if received_at > timezone.now() + timedelta(minutes=5):
        raise ComplaintError("received_in_future", _("The time received cannot be in the future."))

    def store(reference: str) -> Complaint:
        return _complaint_store(
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
            reference=reference,
        )

    if reference is not None:
        # No savepoint of its own: a failure rolls back the caller's transaction as a whole.
        with transaction.atomic(savepoint=False):
            return store(reference)
    # Inside a caller's transaction a clash can only be undone to a savepoint; on its own, the
    # transaction is this one and rolls back whole.
    return _with_unique_reference(received_at, store, savepoint=transaction.get_connection().in_atomic_block)


def _complaint_store(
    *,
    actor: User,
    customer: CustomerData | Customer,
    text: str,
    channel: str,
    team: Team,
    source: str,
    product: str,
    order_number: str,
    demand_type: str,
    demand_amount: Decimal | None,
    demand_note: str,
    priority: int | None,
    category: Category | None,
    received_at: datetime,
    external_ref: str | None,
    reference: str,
) -> Complaint:
    """The writes of ``complaint_create``, in the caller's transaction, under a given reference."""
    new_customer = False
    if isinstance(customer, CustomerData):
        customer, new_customer = customer_resolve(data=customer)
    earlier: list[repeats.RepeatMatch] = []
    references: dict[int, str] = {}
    if not new_customer:  # a customer created just now has no earlier complaints to look up
        earlier, references = find_earlier_on_same_matter(
            customer=customer,
            text=text,
            order_number=order_number,
            product=product,
            received_at=received_at,
        )
    count = repeats.repeat_count(earlier)
    analysis = analyse_complaint_text(text, tier=customer.tier.code, repeat_count=count)
    if category is None and analysis.get("category", {}).get("code"):
        category = category_by_code(analysis["category"]["code"])
    subcategory = None
    sub_code = analysis.get("category", {}).get("sub")
    if category is not None and sub_code:
        subcategory = category_by_code(sub_code, parent=category)
    if priority is None:
        priority = Priority.NORMAL
        if analysis.get("escalation", {}).get("level") == "high":
            priority = Priority.HIGH
    repeat_of = None
    if earlier:  # 多次投诉未得到解决: each time again is more urgent (a third time, two levels)
        priority = min(priority + min(count, 2), Priority.URGENT)
        # The earlier complaint as far as the lookup read it; whoever names it (the API's
        # response does) need not read it again. Other fields load on access as usual.
        repeat_of = Complaint.from_db(
            Complaint.objects.db, ["id", "reference"], [earlier[0].key, references[earlier[0].key]]
        )
    complaint = Complaint.objects.create(
        reference=reference,
        customer=customer,
        team=team,
        created_by=actor,
        channel=channel,
        source=source,
        escalated_complaint=source != Source.CUSTOMER or channel in ESCALATED_CHANNELS,
        product=product,
        order_number=order_number,
        text=text,
        language=analysis.get("language", ""),
        demand_type=demand_type,
        demand_amount=demand_amount,
        demand_note=demand_note,
        priority=priority,
        category=category,
        subcategory=subcategory,
        checklist_done=["recorded"],
        analysis=analysis,
        received_at=received_at,
        external_ref=external_ref or None,
        repeat_of=repeat_of,
        escalation_risk=float(analysis.get("escalation", {}).get("risk") or 0.0),
        repeat_count=count,
    )
    Message.objects.create(
        complaint=complaint,
        kind=MessageKind.CUSTOMER,
        channel=channel,
        body=text,
        analysis=analysis,
        created_at=received_at,
    )
    record_event(
        complaint=complaint,
        actor=actor,
        action="created",
        changes={"stage": [None, complaint.stage], "channel": [None, channel], "team": [None, team.name]},
    )
    if repeat_of is not None:
        record_event(
            complaint=complaint,
            actor=None,
            action="linked_repeat",
            changes={
                "repeat_of": [None, repeat_of.reference],
                "repeat_count": [0, count],
                "priority": [None, priority],
            },
            note=earlier[0].reason,
        )
    # The service-level clocks start at receipt; important/urgent complaints escalate at
    # once (SPEC §4). Lazy imports: both capabilities build on this module.
    from kesu.escalation.services import escalate_on_intake
    from kesu.sla.services import sla_start

    sla_start(complaint)
    escalate_on_intake(complaint)
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


def complaint_mark_bad_faith(
    *, complaint: Complaint, actor: User, reason: str, bad_faith: bool = True
) -> Complaint:
    """Only a team lead marks (or unmarks) a complaint as bad-faith, always with a reason. The mark
    is a judgement for the record: it never stops the complaint from being handled."""
    if not (reason or "").strip():
        raise ComplaintError("reason_required", _("A reason is required."))
    with transaction.atomic():
        complaint = _locked(complaint)
        if not (permissions.can_view(actor, complaint) and actor.has_perm("complaints.mark_bad_faith")):
            raise PermissionRefused(_("Only a team lead can mark a complaint as bad-faith."))
        changes: dict[str, list[Any]] = {}
        _set(
            complaint,
            changes,
            bad_faith=bad_faith,
            bad_faith_reason=reason.strip(),
            bad_faith_marked_by=actor,
            bad_faith_marked_at=clock.now(),
        )
        if "bad_faith_marked_by" in changes:
            changes["bad_faith_marked_by"] = [None, actor.username]
        _save(complaint, changes)
        record_event(
            complaint=complaint, actor=actor, action="bad_faith_marked", changes=changes, note=reason.strip()
        )
    return complaint


def complaint_accept(*, complaint: Complaint, actor: User) -> Complaint:
    """The accepting agent becomes the owner (首问责任制) and the handling starts."""
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.owner_id is not None:
            if complaint.owner_id == actor.pk:
                return complaint
            raise Conflict("already_owned", _("This complaint already has an owner."))
        if not permissions.can_accept(actor, complaint):
            raise PermissionRefused()
        changes: dict[str, list[Any]] = {}
        done = sorted({*complaint.checklist_done, "acknowledged"})
        _set(complaint, changes, owner=actor, accepted_at=clock.now(), checklist_done=done)
        changes["owner"] = [None, actor.username]
        _move(complaint, actor, Stage.LISTEN, changes)
        _save(complaint, changes)
        record_event(complaint=complaint, actor=actor, action="accepted", changes=changes)
    return complaint


def _facts(complaint: Complaint, reason: str = "") -> workflow.Facts:
    return workflow.Facts(
        stage=complaint.stage_enum,
        has_owner=complaint.owner_id is not None,
        solution_recorded=bool(complaint.solution_type),
        customer_agreed=complaint.customer_agreed_at is not None,
        follow_up_recorded=bool(complaint.follow_up_result),
        close_reason=complaint.close_reason,
        checked_items=frozenset(complaint.checklist_done),
        required_items=required_items(complaint.stage_enum),
        reason=reason,
    )


def refusal_messages(refusals: list[workflow.Refusal]) -> list[dict[str, Any]]:
    """Translate core refusals into the active language, keeping their stable codes."""
    details = []
    for refusal in refusals:
        params = dict(refusal.params)
        for key in ("source", "target"):
            if key in params:
                params[key] = str(stage_label(Stage(params[key])))
        message = _(refusal.message) % params if params else _(refusal.message)
        details.append({"code": refusal.code, "message": message})
    return details


def _move(
    complaint: Complaint, actor: User, target: Stage, changes: dict[str, list[Any]], reason: str = ""
) -> None:
    facts = _facts(complaint, reason)
    refusals = workflow.check_transition(facts, target)
    if refusals:
        if any(r.code == "checklist_incomplete" for r in refusals):
            labels = {item.code: item.label for item in checklist_for(complaint.stage_enum)}
            refusals = [
                workflow.Refusal(
                    r.code,
                    r.message,
                    {
                        "items": "、".join(
                            str(labels.get(c, c)) for c in sorted(facts.required_items - facts.checked_items)
                        )
                    },
                )
                if r.code == "checklist_incomplete"
                else r
                for r in refusals
            ]
        details = refusal_messages(refusals)
        raise ComplaintError(refusals[0].code, " ".join(d["message"] for d in details), details=details)
    now = clock.now()
    values: dict[str, Any] = {"stage": target.value}
    if workflow.is_reopen(complaint.stage_enum, target):
        # Handled again: the next reply and the next solution are the ones the restarted clocks wait for.
        values.update(
            reopen_count=complaint.reopen_count + 1,
            closed_at=None,
            follow_up_result="",
            close_reason="",
            first_reply_at=None,
            effective_solution_at=None,
        )
    if target == Stage.FOLLOW_UP and complaint.resolved_at is None:
        values["resolved_at"] = now
    if target == Stage.CLOSED and complaint.closed_at is None:
        from kesu.sla.services import sla_stop

        values["closed_at"] = now
        sla_stop(complaint=complaint, which="both", at=now)
    _set(complaint, changes, **values)


def complaint_transition(*, complaint: Complaint, actor: User | None, to: str, reason: str = "") -> Complaint:
    """The one way to change a complaint's stage (besides accepting it). ``actor`` is None only
    for the system acting on a verified customer request (a dissatisfied follow-up answered
    through a signed link reopens the complaint); the audit event then has no actor."""
    try:
        target = Stage(to)
    except ValueError:
        raise ComplaintError("unknown_stage", _("Unknown stage: %(stage)s.") % {"stage": to}) from None
    with transaction.atomic():
        complaint = _locked(complaint)
        if actor is not None and not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        changes: dict[str, list[Any]] = {}
        source = complaint.stage_enum
        _move(complaint, actor, target, changes, reason)
        _save(complaint, changes)
        action = "reopened" if workflow.is_reopen(source, target) else "stage_changed"
        record_event(complaint=complaint, actor=actor, action=action, changes=changes, note=reason)
        if action == "reopened":
            from kesu.sla.services import sla_restart

            sla_restart(complaint=complaint, actor=actor, at=clock.now())
    return complaint


def complaint_check_item(*, complaint: Complaint, actor: User, item: str, done: bool = True) -> Complaint:
    with transaction.atomic():
        complaint = _locked(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        known = {i.code for i in checklist_for(complaint.stage_enum)}
        if item not in known:
            raise ComplaintError(
                "unknown_checklist_item", _("This stage has no checklist item %(item)s.") % {"item": item}
            )
        items = set(complaint.checklist_done)
        items.add(item) if done else items.discard(item)
        changes: dict[str, list[Any]] = {}
        _set(complaint, changes, checklist_done=sorted(items))
        if changes:
            _save(complaint, changes)
            record_event(complaint=complaint, actor=actor, action="checklist", changes=changes)
    return complaint


def message_add(
    *,
    complaint: Complaint,
    actor: User,
    body: str,
    kind: str = MessageKind.AGENT,
    channel: str | None = None,
) -> Message:
    """Record a message. The first agent reply stamps the first-reply time (首次回复)."""
    body = (body or "").strip()
    if not body:
        raise ComplaintError("body_required", _("The message is empty."))
    if kind not in MessageKind.values:
        raise ComplaintError("invalid_kind", _("Unknown message kind."))
    channel = channel or complaint.channel
    if channel not in Channel.values:
        raise ComplaintError("invalid_channel", _("Unknown channel: %(channel)s.") % {"channel": channel})
    if kind == MessageKind.AGENT:
        _refuse_blocked_reply(body)
    with transaction.atomic():
        complaint = _locked(complaint)
        allowed = (
            permissions.can_add_note(actor, complaint)
            if kind == MessageKind.NOTE
            else permissions.can_act(actor, complaint)
        )
        if not allowed:
            raise PermissionRefused()
        analysis = analyse_message(body) if kind == MessageKind.CUSTOMER else {}
        message = Message.objects.create(
            complaint=complaint,
            kind=kind,
            channel=channel,
            author=actor,
            body=body,
            analysis=analysis,
            created_at=clock.now(),
        )
        changes: dict[str, list[Any]] = {}
        from kesu.sla import services as sla

        if kind == MessageKind.AGENT and complaint.first_reply_at is None:
            _set(complaint, changes, first_reply_at=message.created_at)
            sla.sla_stop(complaint=complaint, which="first_reply", at=message.created_at)
        if kind == MessageKind.CUSTOMER:  # the customer answered: the clocks run again
            sla.sla_resume(complaint=complaint, actor=actor)
            risk = float((analysis.get("escalation") or {}).get("risk") or 0.0)
            if risk > complaint.escalation_risk:
                _set(complaint, changes, escalation_risk=risk)
        _save(complaint, changes)
        record_event(
            complaint=complaint,
            actor=actor,
            action=f"message_{kind}",
            changes={**changes, "message": [None, message.pk]},
        )
    return message


def _refuse_blocked_reply(body: str) -> None:
    """A reply that blames the customer, argues or hides behind rules is not sent (SPEC §5);
    the same rules run as the agent types."""
    from django.utils.translation import get_language

    result = check_reply(body)
    if result.blocked:
        english = (get_language() or "").startswith("en")
        blocking = [f for f in result.findings if f.severity == "block"]
        details = [
            {"code": f.code, "message": f.message_en if english else f.message_zh, "evidence": f.evidence}
            for f in blocking
        ]
        raise ComplaintError(
            "reply_blocked",
            _("This reply was not sent: %(why)s")
            % {"why": "; ".join(f"{d['message']} ({d['evidence']})" for d in details)},
            details=details,
        )


def complaint_record_solution(
    *,
    complaint: Complaint,
    actor: User,
    solution_type: str,
    text: str,
    amount: Decimal | None = None,
    refund_method: str = "",
    cash_reason: str = "",
) -> Complaint:
    """Record the proposed solution; the first one stamps the effective-solution time (有效回复).

    Refunds say how they are paid; credit to the bill or account comes first (话费返回优于现金退还),
    so a cash refund needs the reason the customer declined a credit."""
    if solution_type not in SolutionType.values:
        raise ComplaintError("invalid_solution", _("Unknown solution type."))
    if not (text or "").strip():
        raise ComplaintError(
            "solution_text_required", _("Describe the solution: the steps and the time limit.")
        )
    if amount is not None and amount < 0:
        raise ComplaintError("invalid_amount", _("The amount cannot be negative."))
    if solution_type == SolutionType.REFUND and refund_method not in RefundMethod.values:
        raise ComplaintError("refund_method_required", _("Choose how the refund is paid."))
    if (
        solution_type == SolutionType.REFUND
        and refund_method == RefundMethod.CASH
        and not cash_reason.strip()
    ):
        raise ComplaintError(
            "cash_reason_required",
            _("Offer a credit to the bill or account first; record why the customer wants cash."),
        )
    with transaction.atomic():
        complaint = _locked(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if not complaint.is_open:
            raise ComplaintError("complaint_closed", _("The complaint is closed; reopen it first."))
        if amount is not None and amount > actor.effective_authority_limit() and not actor.is_superuser:
            raise ComplaintError(
                "above_authority",
                _("%(amount)s yuan is above your authority limit of %(limit)s yuan; escalate for approval.")
                % {"amount": amount, "limit": actor.effective_authority_limit()},
            )
        changes: dict[str, list[Any]] = {}
        _set(
            complaint,
            changes,
            solution_type=solution_type,
            solution_text=text.strip(),
            solution_amount=amount,
            refund_method=refund_method if solution_type == SolutionType.REFUND else "",
        )
        if complaint.effective_solution_at is None:
            from kesu.sla.services import sla_stop

            _set(complaint, changes, effective_solution_at=clock.now())
            sla_stop(complaint=complaint, which="effective", at=complaint.effective_solution_at)
        _save(complaint, changes)
        record_event(
            complaint=complaint,
            actor=actor,
            action="solution_recorded",
            changes=changes,
            note=cash_reason.strip(),
        )
    return complaint


def complaint_record_agreement(*, complaint: Complaint, actor: User, note: str) -> Complaint:
    """The customer accepted the solution (达成一致); the agreed next steps are recorded."""
    if not (note or "").strip():
        raise ComplaintError("agreement_note_required", _("Record the next steps the customer agreed to."))
    with transaction.atomic():
        complaint = _locked(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if not complaint.solution_type:
            raise ComplaintError("solution_required", _("Record a proposed solution first."))
        changes: dict[str, list[Any]] = {}
        _set(complaint, changes, agreement_note=note.strip(), customer_agreed_at=clock.now())
        _set(complaint, changes, checklist_done=sorted({*complaint.checklist_done, "next_steps_recorded"}))
        _save(complaint, changes)
        record_event(complaint=complaint, actor=actor, action="agreement_recorded", changes=changes)
    return complaint


def complaint_record_follow_up(
    *, complaint: Complaint, actor: User | None, result: str, note: str = ""
) -> Complaint:
    """Record the follow-up call (回访). An unreachable customer counts as an unsuccessful one.
    ``actor`` is None when the customer answered through a signed follow-up link, which the
    caller (``kesu.followup.services``) has verified."""
    if result not in FollowUpResult.values:
        raise ComplaintError("invalid_follow_up", _("Unknown follow-up result."))
    with transaction.atomic():
        complaint = _locked(complaint)
        if actor is not None and not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        if complaint.stage_enum != Stage.FOLLOW_UP:
            raise ComplaintError(
                "not_in_follow_up", _("Follow-up results are recorded at the follow-up stage.")
            )
        changes: dict[str, list[Any]] = {}
        _set(
            complaint,
            changes,
            follow_up_result=result,
            follow_up_note=(note or "").strip(),
            follow_up_at=clock.now(),
        )
        _save(complaint, changes)
        record_event(complaint=complaint, actor=actor, action="follow_up_recorded", changes=changes)
    return complaint


def complaint_set_close_reason(*, complaint: Complaint, actor: User, reason: str) -> Complaint:
    """A reason to close without a follow-up result (e.g. the customer declined the call)."""
    if not (reason or "").strip():
        raise ComplaintError("reason_required", _("A reason is required."))
    with transaction.atomic():
        complaint = _locked(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        changes: dict[str, list[Any]] = {}
        _set(complaint, changes, close_reason=reason.strip())
        _save(complaint, changes)
        record_event(complaint=complaint, actor=actor, action="close_reason_recorded", changes=changes)
    return complaint


def complaint_transfer(*, complaint: Complaint, actor: User, to_user: User, reason: str) -> Complaint:
    """Hand a complaint to another owner: explicit, reasoned and audited (首问责任制)."""
    if not (reason or "").strip():
        raise ComplaintError("reason_required", _("A transfer needs a reason."))
    with transaction.atomic():
        complaint = _locked(complaint)
        if not permissions.can_transfer(actor, complaint):
            raise PermissionRefused()
        if not to_user.is_active or not to_user.has_perm("complaints.handle_complaint"):
            raise ComplaintError("invalid_new_owner", _("The new owner cannot handle complaints."))
        if complaint.owner_id == to_user.pk:
            raise ComplaintError("same_owner", _("This person already owns the complaint."))
        changes: dict[str, list[Any]] = {}
        before = complaint.owner.username if complaint.owner_id else None
        _set(complaint, changes, owner=to_user)
        changes["owner"] = [before, to_user.username]
        if to_user.team_id and to_user.team_id != complaint.team_id:
            changes["team"] = [complaint.team.name, to_user.team.name]
            complaint.team_id = to_user.team_id
        complaint.save(update_fields=["owner", "team", "updated_at"])
        record_event(
            complaint=complaint, actor=actor, action="transferred", changes=changes, note=reason.strip()
        )
    return complaint


def complaint_update_details(
    *, complaint: Complaint, actor: User, category: Category | None = None, priority: int | None = None
) -> Complaint:
    """Correct the category or priority (the analysis suggests; the agent decides)."""
    with transaction.atomic():
        complaint = _locked(complaint)
        if not permissions.can_act(actor, complaint):
            raise PermissionRefused()
        changes: dict[str, list[Any]] = {}
        if category is not None:
            _set(complaint, changes, category=category)
        if priority is not None:
            if priority not in Priority.values:
                raise ComplaintError("invalid_priority", _("Unknown priority."))
            _set(complaint, changes, priority=priority)
        if "category" in changes:
            changes["category"] = [getattr(changes["category"][0], "code", None), category.code]
        _save(complaint, changes)
        if changes:
            record_event(complaint=complaint, actor=actor, action="details_changed", changes=changes)
    return complaint


def complaint_create_idempotent(
    *, actor: User, key: str, fingerprint: str, **fields: Any
) -> tuple[Complaint, bool]:
    """``complaint_create`` keyed by a client's ``Idempotency-Key``: a retry of the same request
    returns the complaint already created (``replayed=True``) instead of a second one; the same
    key with a different body is refused. The key's unique index settles concurrent retries:
    the loser's whole transaction (its complaint included) rolls back and it replays the winner's.
    """

    def replay() -> tuple[Complaint, bool] | None:
        record = intake_reads.idempotency_record(actor.pk, key)
        if record is None:
            return None
        if record[0] != fingerprint:
            raise Conflict(
                "idempotency_key_reused", _("This Idempotency-Key was already used for a different request.")
            )
        return Complaint.objects.get(pk=record[1]), True

    def store(reference: str) -> Complaint:
        complaint = complaint_create(actor=actor, reference=reference, **fields)
        IdempotencyRecord.objects.create(user=actor, key=key, fingerprint=fingerprint, complaint=complaint)
        return complaint

    if (earlier := replay()) is not None:
        return earlier
    received_at = fields.get("received_at") or clock.now()
    fields["received_at"] = received_at
    try:
        complaint = _with_unique_reference(
            received_at, store, savepoint=transaction.get_connection().in_atomic_block
        )
    except IntegrityError:
        if (earlier := replay()) is not None:
            return earlier
        raise
    return complaint, False


def complaint_reanalyse(*, complaint_id: int) -> dict[str, Any]:
    """Analyse the complaint text and each customer message again; audit what changed."""
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_for_update().select_related("customer__tier").get(pk=complaint_id)
        )
        analysis = analyse_complaint_text(
            complaint.text, tier=complaint.customer.tier.code, repeat_count=complaint.repeat_count
        )
        changed = analysis != complaint.analysis
        if changed:
            before = (complaint.analysis or {}).get("category", {}).get("code")
            complaint.analysis = analysis
            complaint.save(update_fields=["analysis", "updated_at"])
            record_event(
                complaint=complaint,
                actor=None,
                action="reanalysed",
                changes={"analysis.category": [before, analysis.get("category", {}).get("code")]},
            )
        for message in complaint.messages.filter(kind=MessageKind.CUSTOMER):
            message.analysis = analyse_message(message.body)
            message.save(update_fields=["analysis"])
    return {"complaint": complaint.reference, "changed": changed}

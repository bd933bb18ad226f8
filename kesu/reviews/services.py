"""Every change in the loop happens here: one function per act, each checking permission, writing
the change and its :class:`~kesu.reviews.models.ReviewEvent` in one transaction. Views, the demo and
the handling layer call these and nothing else.

Reviews read complaints (their audit trail, conversation, flags) and never change them; the only
effect a review has on its complaint is the closing guard (:func:`close_guard`), which
:mod:`kesu.handling` asks before a complaint closes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import Team, User
from kesu.complaints import clock
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.models import Category, Complaint
from kesu.complaints.services.stages import StageMove, refusal_messages
from kesu.core import reviews as rules_core
from kesu.core.reviews.due import ReviewStatus
from kesu.core.reviews.journey import Phase, TouchpointRule, suggest_touchpoints
from kesu.core.reviews.offers import OfferFacts
from kesu.core.workflow import OPEN_STAGES, Refusal
from kesu.metrics.periods import Period as MonthPeriod
from kesu.metrics.selectors import month_key
from kesu.reviews import display, permissions, selectors
from kesu.reviews.models import (
    ActionStatus,
    ComplaintTouchpoint,
    ImprovementAction,
    MeasureRate,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Review,
    ReviewEvent,
    RootCause,
    Touchpoint,
    TouchpointMonth,
    TouchpointMonthRun,
)

STAR_L = ("situation", "task", "action", "result", "lesson")
MAX_TEXT = 5000


class ReviewError(ComplaintError):
    """A refused act of the loop (stable ``code``; pages show ``message``)."""


def _record(
    *,
    actor: User | None,
    action: str,
    review: Review | None = None,
    improvement: ImprovementAction | None = None,
    opportunity: Opportunity | None = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> ReviewEvent:
    return ReviewEvent.objects.create(
        review=review,
        improvement=improvement,
        opportunity=opportunity,
        actor=actor if actor and actor.pk else None,
        action=action,
        changes=changes or {},
        note=note,
        created_at=clock.now(),
    )


def _text(value: str, label: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise ReviewError(
            ErrorCode.TEXT_TOO_LONG,
            _("%(field)s is longer than %(n)d characters.") % {"field": label, "n": MAX_TEXT},
        )
    return value


def _locked(review: Review) -> Review:
    return Review.objects.select_for_update().select_related("complaint").get(pk=review.pk)


# --- the closing guard and the hooks of the method ---------------------------------------------------


def close_guard(move: StageMove) -> None:
    """Refuse to close an open complaint whose review is due and not yet submitted. Called by the
    handling layer inside the move's transaction, so a refusal leaves the complaint where it was."""
    if move.source not in OPEN_STAGES:
        return
    reasons = selectors.review_reasons(move.complaint)
    refusals = rules_core.close_refusals(reasons, selectors.review_status(move.complaint))
    if refusals:
        names = "、".join(display.reason_label(r) for r in reasons)
        refusals = [Refusal(r.code, r.message, {"reasons": names}) for r in refusals]
        details = refusal_messages(refusals)
        raise ReviewError(refusals[0].code, " ".join(d["message"] for d in details), details=details)


def reopen_review(move: StageMove) -> None:
    """A reopened complaint is handled again: its submitted review goes back to draft, so that the
    owner adds what happened after and submits again before the next closing."""
    review = Review.objects.filter(complaint=move.complaint).first()
    if review is None or review.status == ReviewStatus.DRAFT:
        return
    before = review.status
    review.status = ReviewStatus.DRAFT
    review.submitted_at = review.approved_at = None
    review.approved_by = None
    review.save(update_fields=["status", "submitted_at", "approved_at", "approved_by"])
    _record(
        actor=move.actor,
        action="reopened",
        review=review,
        changes={"status": [before, ReviewStatus.DRAFT.value]},
        note=_("The complaint was reopened."),
    )


def mark_touchpoints(complaint: Complaint, *, history: bool = False) -> list[str]:
    """Mark the touchpoints suggested by the customer's words (and, with ``history``, by the
    handling so far); marks already there, suggested or confirmed, are kept. One insert at most."""
    signals = selectors.handling_signals(complaint) if history else set()
    active = selectors.touchpoints()
    rules = [
        TouchpointRule(t.code, t.name, t.name_en, Phase(t.phase), tuple(t.keywords), tuple(t.signals))
        for t in active
    ]
    codes = suggest_touchpoints(complaint.text, signals, rules)
    if codes:
        ids = [t.pk for t in active if t.code in codes]
        ComplaintTouchpoint.objects.bulk_create(
            [
                ComplaintTouchpoint(complaint=complaint, touchpoint_id=pk, received_at=complaint.received_at)
                for pk in ids
            ],
            ignore_conflicts=True,
        )
    return codes


def refresh_journey_months(*, months: Iterable[date], now: datetime | None = None) -> int:
    """(Re)compute the journey map's summary of past months (per month, team and touchpoint) in one
    transaction; returns the rows written. The current month is never summarised (it is counted
    live), and a refresh of a month replaces it whole, so the nightly task is safe to run twice."""
    now = now or clock.now()
    current = month_key(now)
    months = sorted({m.replace(day=1) for m in months if m.replace(day=1) < current})
    rows: list[TouchpointMonth] = []
    with transaction.atomic():
        for month in months:
            whole = MonthPeriod.month(month.year, month.month)
            counts = selectors.journey_counts(selectors.Period(whole.start, whole.end), by_team=True)
            rows += [
                TouchpointMonth(month=month, touchpoint_id=touchpoint_id, team_id=team_id, **values)
                for (touchpoint_id, team_id), values in counts.items()
            ]
        TouchpointMonth.objects.filter(month__in=months).delete()
        TouchpointMonth.objects.bulk_create(rows, batch_size=1000)
        for month in months:
            TouchpointMonthRun.objects.update_or_create(month=month, defaults={"computed_at": now})
    return len(rows)


# --- reviews --------------------------------------------------------------------------------------------


def review_start(*, complaint: Complaint, actor: User) -> Review:
    """Start the review of a complaint (the one it has, if started): the full chain prefilled from
    the audit trail and the conversation, the touchpoints suggested, the situation outlined."""
    if not permissions.can_draft(actor, complaint):
        raise PermissionRefused()
    with transaction.atomic():
        existing = Review.objects.select_for_update().filter(complaint=complaint).first()
        if existing is not None:
            return existing
        reasons = selectors.review_reasons(complaint)
        review = Review.objects.create(
            complaint=complaint,
            team_id=complaint.team_id,
            received_at=complaint.received_at,
            required=bool(reasons),
            reasons=[r.value for r in reasons],
            chain=selectors.full_chain(complaint),
            situation=_("%(customer)s, %(channel)s, received %(at)s: %(text)s")
            % {
                "customer": complaint.customer.name,
                "channel": complaint.get_channel_display(),
                "at": complaint.received_at.strftime("%Y-%m-%d %H:%M"),
                "text": complaint.text[:500],
            },
            staff_member=None,
            drafted_by=actor,
            created_at=clock.now(),
        )
        mark_touchpoints(complaint, history=True)
        _record(actor=actor, action="started", review=review, changes={"reasons": review.reasons})
    return review


def review_save(
    *,
    review: Review,
    actor: User,
    fields: dict[str, str],
    root_causes: Iterable[str] | None = None,
    touchpoints: Iterable[str] | None = None,
    staff_member: User | None = None,
    staff_role: str = "",
) -> Review:
    """Save the draft: STAR-L, the staff member it was about, root causes and confirmed touchpoints."""
    with transaction.atomic():
        review = _locked(review)
        if review.status != ReviewStatus.DRAFT:
            raise ReviewError(ErrorCode.REVIEW_NOT_DRAFT, _("Only a draft review can be changed."))
        if not permissions.can_edit(actor, review):
            raise PermissionRefused()
        changes: dict[str, Any] = {}
        for name in STAR_L:
            if name in fields:
                value = _text(fields[name], str(Review._meta.get_field(name).verbose_name))
                if value != getattr(review, name):
                    changes[name] = [getattr(review, name), value]
                    setattr(review, name, value)
        if staff_member is not None and staff_member.pk != review.staff_member_id:
            changes["staff_member"] = [review.staff_member_id, staff_member.pk]
            review.staff_member = staff_member
        staff_role = _text(staff_role, str(_("staff role")))[:100]
        if staff_role != review.staff_role:
            changes["staff_role"] = [review.staff_role, staff_role]
            review.staff_role = staff_role
        review.full_clean(exclude=["chain", "reasons"])
        review.save()
        if root_causes is not None:
            codes = sorted(set(root_causes))
            causes = list(RootCause.objects.filter(code__in=codes, active=True))
            if len(causes) != len(codes):
                raise ReviewError(ErrorCode.UNKNOWN_ROOT_CAUSE, _("Unknown root cause."))
            before = sorted(review.root_causes.values_list("code", flat=True))
            if before != codes:
                review.root_causes.set(causes)
                changes["root_causes"] = [before, codes]
        if touchpoints is not None:
            changes.update(_confirm_touchpoints(review.complaint, sorted(set(touchpoints))))
        if changes:
            _record(actor=actor, action="saved", review=review, changes=changes)
    return review


def _confirm_touchpoints(complaint: Complaint, codes: list[str]) -> dict[str, Any]:
    found = {t.code: t for t in Touchpoint.objects.filter(code__in=codes)}
    if len(found) != len(codes):
        raise ReviewError(ErrorCode.UNKNOWN_TOUCHPOINT, _("Unknown touchpoint."))
    marks = ComplaintTouchpoint.objects.filter(complaint=complaint)
    before = sorted(marks.filter(confirmed=True).values_list("touchpoint__code", flat=True))
    if before == codes:
        return {}
    marks.exclude(touchpoint__code__in=codes).delete()
    marks.filter(touchpoint__code__in=codes).update(confirmed=True)
    ComplaintTouchpoint.objects.bulk_create(
        [
            ComplaintTouchpoint(
                complaint=complaint, touchpoint=t, confirmed=True, received_at=complaint.received_at
            )
            for t in found.values()
        ],
        ignore_conflicts=True,
    )
    return {"touchpoints": [before, codes]}


def review_submit(*, review: Review, actor: User) -> Review:
    """The owner submits the review for approval: every part of STAR-L and a root cause are needed."""
    with transaction.atomic():
        review = _locked(review)
        if review.status != ReviewStatus.DRAFT:
            raise ReviewError(ErrorCode.REVIEW_NOT_DRAFT, _("Only a draft review can be submitted."))
        if not permissions.can_edit(actor, review):
            raise PermissionRefused()
        missing = [
            str(Review._meta.get_field(n).verbose_name) for n in STAR_L if not getattr(review, n).strip()
        ]
        if missing:
            raise ReviewError(
                ErrorCode.REVIEW_INCOMPLETE,
                _("Complete the review first: %(parts)s.") % {"parts": "、".join(missing)},
            )
        if not review.root_causes.exists():
            raise ReviewError(ErrorCode.ROOT_CAUSE_REQUIRED, _("Record at least one root cause."))
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = clock.now()
        review.return_note = ""
        review.save(update_fields=["status", "submitted_at", "return_note"])
        _record(actor=actor, action="submitted", review=review, changes={"status": ["draft", "submitted"]})
    return review


def review_decide(*, review: Review, actor: User, approve: bool, note: str = "") -> Review:
    """A team lead approves the submitted review, or returns it to the owner with a note."""
    with transaction.atomic():
        review = _locked(review)
        if review.status != ReviewStatus.SUBMITTED:
            raise ReviewError(ErrorCode.REVIEW_NOT_SUBMITTED, _("The review is not waiting for approval."))
        if review.drafted_by_id == actor.pk:
            raise ReviewError(
                ErrorCode.OWN_REVIEW, _("A review is approved by someone other than its author.")
            )
        if not permissions.can_approve(actor, review):
            raise PermissionRefused()
        note = _text(note, str(_("note")))
        if approve:
            review.status, review.approved_by, review.approved_at = ReviewStatus.APPROVED, actor, clock.now()
        else:
            if not note:
                raise ReviewError(ErrorCode.REASON_REQUIRED, _("Say what the review still needs."))
            review.status, review.submitted_at, review.return_note = ReviewStatus.DRAFT, None, note
        review.save(update_fields=["status", "approved_by", "approved_at", "submitted_at", "return_note"])
        _record(
            actor=actor,
            action="approved" if approve else "returned",
            review=review,
            changes={"status": ["submitted", review.status]},
            note=note,
        )
    return review


# --- improvement actions --------------------------------------------------------------------------


def action_create(
    *,
    actor: User,
    title: str,
    owner: User,
    department: str,
    due_date: date,
    root_cause: RootCause | None = None,
    reviews: Iterable[Review] = (),
    description: str = "",
    measure_rate: str = MeasureRate.PER_30_DAYS,
    measure_category: Category | None = None,
    measure_root_cause: RootCause | None = None,
    measure_touchpoint: Touchpoint | None = None,
    measure_product: str = "",
    measure_team: Team | None = None,
) -> ImprovementAction:
    if not permissions.can_manage_actions(actor):
        raise PermissionRefused()
    if measure_rate not in MeasureRate.values:
        raise ReviewError(ErrorCode.INVALID_MEASURE, _("Unknown rate."))
    with transaction.atomic():
        action = ImprovementAction(
            title=_text(title, str(_("title")))[:200],
            description=_text(description, str(_("description"))),
            owner=owner,
            department=_text(department, str(_("department")))[:100],
            due_date=due_date,
            root_cause=root_cause,
            measure_rate=measure_rate,
            measure_category=measure_category,
            # By default the action is judged by the complaints of the cause it addresses.
            measure_root_cause=measure_root_cause,
            measure_touchpoint=measure_touchpoint,
            measure_product=_text(measure_product, str(_("product")))[:200],
            measure_team=measure_team,
            created_by=actor,
            created_at=clock.now(),
        )
        try:
            action.full_clean()
        except ValidationError as error:
            fields = "、".join(sorted(error.message_dict))
            raise ReviewError(
                ErrorCode.INVALID, _("Some fields are not valid: %(e)s") % {"e": fields}
            ) from None
        action.save()
        action.reviews.set(list(reviews))
        _record(actor=actor, action="action_created", improvement=action, changes={"title": action.title})
    return action


def action_set_status(
    *, action: ImprovementAction, actor: User, status: str, note: str = ""
) -> ImprovementAction:
    """Move an action along; done stamps the moment the effect is measured from."""
    if not permissions.can_manage_actions(actor) and action.owner_id != actor.pk:
        raise PermissionRefused()
    if status not in ActionStatus.values:
        raise ReviewError(ErrorCode.INVALID_STATUS, _("Unknown status."))
    with transaction.atomic():
        action = ImprovementAction.objects.select_for_update().get(pk=action.pk)
        before = action.status
        if before == status:
            return action
        action.status = status
        action.done_at = clock.now() if status == ActionStatus.DONE else None
        action.save(update_fields=["status", "done_at"])
        _record(
            actor=actor,
            action="action_status",
            improvement=action,
            changes={"status": [before, status]},
            note=_text(note, str(_("note"))),
        )
    return action


# --- opportunities (提升与挖掘) ------------------------------------------------------------------------


def offer_facts(complaint: Complaint, consent: bool) -> OfferFacts:
    return OfferFacts(
        last_emotion=selectors.last_emotion(complaint),
        dissatisfied_follow_up=selectors.due_facts(complaint).dissatisfied_follow_ups > 0,
        bad_faith=complaint.bad_faith,
        consent=consent,
    )


def opportunity_record(
    *,
    complaint: Complaint,
    actor: User,
    kind: str,
    description: str,
    owner: User | None = None,
    consent: bool = False,
) -> Opportunity:
    """Record what the complaint opens; a business offer only for a calm, consenting customer."""
    if not permissions.can_record_opportunity(actor, complaint):
        raise PermissionRefused()
    if kind not in OpportunityKind.values:
        raise ReviewError(ErrorCode.INVALID_KIND, _("Unknown kind of opportunity."))
    description = _text(description, str(_("description")))
    if not description:
        raise ReviewError(ErrorCode.TEXT_REQUIRED, _("Describe the opportunity."))
    refusals = rules_core.offer_refusals(kind, offer_facts(complaint, consent))
    if refusals:
        details = refusal_messages(refusals)
        raise ReviewError(refusals[0].code, " ".join(d["message"] for d in details), details=details)
    with transaction.atomic():
        opportunity = Opportunity.objects.create(
            complaint=complaint,
            kind=kind,
            description=description,
            owner=owner or actor,
            consent=consent,
            created_by=actor,
            created_at=clock.now(),
        )
        _record(actor=actor, action="opportunity_recorded", opportunity=opportunity, changes={"kind": kind})
    return opportunity


def opportunity_close(*, opportunity: Opportunity, actor: User, status: str, outcome: str) -> Opportunity:
    if opportunity.owner_id != actor.pk and not permissions.can_manage_actions(actor):
        raise PermissionRefused()
    if status not in OpportunityStatus.values:
        raise ReviewError(ErrorCode.INVALID_STATUS, _("Unknown status."))
    with transaction.atomic():
        opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        before = opportunity.status
        opportunity.status = status
        opportunity.outcome = _text(outcome, str(_("outcome")))
        opportunity.save(update_fields=["status", "outcome"])
        _record(
            actor=actor,
            action="opportunity_outcome",
            opportunity=opportunity,
            changes={"status": [before, status]},
            note=opportunity.outcome,
        )
    return opportunity

"""Reads of the loop: the policy and the facts the core's rules take, the reviews due, lists, the
full-chain reconstruction, the root-cause Pareto, the journey map's figures and the team figures.
Aggregates are computed in SQL; the core only does arithmetic on the counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from kesu import memo
from kesu.accounts.models import Team, User
from kesu.complaints import permissions as complaint_permissions
from kesu.complaints.analysis import StoredAnalysis
from kesu.complaints.audit import action_label
from kesu.complaints.models import AuditEvent, Complaint, FollowUpResult, Message, MessageKind
from kesu.core import reviews as rules_core
from kesu.core.replies import check_reply
from kesu.core.reviews.chain import CRISIS_TRIGGERS, emotion_arc
from kesu.core.reviews.due import DueFacts, Reason, ReviewRules, ReviewStatus
from kesu.core.reviews.journey import Signal
from kesu.followup.models import DISSATISFIED_RESULTS, FollowUp, WorkOrder
from kesu.metrics.models import CustomersServed
from kesu.metrics.periods import Period as MonthPeriod
from kesu.metrics.periods import add_months
from kesu.metrics.selectors import month_key
from kesu.qa import selectors as qa_selectors
from kesu.reviews import permissions
from kesu.reviews.models import (
    ComplaintTouchpoint,
    ImprovementAction,
    MeasureRate,
    Opportunity,
    Review,
    ReviewPolicy,
    RootCause,
    TeamPractice,
    Touchpoint,
    TouchpointMonth,
    TouchpointMonthRun,
)
from kesu.sla.models import ComplaintSla

POLICY_KEY = "reviews:policy"
#: Satisfied answers 满意 (非常满意, 满意, 基本满意) and successful follow-ups (the customer answered).
SATISFIED = (FollowUpResult.VERY_SATISFIED, FollowUpResult.SATISFIED, FollowUpResult.BASICALLY_SATISFIED)
SUCCESSFUL = (*SATISFIED, FollowUpResult.DISSATISFIED, FollowUpResult.VERY_DISSATISFIED)
#: Every regulator, legal or public-exposure trigger alone raises the risk to at least this (the
#: weights of kesu.core.analysis.escalation): the SQL pre-filter of the due list, the core decides.
CRISIS_RISK_FLOOR = 0.55
ESCALATED = Q(escalated_complaint=True) | Q(escalation_level__gte=1)


def policy() -> ReviewPolicy:
    return memo.remember(POLICY_KEY, lambda: ReviewPolicy.objects.get_or_create(pk=1)[0], 60)


def forget_policy(*args: Any, **kwargs: Any) -> None:
    memo.forget(POLICY_KEY)


def review_rules() -> ReviewRules:
    p = policy()
    return ReviewRules(
        escalated_complaint=p.escalated_complaint,
        min_escalation_level=p.min_escalation_level,
        triggers=frozenset(p.triggers or ()),
        reopened=p.reopened,
        dissatisfied=p.dissatisfied,
        bad_faith=p.bad_faith,
    )


# --- when a review is due ---------------------------------------------------------------------------


def _message_triggers(complaint_ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {pk: set() for pk in complaint_ids}
    rows = Message.objects.filter(complaint_id__in=complaint_ids, kind=MessageKind.CUSTOMER).values_list(
        "complaint_id", "analysis"
    )
    for complaint_id, data in rows:
        found[complaint_id] |= StoredAnalysis(data).trigger_codes
    return found


def trigger_codes(complaint: Complaint) -> frozenset[str]:
    """The escalation triggers of the complaint's text and of every later customer message."""
    later = _message_triggers([complaint.pk])[complaint.pk]
    return frozenset(StoredAnalysis(complaint.analysis).trigger_codes | later)


def due_facts_of(complaints: list[Complaint]) -> dict[int, DueFacts]:
    """The facts of several complaints in three queries, whatever their number."""
    ids = [c.pk for c in complaints]
    later = _message_triggers(ids)
    dissatisfied = dict(
        FollowUp.objects.filter(complaint_id__in=ids, result__in=DISSATISFIED_RESULTS)
        .values("complaint_id")
        .annotate(n=Count("pk"))
        .values_list("complaint_id", "n")
    )
    return {
        c.pk: DueFacts(
            escalated_complaint=c.escalated_complaint,
            escalation_level=c.escalation_level,
            triggers=frozenset(StoredAnalysis(c.analysis).trigger_codes | later[c.pk]),
            reopen_count=c.reopen_count,
            dissatisfied_follow_ups=dissatisfied.get(c.pk, 0),
            bad_faith=c.bad_faith,
        )
        for c in complaints
    }


def due_facts(complaint: Complaint) -> DueFacts:
    return due_facts_of([complaint])[complaint.pk]


def review_reasons(complaint: Complaint) -> list[Reason]:
    return rules_core.review_reasons(due_facts(complaint), review_rules())


def review_of(complaint: Complaint) -> Review | None:
    return Review.objects.filter(complaint=complaint).select_related("drafted_by", "approved_by").first()


def review_status(complaint: Complaint) -> ReviewStatus:
    status = Review.objects.filter(complaint=complaint).values_list("status", flat=True).first()
    return ReviewStatus(status) if status else ReviewStatus.NONE


def review_stage_ticks(complaint: Complaint) -> frozenset[str]:
    """The 复盘 stage's checklist items the complaint's case review ticks (submitted: STAR-L done;
    a root cause named), read from the review itself."""
    row = (
        Review.objects.filter(complaint=complaint)
        .annotate(causes=Count("root_causes"))
        .values_list("status", "causes")
        .first()
    )
    return rules_core.review_stage_ticks(row[0], row[1]) if row else frozenset()


def _candidates(rules: ReviewRules) -> Q:
    """A necessary condition of the rules in SQL (the triggers through the risk they raise)."""
    q = Q(pk__in=[])
    if rules.escalated_complaint:
        q |= Q(escalated_complaint=True)
    if rules.min_escalation_level is not None:
        q |= Q(escalation_level__gte=rules.min_escalation_level)
    if rules.triggers:
        q |= Q(escalation_risk__gte=CRISIS_RISK_FLOOR)
    if rules.reopened:
        q |= Q(reopen_count__gt=0)
    if rules.dissatisfied:
        q |= Exists(FollowUp.objects.filter(complaint=OuterRef("pk"), result__in=DISSATISFIED_RESULTS))
    if rules.bad_faith:
        q |= Q(bad_faith=True)
    return q


def reviews_due(*, user: User, limit: int = 50) -> list[tuple[Complaint, list[Reason]]]:
    """Complaints ``user`` may see that need a review not submitted yet, newest first, with why."""
    rules = review_rules()
    queryset = Complaint.objects.filter(_candidates(rules)).exclude(
        review__status__in=[ReviewStatus.SUBMITTED, ReviewStatus.APPROVED]
    )
    visible = complaint_permissions.visibility_filter(user)
    if visible is not None:
        queryset = queryset.filter(visible)
    found = []
    for complaint in queryset.select_related("customer", "owner", "team").order_by("-received_at")[
        : limit * 2
    ]:
        reasons = rules_core.review_reasons(due_facts(complaint), rules)
        if reasons:
            found.append((complaint, reasons))
        if len(found) == limit:
            break
    return found


# --- reviews ------------------------------------------------------------------------------------------


def review_list(*, user: User, status: str = "") -> QuerySet[Review]:
    queryset = Review.objects.select_related(
        "complaint", "team", "drafted_by", "approved_by"
    ).prefetch_related("root_causes")
    visible = permissions.visibility_filter(user)
    if visible is not None:
        queryset = queryset.filter(visible)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def review_get(*, user: User, pk: int) -> Review | None:
    review = (
        Review.objects.select_related(
            "complaint__customer", "complaint__owner", "team", "drafted_by", "staff_member"
        )
        .prefetch_related("root_causes", "actions")
        .filter(pk=pk)
        .first()
    )
    return review if review is not None and permissions.can_view(user, review) else None


def reviews_to_approve(*, user: User) -> QuerySet[Review]:
    queryset = review_list(user=user, status=ReviewStatus.SUBMITTED).exclude(drafted_by=user)
    if not permissions.sees_all(user):
        queryset = queryset.filter(team_id=user.team_id)
    return queryset


def root_cause_tree() -> list[tuple[RootCause, list[RootCause]]]:
    """The active tree, branches with their leaves, in order."""
    nodes = list(RootCause.objects.filter(active=True))
    return [(n, [c for c in nodes if c.parent_id == n.pk]) for n in nodes if n.parent_id is None]


TOUCHPOINTS_KEY = "reviews:touchpoints"


def touchpoints() -> list[Touchpoint]:
    """The active journey map, in order (read at every intake, so remembered a minute)."""
    return memo.remember(TOUCHPOINTS_KEY, lambda: list(Touchpoint.objects.filter(active=True)), 60)


def forget_touchpoints(*args: Any, **kwargs: Any) -> None:
    memo.forget(TOUCHPOINTS_KEY)


def complaint_touchpoints(complaint: Complaint) -> list[ComplaintTouchpoint]:
    return list(ComplaintTouchpoint.objects.filter(complaint=complaint).select_related("touchpoint"))


def handling_signals(complaint: Complaint) -> set[Signal]:
    """What the handling history shows, for the touchpoint suggestions."""
    signals: set[Signal] = set()
    sla = (
        ComplaintSla.objects.filter(pk=complaint.pk).values("first_reply_status", "effective_status").first()
    )
    if sla and sla["first_reply_status"] == "breached":
        signals.add(Signal.FIRST_REPLY_LATE)
    if sla and sla["effective_status"] == "breached":
        signals.add(Signal.EFFECTIVE_LATE)
    if "extreme_emotion" in trigger_codes(complaint):
        signals.add(Signal.EXTREME_EMOTION)
    events = AuditEvent.objects.filter(complaint=complaint)
    if events.filter(action="approval_requested").exists():
        signals.add(Signal.ABOVE_AUTHORITY)
    if any(
        (c.get("stage") or [None, None])[:2] == ["agree", "propose"]
        for c in events.filter(action="stage_changed").values_list("changes", flat=True)
    ):
        signals.add(Signal.SOLUTION_DECLINED)
    late = Q(completed_at__gt=F("due_at")) | Q(completed_at__isnull=True, due_at__lt=timezone.now())
    if WorkOrder.objects.filter(complaint=complaint).filter(late).exists():
        signals.add(Signal.WORK_ORDER_LATE)
    if complaint.reopen_count:
        signals.add(Signal.REOPENED)
    if FollowUp.objects.filter(complaint=complaint, result__in=DISSATISFIED_RESULTS).exists():
        signals.add(Signal.DISSATISFIED)
    if complaint.repeat_of_id:
        signals.add(Signal.REPEAT)
    return signals


def full_chain(complaint: Complaint) -> dict[str, Any]:
    """The full-chain reconstruction (SPEC §11) prefilled from the audit trail and the conversation:
    the trigger point, the behaviour chain (each event, each agent reply with the reply checker's
    findings) and the customer's emotion arc."""
    analysis = StoredAnalysis(complaint.analysis)
    messages = list(Message.objects.filter(complaint=complaint).exclude(kind=MessageKind.NOTE))
    points: list[tuple[str | None, Any]] = [(analysis.emotion_label, analysis.trigger_codes)]
    behaviour: list[dict[str, Any]] = []
    earlier: list[tuple[str, str]] = [("customer", complaint.text)]
    for message in messages:
        if message.kind == MessageKind.CUSTOMER:
            stored = StoredAnalysis(message.analysis)
            points.append((stored.emotion_label, stored.trigger_codes))
            earlier.append(("customer", message.body))
            continue
        check = check_reply(message.body, conversation=list(earlier))
        behaviour.append(
            {
                "at": message.created_at.isoformat(),
                "kind": "reply",
                "text": message.body[:300],
                "findings": [
                    {"code": f.code, "severity": f.severity, "zh": f.message_zh, "en": f.message_en}
                    for f in check.findings
                ],
            }
        )
        earlier.append(("agent", message.body))
    for event in AuditEvent.objects.filter(complaint=complaint).exclude(
        action__in=["message_customer", "message_agent", "message_note", "checklist", "analysis_refined"]
    ):
        behaviour.append(
            {
                "at": event.created_at.isoformat(),
                "kind": "event",
                "text": action_label(event.action),
                "note": event.note[:300],
            }
        )
    behaviour.sort(key=lambda row: row["at"])
    crisis = [t for t in CRISIS_TRIGGERS if t in trigger_codes(complaint)]
    return {
        "trigger": {
            "at": complaint.received_at.isoformat(),
            "channel": complaint.channel,
            "text": complaint.text[:300],
            "triggers": sorted(analysis.trigger_codes),
        },
        "behaviour": behaviour,
        "emotion_arc": emotion_arc(points),
        "crisis": crisis,
    }


# --- the journey map and the root-cause Pareto --------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    team_id: int | None = None

    def marks(self) -> Q:
        """The touchpoint marks of the period's complaints: by the marks' own copy of the receipt, and
        by the complaints' too, so that both sides of the join are read by their index."""
        q = Q(received_at__gte=self.start, received_at__lt=self.end)
        q &= Q(complaint__received_at__gte=self.start, complaint__received_at__lt=self.end)
        if self.team_id:
            q &= Q(complaint__team_id=self.team_id)
        return q

    def reviews(self) -> Q:
        q = Q(received_at__gte=self.start, received_at__lt=self.end)
        if self.team_id:
            q &= Q(team_id=self.team_id)
        return q


COUNTS = ("volume", "escalated", "satisfied", "answered", "effective_seconds", "effective_count")


def journey_counts(
    period: Period, *, by_team: bool = False
) -> dict[tuple[int, int | None], dict[str, float]]:
    """The journey map's counts of the period's marks, live, per touchpoint (and team), in one
    grouped query: volume, escalated, satisfied and answered follow-ups, the effective-reply time."""
    effective = ExpressionWrapper(
        F("complaint__effective_solution_at") - F("complaint__received_at"), output_field=DurationField()
    )
    group = ["touchpoint_id", "complaint__team_id"] if by_team else ["touchpoint_id"]
    rows = (
        ComplaintTouchpoint.objects.filter(period.marks())
        .values(*group)
        .annotate(
            volume=Count("pk"),
            escalated=Count(
                "pk", filter=Q(complaint__escalated_complaint=True) | Q(complaint__escalation_level__gte=1)
            ),
            satisfied=Count("pk", filter=Q(complaint__follow_up_result__in=SATISFIED)),
            answered=Count("pk", filter=Q(complaint__follow_up_result__in=SUCCESSFUL)),
            effective=Sum(effective),
            effective_count=Count("pk", filter=Q(complaint__effective_solution_at__isnull=False)),
        )
    )
    found = {}
    for row in rows:
        seconds = row.pop("effective")
        row["effective_seconds"] = seconds.total_seconds() if isinstance(seconds, timedelta) else 0.0
        found[(row.pop("touchpoint_id"), row.pop("complaint__team_id", None))] = row
    return found


def _split(period: Period) -> tuple[list[date], list[Period]]:
    """The whole past months of the period that have a summary, and the ranges counted live."""
    first, last = month_key(period.start), month_key(period.end - timedelta(microseconds=1))
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    runs = set(TouchpointMonthRun.objects.filter(month__in=months).values_list("month", flat=True))
    summarised, live = [], []
    for month in months:
        whole = MonthPeriod.month(month.year, month.month)
        if month in runs and whole.start >= period.start and whole.end <= period.end:
            summarised.append(month)
            continue
        start, end = max(whole.start, period.start), min(whole.end, period.end)
        if live and live[-1].end == start:
            live[-1] = Period(live[-1].start, end, period.team_id)
        else:
            live.append(Period(start, end, period.team_id))
    return summarised, live


def journey(period: Period) -> list[dict[str, Any]]:
    """Per touchpoint: volume, escalation rate, satisfaction and the mean time to an effective reply.
    Whole past months come from the nightly summary (:class:`TouchpointMonth`), the rest is counted
    live — a month at a million complaints reads its marks by index, a year reads the summary."""
    totals: dict[int, dict[str, float]] = {}

    def add(touchpoint_id: int, counts: dict[str, Any]) -> None:
        into = totals.setdefault(touchpoint_id, dict.fromkeys(COUNTS, 0))
        for key in COUNTS:
            into[key] += counts[key] or 0

    summarised, live = _split(period)
    if summarised:
        rows = TouchpointMonth.objects.filter(month__in=summarised)
        if period.team_id:
            rows = rows.filter(team_id=period.team_id)
        for row in rows.values("touchpoint_id").annotate(**{key: Sum(key) for key in COUNTS}):
            add(row.pop("touchpoint_id"), row)
    for part in live:
        for (touchpoint_id, _team), counts in journey_counts(part).items():
            add(touchpoint_id, counts)
    result = []
    for touchpoint in touchpoints():
        row = totals.get(touchpoint.pk, dict.fromkeys(COUNTS, 0))
        volume, answered = row["volume"], row["answered"]
        result.append(
            {
                "touchpoint": touchpoint,
                "volume": volume,
                "escalation_rate": row["escalated"] / volume if volume else None,
                "satisfaction": row["satisfied"] / answered if answered else None,
                "effective_hours": row["effective_seconds"] / row["effective_count"] / 3600
                if row["effective_count"]
                else None,
            }
        )
    return result


def touchpoint_complaints(*, user: User, touchpoint: Touchpoint, period: Period) -> QuerySet[Complaint]:
    """The drill-down: the period's complaints that touched ``touchpoint``."""
    marked = ComplaintTouchpoint.objects.filter(touchpoint=touchpoint, complaint=OuterRef("pk"))
    queryset = Complaint.objects.filter(
        Exists(marked), received_at__gte=period.start, received_at__lt=period.end
    )
    if period.team_id:
        queryset = queryset.filter(team_id=period.team_id)
    visible = complaint_permissions.visibility_filter(user)
    if visible is not None:
        queryset = queryset.filter(visible)
    return queryset.select_related("customer", "owner", "team", "category").order_by("-received_at")


def root_cause_pareto(period: Period) -> list[dict[str, Any]]:
    """Reviews per root cause, largest first, with the cumulative share (the Pareto line)."""
    through = Review.root_causes.through
    counts = list(
        through.objects.filter(review__in=Review.objects.filter(period.reviews()).values("pk"))
        .values("rootcause_id", "rootcause__name", "rootcause__name_en", "rootcause__parent__name")
        .annotate(count=Count("review_id", distinct=True))
        .order_by("-count", "rootcause_id")
    )
    total = sum(row["count"] for row in counts)
    running = 0
    for row in counts:
        running += row["count"]
        row["share"] = row["count"] / total
        row["cumulative"] = running / total
    return counts


# --- improvement actions --------------------------------------------------------------------------


def action_board(*, status: str = "") -> QuerySet[ImprovementAction]:
    queryset = ImprovementAction.objects.select_related(
        "owner", "root_cause", "measure_category", "measure_root_cause", "measure_touchpoint", "measure_team"
    ).annotate(review_count=Count("reviews", distinct=True))
    return queryset.filter(status=status) if status else queryset


def action_get(pk: int) -> ImprovementAction | None:
    return action_board().prefetch_related("reviews__complaint").filter(pk=pk).first()


def measure_filter(action: ImprovementAction) -> Q:
    """Which complaints the action's measure counts: every filter it sets must match."""
    q = Q()
    if action.measure_category_id:
        q &= Q(category_id=action.measure_category_id) | Q(subcategory_id=action.measure_category_id)
    if action.measure_root_cause_id:
        q &= Q(review__root_causes=action.measure_root_cause_id)
    if action.measure_touchpoint_id:
        q &= Exists(
            ComplaintTouchpoint.objects.filter(
                complaint=OuterRef("pk"), touchpoint_id=action.measure_touchpoint_id
            )
        )
    if action.measure_product:
        q &= Q(product=action.measure_product)
    if action.measure_team_id:
        q &= Q(team_id=action.measure_team_id)
    return q


@dataclass(frozen=True)
class MeasuredEffect:
    """An action's effect: the windows compared, the counts behind them and the core's verdict."""

    before_start: date
    done: date
    after_end: date
    counts: dict[str, float]
    effect: rules_core.Effect
    rate: str

    @property
    def after_days(self) -> int:
        return (self.after_end - self.done).days


def _window_counts(
    queryset: QuerySet, field: str, done: datetime, start: datetime, end: datetime, **extra: Q
) -> dict:
    before = Q(**{f"{field}__gte": start, f"{field}__lt": done})
    after = Q(**{f"{field}__gte": done, f"{field}__lt": end})
    aggregates: dict[str, Any] = {"before": Count("pk", filter=before), "after": Count("pk", filter=after)}
    for name, q in extra.items():
        aggregates[f"{name}_before"] = Count("pk", filter=before & q)
        aggregates[f"{name}_after"] = Count("pk", filter=after & q)
    return queryset.aggregate(**aggregates)


def action_effect(action: ImprovementAction, *, now: datetime | None = None) -> MeasuredEffect | None:
    """The rate before and after the action was done (windows of the policy's days; the after
    window ends today while it is still running), counted in one SQL query per source."""
    if action.done_at is None:
        return None
    p = policy()
    window = timedelta(days=p.effect_window_days)
    now = now or timezone.now()
    done = action.done_at
    start, end = done - window, min(done + window, now)
    complaints = Complaint.objects.filter(measure_filter(action))
    if action.measure_rate == MeasureRate.SATISFACTION:
        follow_ups = FollowUp.objects.filter(complaint__in=complaints.values("pk"), result__in=SUCCESSFUL)
        counts = _window_counts(follow_ups, "created_at", done, start, end, hit=Q(result__in=SATISFIED))
        effect = rules_core.compare_proportions(
            counts["hit_before"],
            counts["before"],
            counts["hit_after"],
            counts["after"],
            min_count=p.min_effect_count,
        )
    elif action.measure_rate == MeasureRate.ESCALATION_RATE:
        counts = _window_counts(complaints, "received_at", done, start, end, hit=ESCALATED)
        effect = rules_core.compare_proportions(
            counts["hit_before"],
            counts["before"],
            counts["hit_after"],
            counts["after"],
            min_count=p.min_effect_count,
        )
    else:
        counts = _window_counts(complaints, "received_at", done, start, end)
        if action.measure_rate == MeasureRate.PER_MILLION:
            monthly = dict(CustomersServed.objects.filter(tier__isnull=True).values_list("month", "count"))
            exposure_before = rules_core.prorated_exposure(monthly, start.date(), done.date())
            exposure_after = rules_core.prorated_exposure(monthly, done.date(), end.date())
            scale = 1e6
        else:
            exposure_before = (done - start).total_seconds() / 86400
            exposure_after = (end - done).total_seconds() / 86400
            scale = 30
        counts.update(exposure_before=exposure_before, exposure_after=exposure_after)
        effect = rules_core.compare_rates(
            counts["before"],
            exposure_before,
            counts["after"],
            exposure_after,
            scale=scale,
            min_count=p.min_effect_count,
        )
    return MeasuredEffect(start.date(), done.date(), end.date(), counts, effect, action.measure_rate)


# --- organisational figures ------------------------------------------------------------------------


def team_figures(*, month: date) -> list[dict[str, Any]]:
    """Per team: communication-training coverage against the benchmark, whether the appraisal
    includes a communication score, and the month's communication score from quality inspection."""
    benchmark = policy().training_benchmark
    teams = list(Team.objects.order_by("name"))
    practice = {p.team_id: p for p in TeamPractice.objects.all()}
    scores = qa_selectors.team_communication_scores(month=month, team_ids=[t.pk for t in teams])
    rows = []
    for team in teams:
        row = practice.get(team.pk)
        training = row.training if row else None
        rows.append(
            {
                "team": team,
                "coverage": training.rate if training else None,
                "benchmark": benchmark,
                "below": bool(training and training.below(benchmark)),
                "appraisal": bool(row and row.appraisal_has_communication_score),
                "communication_score": scores.get(team.pk),
            }
        )
    return rows


# --- opportunities --------------------------------------------------------------------------------


def opportunities_of(complaint: Complaint) -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(complaint=complaint).select_related("owner")


def opportunity_list(*, user: User) -> QuerySet[Opportunity]:
    queryset = Opportunity.objects.select_related("complaint", "owner")
    visible = complaint_permissions.visibility_filter(user)
    if visible is not None:
        queryset = queryset.filter(complaint__in=Complaint.objects.filter(visible).values("pk"))
    return queryset


def last_emotion(complaint: Complaint) -> str | None:
    """The emotion of the customer's latest message, or of the complaint's text."""
    data = (
        Message.objects.filter(complaint=complaint, kind=MessageKind.CUSTOMER)
        .order_by("-created_at", "-id")
        .values_list("analysis", flat=True)
        .first()
    )
    label = StoredAnalysis(data).emotion_label if data else None
    return label or StoredAnalysis(complaint.analysis).emotion_label


def users_of(team_id: int | None) -> QuerySet[User]:
    queryset = User.objects.filter(is_active=True).order_by("username")
    return queryset.filter(team_id=team_id) if team_id else queryset

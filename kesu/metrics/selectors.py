"""The dashboard's figures, every one counted in SQL (SPEC §7).

Definitions, per period (a month or a date range in the local time zone) and scope (a team,
a customer tier):

* **complaints in the period**: received in it (``received_at``).
* **first-reply timeliness** 首次回复及时率: of the complaints received whose first-reply clock
  is decided (met, met late, breached, or past due while still running — the sweep may lag),
  those met.
* **on-time effective reply rate** 投诉处理回复及时率: complaints whose effective-reply clock was
  met / all complaints received (SPEC: "/ all complaints in the month").
* **work-order on-time rate** 投诉工单处理及时率: work orders falling due in the period that are
  decided (completed, or past due) — those completed by their due time / all of them.
* **first-contact resolution** 一次解决率: complaints received in the period that are *resolved on
  first contact*: closed (closed or in review), never reopened, never escalated up the ladder,
  no back-office work order, the customer agreed to the solution, and the latest follow-up not
  不满意/很不满意 — / all complaints received.
* **complaints per million** 百万客户投诉率 and **escalated complaints per million**
  百万客户升级投诉率: complaints (escalated complaints) received / customers served in the
  months of the period × 10⁶. Over several months the customers served are summed, which
  makes the figure a per-customer-month rate; for one month it is SPEC's figure exactly.
* **satisfaction rate** 投诉客户满意率: follow-ups made in the period that reached the customer
  (not "unreachable"), satisfied (非常满意, 满意, 基本满意) / all of them; overall and per tier.

No complaint row is loaded into Python: each figure is an aggregate; the trend is the same
aggregate grouped by ``TruncMonth``. When the period is whole months inside the trend window
its figures are the sum of the trend's months, so a year costs one scan, not two.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts import roles
from kesu.accounts.models import Team, User
from kesu.complaints.errors import PermissionRefused
from kesu.complaints.models import Complaint, FollowUpResult, Source
from kesu.core import kpi
from kesu.customers.models import Tier
from kesu.escalation.models import Escalation, EscalationLevel
from kesu.followup.models import FollowUp, WorkOrder
from kesu.metrics.models import KPI_LABELS, CustomersServed, KpiTarget
from kesu.metrics.periods import Period, add_months
from kesu.sla.models import ClockStatus

TREND_MONTHS = 12
CLOSED_STAGES = ("closed", "review")
DISSATISFIED = (FollowUpResult.DISSATISFIED, FollowUpResult.VERY_DISSATISFIED)
#: The complaints app's 基本满意 is the KPI core's ``fairly_satisfied``.
RATING_FOR_RESULT = {
    FollowUpResult.VERY_SATISFIED: kpi.SatisfactionRating.VERY_SATISFIED,
    FollowUpResult.SATISFIED: kpi.SatisfactionRating.SATISFIED,
    FollowUpResult.BASICALLY_SATISFIED: kpi.SatisfactionRating.FAIRLY_SATISFIED,
    FollowUpResult.DISSATISFIED: kpi.SatisfactionRating.DISSATISFIED,
    FollowUpResult.VERY_DISSATISFIED: kpi.SatisfactionRating.VERY_DISSATISFIED,
}
DASHBOARD_ROLES = frozenset({roles.MANAGER, roles.ADMIN, roles.TEAM_LEAD})


# --- who sees what ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    team_id: int | None = None
    tier_code: str = ""
    tier_id: int | None = None

    def as_query(self) -> dict[str, str]:
        query = {}
        if self.team_id:
            query["team"] = str(self.team_id)
        if self.tier_code:
            query["tier"] = self.tier_code
        return query


def can_view_dashboard(user: User) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.has_perm("metrics.view_kpi_dashboard"):
        return True
    codes = user.role_codes
    if roles.TEAM_LEAD in codes and not ({roles.MANAGER, roles.ADMIN} & codes):
        return user.team_id is not None
    return bool(DASHBOARD_ROLES & codes)


def sees_every_team(user: User) -> bool:
    return (
        user.is_superuser
        or user.has_perm("metrics.view_kpi_dashboard")
        or bool({roles.MANAGER, roles.ADMIN} & user.role_codes)
    )


def dashboard_scope(*, user: User, team_id: int | None, tier_code: str = "") -> Scope:
    """The scope a user may see: managers and admins any team; a team lead only their own."""
    if not can_view_dashboard(user):
        raise PermissionRefused(_("Only managers and team leads see the KPI dashboard."))
    if not sees_every_team(user):
        if team_id not in (None, user.team_id):
            raise PermissionRefused(_("Team leads see their own team's figures only."))
        team_id = user.team_id
    tier_id = None
    if tier_code:
        tier_id = Tier.objects.filter(code=tier_code).values_list("pk", flat=True).first()
        if tier_id is None:
            tier_id = -1  # an unknown tier has no complaints
    return Scope(team_id=team_id, tier_code=tier_code, tier_id=tier_id)


# --- querysets ------------------------------------------------------------------------------------


def complaints_in(period_start: datetime, period_end: datetime, scope: Scope) -> QuerySet[Complaint]:
    qs = Complaint.objects.filter(received_at__gte=period_start, received_at__lt=period_end)
    if scope.team_id:
        qs = qs.filter(team_id=scope.team_id)
    if scope.tier_id is not None:
        qs = qs.filter(customer__tier_id=scope.tier_id)
    return qs


def _scoped(qs: QuerySet, scope: Scope, prefix: str = "complaint__") -> QuerySet:
    if scope.team_id:
        qs = qs.filter(**{f"{prefix}team_id": scope.team_id})
    if scope.tier_id is not None:
        qs = qs.filter(**{f"{prefix}customer__tier_id": scope.tier_id})
    return qs


def follow_ups_in(start: datetime, end: datetime, scope: Scope) -> QuerySet[FollowUp]:
    return _scoped(FollowUp.objects.filter(created_at__gte=start, created_at__lt=end), scope)


def work_orders_in(start: datetime, end: datetime, scope: Scope, now: datetime) -> QuerySet[WorkOrder]:
    """Work orders falling due in the period whose outcome is decided (done, or past due)."""
    qs = WorkOrder.objects.filter(due_at__gte=start, due_at__lt=end).filter(
        Q(completed_at__isnull=False) | Q(due_at__lte=now)
    )
    return _scoped(qs, scope)


def first_reply_decided(now: datetime) -> Q:
    decided = [ClockStatus.MET, ClockStatus.MET_LATE, ClockStatus.BREACHED]
    return Q(sla__first_reply_status__in=decided) | Q(sla__first_reply_due_at__lte=now)


def resolved_on_first_contact() -> Q:
    """Closed, never reopened, never escalated, no work order, agreed, not dissatisfied."""
    return (
        Q(stage__in=CLOSED_STAGES, reopen_count=0, customer_agreed_at__isnull=False)
        & ~Q(follow_up_result__in=DISSATISFIED)
        & ~Q(pk__in=WorkOrder.objects.values("complaint_id"))
        & ~Q(pk__in=Escalation.objects.values("complaint_id"))
    )


def _complaint_counts(now: datetime) -> dict[str, Count]:
    return {
        "complaints": Count("pk"),
        "first_reply_due": Count("pk", filter=first_reply_decided(now)),
        "first_reply_in_time": Count("pk", filter=Q(sla__first_reply_status=ClockStatus.MET)),
        "effective_in_time": Count("pk", filter=Q(sla__effective_status=ClockStatus.MET)),
        "escalated": Count("pk", filter=Q(escalated_complaint=True)),
        "first_contact": Count("pk", filter=resolved_on_first_contact()),
    }


# --- targets ----------------------------------------------------------------------------------------


class Targets:
    """Admin targets (:class:`KpiTarget`) over the SPEC defaults of :mod:`kesu.core.kpi`."""

    def __init__(self) -> None:
        self.rows = {
            (row.kpi, row.tier.code if row.tier else ""): row
            for row in KpiTarget.objects.select_related("tier")
        }

    def get(self, key: kpi.Kpi, tier: str = "") -> kpi.KpiTarget:
        default = kpi.DEFAULT_KPI_TARGETS[key]
        for candidate in ([tier] if tier else []) + [""]:
            row = self.rows.get((key.value, candidate))
            if row is not None:
                return kpi.KpiTarget(row.value, default.direction, row.near_margin)
            if candidate and key == kpi.Kpi.SATISFACTION and candidate in kpi.DEFAULT_SATISFACTION_TARGETS:
                return kpi.KpiTarget(
                    kpi.DEFAULT_SATISFACTION_TARGETS[candidate], default.direction, default.near_margin
                )
        return default


# --- the dashboard --------------------------------------------------------------------------------


@dataclass
class Figure:
    key: str
    label: str
    value: kpi.KpiValue
    target: kpi.KpiTarget
    tier: str = ""

    @property
    def is_rate(self) -> bool:
        return self.value.scale == 1

    @property
    def assessment(self) -> kpi.Assessment | None:
        return kpi.assess(self.value.value, self.target.value, self.target.direction, self.target.near_margin)

    def display(self, number: Decimal | None) -> str:
        if number is None:
            return "—"
        if self.is_rate:
            return f"{(number * 100).quantize(Decimal('0.1'))} %"
        return f"{number.quantize(Decimal('0.01'))}"

    def as_dict(self) -> dict[str, Any]:
        value = self.value.value
        return {
            "key": self.key,
            "label": self.label,
            "tier": self.tier,
            "value": float(value) if value is not None else None,
            "display": self.display(value),
            "numerator": self.value.numerator,
            "denominator": self.value.denominator,
            "is_rate": self.is_rate,
            "target": float(self.target.value) if self.target.value is not None else None,
            "target_display": self.display(self.target.value),
            "direction": self.target.direction.value,
            "assessment": self.assessment.value if self.assessment else None,
        }


@dataclass
class Dashboard:
    period: Period
    scope: Scope
    kpis: list[Figure]
    satisfaction_by_tier: list[Figure]
    trend: dict[str, Any]
    pareto: list[dict[str, Any]]
    emotions: list[dict[str, Any]]
    funnel: list[dict[str, Any]]
    escalated_by_source: list[dict[str, Any]]
    root_causes: list[dict[str, Any]]
    follow_ups: dict[str, int] = field(default_factory=dict)

    def kpi(self, key: str) -> Figure:
        return next(figure for figure in self.kpis if figure.key == key)


def _month_key(value: datetime | date) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date(value.year, value.month, 1)


def _by_month(rows: Iterable[dict[str, Any]], field_name: str = "month") -> dict[date, dict[str, Any]]:
    return {_month_key(row.pop(field_name)): row for row in rows}


def _sum(buckets: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for bucket in buckets:
        for name, count in bucket.items():
            total[name] += count or 0
    return dict(total)


def customers_served(months: list[date], tier_id: int | None) -> dict[date, int]:
    """Customers served per month: the tier's rows, or the all-tier rows (else the tiers' sum)."""
    rows = CustomersServed.objects.filter(month__in=months)
    served: dict[date, int] = {}
    if tier_id is not None:
        for month, count in rows.filter(tier_id=tier_id).values_list("month", "count"):
            served[month] = count
        return served
    by_tier: dict[date, int] = defaultdict(int)
    for month, tier, count in rows.values_list("month", "tier_id", "count"):
        if tier is None:
            served[month] = count
        else:
            by_tier[month] += count
    return {
        month: served.get(month, by_tier.get(month, 0))
        for month in months
        if month in served or month in by_tier
    }


def _ratings(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    ratings: dict[str, int] = defaultdict(int)
    for result, count in rows:
        if result in RATING_FOR_RESULT:
            ratings[RATING_FOR_RESULT[result].value] += count
    return dict(ratings)


def _figures(
    counts: dict[str, int],
    work_orders: dict[str, int],
    served: int,
    ratings: dict[str, int],
    targets: Targets,
    tier: str,
) -> list[Figure]:
    def figure(key: kpi.Kpi, value: kpi.KpiValue) -> Figure:
        return Figure(key.value, str(KPI_LABELS[key]), value, targets.get(key, tier), tier)

    complaints = counts.get("complaints", 0)
    return [
        figure(
            kpi.Kpi.FIRST_REPLY_TIMELINESS,
            kpi.first_reply_timeliness_rate(
                replied_in_time=counts.get("first_reply_in_time", 0), due=counts.get("first_reply_due", 0)
            ),
        ),
        figure(
            kpi.Kpi.ON_TIME_EFFECTIVE_REPLY,
            kpi.on_time_effective_reply_rate(
                answered_in_time=counts.get("effective_in_time", 0), complaints=complaints
            ),
        ),
        figure(
            kpi.Kpi.WORK_ORDER_ON_TIME,
            kpi.work_order_on_time_rate(
                handled_in_time=work_orders.get("in_time", 0), work_orders=work_orders.get("total", 0)
            ),
        ),
        figure(
            kpi.Kpi.FIRST_CONTACT_RESOLUTION,
            kpi.first_contact_resolution_rate(
                resolved_on_first_contact=counts.get("first_contact", 0), complaints_received=complaints
            ),
        ),
        figure(
            kpi.Kpi.COMPLAINTS_PER_MILLION,
            kpi.complaints_per_million(complaints=complaints, customers_served=served),
        ),
        figure(
            kpi.Kpi.ESCALATED_COMPLAINTS_PER_MILLION,
            kpi.escalated_complaints_per_million(
                escalated_complaints=counts.get("escalated", 0), customers_served=served
            ),
        ),
        figure(kpi.Kpi.SATISFACTION, kpi.satisfaction_rate(ratings)),
    ]


def _work_order_counts(now: datetime) -> dict[str, Count]:
    return {"total": Count("pk"), "in_time": Count("pk", filter=Q(completed_at__lte=F("due_at")))}


def dashboard(*, period: Period, scope: Scope, now: datetime | None = None) -> Dashboard:
    """Every figure of the dashboard for a period and scope (permission checked by the caller
    through :func:`dashboard_scope`)."""
    now = now or timezone.now()
    targets = Targets()
    last_month = period.months()[-1]
    trend_months = [add_months(last_month, -i) for i in range(TREND_MONTHS - 1, -1, -1)]
    trend_start = Period.month(trend_months[0].year, trend_months[0].month).start
    trend_end = Period.month(last_month.year, last_month.month).end
    tz = timezone.get_current_timezone()

    complaint_trend = _by_month(
        complaints_in(trend_start, trend_end, scope)
        .annotate(month=TruncMonth("received_at", tzinfo=tz))
        .values("month")
        .annotate(**_complaint_counts(now))
        .order_by()
    )
    rating_trend: dict[date, dict[str, int]] = defaultdict(dict)
    unreachable_trend: dict[date, int] = defaultdict(int)
    for row in (
        follow_ups_in(trend_start, trend_end, scope)
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("month", "result")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        month = _month_key(row["month"])
        if row["result"] == FollowUpResult.UNREACHABLE:
            unreachable_trend[month] += row["n"]
        else:
            rating_trend[month][row["result"]] = row["n"]
    work_order_trend = _by_month(
        work_orders_in(trend_start, trend_end, scope, now)
        .annotate(month=TruncMonth("due_at", tzinfo=tz))
        .values("month")
        .annotate(**_work_order_counts(now))
        .order_by()
    )
    served_by_month = customers_served(sorted({*trend_months, *period.months()}), scope.tier_id)

    in_trend = period.whole_months and period.first_day >= trend_months[0]
    period_months = period.months()
    if in_trend:
        counts = _sum(complaint_trend.get(m, {}) for m in period_months)
        work_orders = _sum(work_order_trend.get(m, {}) for m in period_months)
        rating_rows = [(r, n) for m in period_months for r, n in rating_trend.get(m, {}).items()]
    else:
        counts = complaints_in(period.start, period.end, scope).aggregate(**_complaint_counts(now))
        work_orders = work_orders_in(period.start, period.end, scope, now).aggregate(
            **_work_order_counts(now)
        )
        rating_rows = list(
            follow_ups_in(period.start, period.end, scope)
            .exclude(result=FollowUpResult.UNREACHABLE)
            .values_list("result")
            .annotate(n=Count("pk"))
            .order_by()
        )
    served = sum(served_by_month.get(m, 0) for m in period_months)
    figures = _figures(counts, work_orders, served, _ratings(rating_rows), targets, scope.tier_code)

    # Satisfaction per tier, for the period.
    by_tier: dict[str, list[tuple[str, int]]] = defaultdict(list)
    tier_rows = (
        follow_ups_in(period.start, period.end, scope)
        .exclude(result=FollowUpResult.UNREACHABLE)
        .values_list("complaint__customer__tier__code", "result")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for tier, result, count in tier_rows:
        by_tier[tier].append((result, count))
    tier_names = dict(Tier.objects.values_list("code", "name"))
    satisfaction_by_tier = []
    for tier in Tier.objects.order_by("rank", "code").values_list("code", flat=True):
        if scope.tier_code and tier != scope.tier_code:
            continue
        satisfaction_by_tier.append(
            Figure(
                kpi.Kpi.SATISFACTION.value,
                tier_names[tier],
                kpi.satisfaction_rate(_ratings(by_tier.get(tier, []))),
                targets.get(kpi.Kpi.SATISFACTION, tier),
                tier,
            )
        )

    # The trend: each KPI per month over the last twelve.
    series: dict[str, list[float | None]] = defaultdict(list)
    volumes: list[int] = []
    for month in trend_months:
        month_figures = _figures(
            complaint_trend.get(month, {}),
            work_order_trend.get(month, {}),
            served_by_month.get(month, 0),
            _ratings(rating_trend.get(month, {}).items()),
            targets,
            scope.tier_code,
        )
        for figure in month_figures:
            series[figure.key].append(float(figure.value.value) if figure.value.value is not None else None)
        volumes.append(complaint_trend.get(month, {}).get("complaints", 0))
    trend = {"months": [f"{m:%Y-%m}" for m in trend_months], "series": dict(series), "complaints": volumes}

    period_qs = complaints_in(period.start, period.end, scope)
    total = counts.get("complaints", 0)
    pareto, causes = _pareto_and_causes(period_qs, total)
    return Dashboard(
        period=period,
        scope=scope,
        kpis=figures,
        satisfaction_by_tier=satisfaction_by_tier,
        trend=trend,
        pareto=pareto,
        emotions=_emotions(period_qs, total),
        funnel=_funnel(period_qs, total, scope, period),
        escalated_by_source=_escalated_by_source(period_qs),
        root_causes=causes,
        follow_ups={
            "successful": sum(n for _r, n in rating_rows),
            "unreachable": sum(unreachable_trend.get(m, 0) for m in period_months)
            if in_trend
            else follow_ups_in(period.start, period.end, scope)
            .filter(result=FollowUpResult.UNREACHABLE)
            .count(),
        },
    )


def _pareto_and_causes(
    qs: QuerySet[Complaint], total: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Category Pareto (with the cumulative share) and the top category/sub-category pairs, from
    one GROUP BY over both."""
    rows = list(
        qs.values("category__code", "category__name", "subcategory__code", "subcategory__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    categories: dict[str, dict[str, Any]] = {}
    for row in rows:
        code = row["category__code"] or ""
        entry = categories.setdefault(
            code, {"code": code, "name": row["category__name"] or _("Uncategorised"), "count": 0}
        )
        entry["count"] += row["n"]
    pareto, running = [], 0
    for entry in sorted(categories.values(), key=lambda e: (-e["count"], e["code"])):
        running += entry["count"]
        pareto.append(
            {
                **entry,
                "share": entry["count"] / total if total else 0,
                "cumulative": running / total if total else 0,
            }
        )
    causes = [
        {
            "category": row["category__code"] or "",
            "category_name": row["category__name"] or _("Uncategorised"),
            "subcategory": row["subcategory__code"] or "",
            "subcategory_name": row["subcategory__name"] or "",
            "count": row["n"],
            "share": row["n"] / total if total else 0,
        }
        for row in sorted(
            rows, key=lambda r: (-r["n"], r["category__code"] or "", r["subcategory__code"] or "")
        )[:10]
    ]
    return pareto, causes


EMOTION_LABELS = {
    "anger": "愤怒",
    "disappointment": "失望",
    "anxiety": "焦虑",
    "confusion": "困惑",
    "neutral": "平静",
    "satisfied": "满意",
    "expectation": "期待",
}


def _emotions(qs: QuerySet[Complaint], total: int) -> list[dict[str, Any]]:
    """The emotion mix, from ``analysis.emotion.label`` in SQL (``->>`` on PostgreSQL,
    ``json_extract`` on SQLite)."""
    rows = (
        qs.annotate(emotion=KT("analysis__emotion__label"))
        .values("emotion")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    return [
        {
            "label": row["emotion"] or "",
            "name": EMOTION_LABELS.get(row["emotion"] or "", row["emotion"] or _("Unknown")),
            "count": row["n"],
            "share": row["n"] / total if total else 0,
        }
        for row in rows
    ]


def _funnel(qs: QuerySet[Complaint], total: int, scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Received → escalated to each level of the ladder (complaints that reached it)."""
    ladder = list(
        EscalationLevel.objects.filter(position__gte=1)
        .order_by("position")
        .values_list("position", "code", "name")
    )
    escalations = _scoped(
        Escalation.objects.filter(
            complaint__received_at__gte=period.start, complaint__received_at__lt=period.end
        ),
        scope,
    )
    reached = (
        escalations.aggregate(
            **{
                f"l{position}": Count("complaint_id", distinct=True, filter=Q(level__gte=position))
                for position, _c, _n in ladder
            }
        )
        if ladder
        else {}
    )
    steps = [{"step": "received", "level": 0, "name": _("Received"), "count": total}]
    for position, code, name in ladder:
        steps.append(
            {"step": code, "level": position, "name": name, "count": reached.get(f"l{position}") or 0}
        )
    return steps


def _escalated_by_source(qs: QuerySet[Complaint]) -> list[dict[str, Any]]:
    """Escalated complaints 升级投诉 by where they came from (referrals, walk-ins, letters)."""
    labels = dict(Source.choices)
    from kesu.complaints.models import Channel

    channels = dict(Channel.choices)
    rows = (
        qs.filter(escalated_complaint=True)
        .values("source", "channel")
        .annotate(n=Count("pk"))
        .order_by("-n", "source", "channel")
    )
    return [
        {
            "source": row["source"],
            "channel": row["channel"],
            "name": str(labels.get(row["source"], row["source"]))
            if row["source"] != Source.CUSTOMER
            else str(channels.get(row["channel"], row["channel"])),
            "count": row["n"],
        }
        for row in rows
    ]


def team_choices(user: User) -> list[tuple[int, str]]:
    teams = Team.objects.order_by("name")
    if not sees_every_team(user):
        teams = teams.filter(pk=user.team_id)
    return list(teams.values_list("pk", "name"))


# --- the complaints behind a figure --------------------------------------------------------------

SATISFIED_RESULTS = (
    FollowUpResult.VERY_SATISFIED,
    FollowUpResult.SATISFIED,
    FollowUpResult.BASICALLY_SATISFIED,
)
FIGURES = (
    "complaints",
    *(k.value for k in kpi.Kpi),
    "category",
    "cause",
    "emotion",
    "funnel",
    "source",
)


def figure_complaints(
    *, figure: str, part: str, value: str, period: Period, scope: Scope, now: datetime | None = None
) -> QuerySet[Complaint]:
    """The complaints counted in a figure: ``part`` is ``num`` (the numerator) or ``den``."""
    now = now or timezone.now()
    qs = complaints_in(period.start, period.end, scope)
    numerator = part == "num"
    if figure == kpi.Kpi.FIRST_REPLY_TIMELINESS:
        return (
            qs.filter(sla__first_reply_status=ClockStatus.MET)
            if numerator
            else qs.filter(first_reply_decided(now))
        )
    if figure == kpi.Kpi.ON_TIME_EFFECTIVE_REPLY:
        return qs.filter(sla__effective_status=ClockStatus.MET) if numerator else qs
    if figure == kpi.Kpi.FIRST_CONTACT_RESOLUTION:
        return qs.filter(resolved_on_first_contact()) if numerator else qs
    if figure == kpi.Kpi.ESCALATED_COMPLAINTS_PER_MILLION:
        return qs.filter(escalated_complaint=True)
    if figure == kpi.Kpi.WORK_ORDER_ON_TIME:
        orders = work_orders_in(period.start, period.end, scope, now)
        if numerator:
            orders = orders.filter(completed_at__lte=F("due_at"))
        return Complaint.objects.filter(pk__in=orders.values("complaint_id"))
    if figure == kpi.Kpi.SATISFACTION:
        answers = follow_ups_in(period.start, period.end, scope).exclude(result=FollowUpResult.UNREACHABLE)
        if value:
            answers = answers.filter(complaint__customer__tier__code=value)
        if numerator:
            answers = answers.filter(result__in=SATISFIED_RESULTS)
        return Complaint.objects.filter(pk__in=answers.values("complaint_id"))
    if figure == "category":
        return qs.filter(category__code=value) if value else qs.filter(category__isnull=True)
    if figure == "cause":
        category, _sep, sub = value.partition("/")
        qs = qs.filter(category__code=category) if category else qs.filter(category__isnull=True)
        return qs.filter(subcategory__code=sub) if sub else qs.filter(subcategory__isnull=True)
    if figure == "emotion":
        if value:
            return qs.filter(analysis__emotion__label=value)
        return qs.filter(analysis__emotion__label__isnull=True)
    if figure == "funnel":
        level = int(value) if value.isdigit() else 0
        return (
            qs
            if level == 0
            else qs.filter(pk__in=Escalation.objects.filter(level__gte=level).values("complaint_id"))
        )
    if figure == "source":
        source, _sep, channel = value.partition(":")
        return qs.filter(escalated_complaint=True, source=source, channel=channel)
    return qs

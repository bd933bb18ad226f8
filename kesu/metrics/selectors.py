"""The dashboard's figures, every one counted in SQL (SPEC §7).

Definitions, per period (a month or a date range in the local time zone) and scope (a team,
a customer tier):

* **complaints in the period**: received in it (``received_at``).
* **the timeliness KPIs** follow one rule (:func:`kesu.core.kpi.deadline_outcome`): a deadline
  counts in the period in which it *fell due*, not the one the complaint was received in, once
  its outcome is decided (met, met late, or past due and still open — the sweep may lag); the
  deadlines of the period still undecided (not yet due, or the clock paused before its deadline
  while the customer is waited for) are *pending*, counted apart and never in the rate; a clock
  paused after its deadline passed is overdue:

  - **first-reply timeliness** 首次回复及时率: first replies met / first-reply deadlines decided;
  - **on-time effective reply rate** 投诉处理回复及时率: effective replies met / effective-reply
    deadlines decided (SPEC: "/ all complaints in the month" — the month they fell due in);
  - **work-order on-time rate** 投诉工单处理及时率: work orders completed by their due time /
    work orders due in the period and decided (completed, or past due).
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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Team, User
from kesu.complaints import vocabulary
from kesu.complaints.analysis import EMOTION_LABEL_LOOKUP
from kesu.complaints.models import Category, Channel, Complaint, FollowUpResult, Source
from kesu.complaints.vocabulary import EMOTION_LABELS
from kesu.core import kpi
from kesu.customers.models import Tier
from kesu.escalation.models import Escalation, EscalationLevel
from kesu.followup.models import FollowUp, WorkOrder
from kesu.metrics.models import KPI_LABELS, CustomersServed, KpiMonth, KpiMonthRun, KpiTarget
from kesu.metrics.periods import Period, add_months
from kesu.metrics.permissions import Scope, sees_every_team
from kesu.sla.models import ClockStatus, ComplaintSla

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
    """Follow-ups made in [start, end), by the team and for the tier they were made for: each
    follow-up cycle once, by its last attempt (the answer, or the last unreachable call when the
    customer was never reached), so an unreachable call before the answer does not count."""
    later = FollowUp.objects.filter(
        complaint_id=OuterRef("complaint_id"), cycle=OuterRef("cycle"), pk__gt=OuterRef("pk")
    )
    qs = FollowUp.objects.filter(created_at__gte=start, created_at__lt=end, cycle__isnull=False)
    qs = qs.exclude(Exists(later))
    if scope.team_id:
        qs = qs.filter(team_id=scope.team_id)
    if scope.tier_id is not None:
        qs = qs.filter(tier_id=scope.tier_id)
    return qs


def work_orders_due(start: datetime, end: datetime, scope: Scope) -> QuerySet[WorkOrder]:
    """Work orders falling due in the period, decided or not."""
    return _scoped(WorkOrder.objects.filter(due_at__gte=start, due_at__lt=end), scope)


def work_order_pending(now: datetime) -> Q:
    return Q(completed_at__isnull=True, due_at__gt=now)


def work_orders_in(start: datetime, end: datetime, scope: Scope, now: datetime) -> QuerySet[WorkOrder]:
    """Work orders falling due in the period whose outcome is decided (done, or past due)."""
    return work_orders_due(start, end, scope).exclude(work_order_pending(now))


#: The two clocks whose deadlines the timeliness KPIs count: (name in the counts, field prefix).
CLOCKS = (("first_reply", "first_reply"), ("effective", "effective"))


#: A clock stopped by the act that delivers: its outcome is in time or late, whatever else.
DONE = (ClockStatus.MET, ClockStatus.MET_LATE)


def clock_pending(clock: str, now: datetime, prefix: str = "") -> Q:
    """Undecided — :func:`kesu.core.kpi.deadline_outcome` in SQL: not done, and either not yet
    due or paused before the deadline (it will move out). A clock paused after its deadline
    passed (breached, then waiting for the customer) is decided: overdue."""
    due_at = f"{prefix}{clock}_due_at"
    return ~Q(**{f"{prefix}{clock}_status__in": DONE}) & (
        Q(**{f"{due_at}__gt": now}) | Q(**{f"{prefix}paused_since__lt": F(due_at)})
    )


def clock_counts(clock: str, now: datetime) -> dict[str, Count]:
    """A clock's counts over :class:`ComplaintSla` rows whose deadline fell in the period."""
    name = "first_reply" if clock == "first_reply" else "effective"
    pending = clock_pending(clock, now)
    return {
        f"{name}_due": Count("pk", filter=~pending),
        f"{name}_in_time": Count("pk", filter=Q(**{f"{clock}_status": ClockStatus.MET})),
        f"{name}_pending": Count("pk", filter=pending),
        f"{name}_overdue": Count("pk", filter=~pending & ~Q(**{f"{clock}_status__in": DONE})),
    }


def clocks_due(clock: str, start: datetime, end: datetime, scope: Scope) -> QuerySet[ComplaintSla]:
    qs = ComplaintSla.objects.filter(**{f"{clock}_due_at__gte": start, f"{clock}_due_at__lt": end})
    return _scoped(qs, scope)


def complaints_due(clock: str, start: datetime, end: datetime, scope: Scope) -> QuerySet[Complaint]:
    """Complaints whose ``clock`` (first_reply, effective) fell due in [start, end)."""
    qs = Complaint.objects.filter(**{f"sla__{clock}_due_at__gte": start, f"sla__{clock}_due_at__lt": end})
    return _scoped(qs, scope, prefix="")


def resolved_on_first_contact() -> Q:
    """Closed, never reopened, never escalated, no work order, agreed, not dissatisfied."""
    return (
        Q(stage__in=CLOSED_STAGES, reopen_count=0, customer_agreed_at__isnull=False)
        & ~Q(follow_up_result__in=DISSATISFIED)
        & ~Q(pk__in=WorkOrder.objects.values("complaint_id"))
        & ~Q(pk__in=Escalation.objects.values("complaint_id"))
    )


def _complaint_counts(now: datetime) -> dict[str, Count]:
    """The counts by the month received (the timeliness counts go by the month due)."""
    return {
        "complaints": Count("pk"),
        "escalated": Count("pk", filter=Q(escalated_complaint=True)),
        "first_contact": Count("pk", filter=resolved_on_first_contact()),
    }


# --- targets ----------------------------------------------------------------------------------------


SCHEMES = tuple(kpi.TargetScheme)


class Targets:
    """Admin targets (:class:`KpiTarget`) in both schemes over the SPEC defaults of
    :mod:`kesu.core.kpi`: a tier's own row, else the all-tier row, else the scheme's default."""

    def __init__(self) -> None:
        self.rows = {
            (row.scheme, row.kpi, row.tier.code if row.tier else ""): row
            for row in KpiTarget.objects.select_related("tier")
        }

    def get(self, key: kpi.Kpi, tier: str = "", scheme: str = kpi.TargetScheme.STANDARD) -> kpi.KpiTarget:
        default = kpi.scheme_target(scheme, key, "")
        for candidate in ([tier] if tier else []) + [""]:
            row = self.rows.get((scheme, key.value, candidate))
            if row is not None:
                return kpi.KpiTarget(row.value, default.direction, row.near_margin)
            if candidate and key == kpi.Kpi.SATISFACTION:
                own = kpi.scheme_target(scheme, key, candidate)
                if own != default:
                    return own
        return default

    def all(self, key: kpi.Kpi, tier: str = "") -> dict[str, kpi.KpiTarget]:
        return {scheme.value: self.get(key, tier, scheme) for scheme in SCHEMES}


# --- the dashboard --------------------------------------------------------------------------------


@dataclass
class Figure:
    key: str
    label: str
    value: kpi.KpiValue
    #: The target in each scheme (:class:`kesu.core.kpi.TargetScheme`), the standard first.
    targets: dict[str, kpi.KpiTarget]
    tier: str = ""
    #: Timeliness KPIs: deadlines of the period not yet decided (not in the rate), and the
    #: decided ones still open past their deadline (in the rate, as not in time).
    pending: int | None = None
    overdue: int | None = None

    @property
    def target(self) -> kpi.KpiTarget:
        return self.targets[kpi.TargetScheme.STANDARD]

    @property
    def is_rate(self) -> bool:
        return self.value.scale == 1

    def assessment_in(self, scheme: str) -> kpi.Assessment | None:
        target = self.targets[scheme]
        return kpi.assess(self.value.value, target.value, target.direction, target.near_margin)

    @property
    def assessment(self) -> kpi.Assessment | None:
        return self.assessment_in(kpi.TargetScheme.STANDARD)

    def display(self, number: Decimal | None) -> str:
        if number is None:
            return "—"
        if self.is_rate:
            return f"{(number * 100).quantize(Decimal('0.1'))}%"
        return f"{number.quantize(Decimal('0.01'))}"

    def as_dict(self) -> dict[str, Any]:
        value = self.value.value

        def target(scheme: str) -> dict[str, Any]:
            goal, assessment = self.targets[scheme], self.assessment_in(scheme)
            return {
                "scheme": scheme,
                "value": float(goal.value) if goal.value is not None else None,
                "display": self.display(goal.value),
                "direction": goal.direction.value,
                "assessment": assessment.value if assessment else None,
            }

        return {
            "key": self.key,
            "label": self.label,
            "tier": self.tier,
            "value": float(value) if value is not None else None,
            "display": self.display(value),
            "numerator": self.value.numerator,
            "denominator": self.value.denominator,
            "is_rate": self.is_rate,
            "pending": self.pending,
            "overdue": self.overdue,
            "target": float(self.target.value) if self.target.value is not None else None,
            "target_display": self.display(self.target.value),
            "direction": self.target.direction.value,
            "assessment": self.assessment.value if self.assessment else None,
            "targets": [target(scheme) for scheme in self.targets],
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


def month_key(value: datetime | date) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date(value.year, value.month, 1)


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
    counts: dict[str, int], served: int, ratings: dict[str, int], targets: Targets, tier: str
) -> list[Figure]:
    def figure(key: kpi.Kpi, value: kpi.KpiValue, timeliness: kpi.TimelinessCounts | None = None) -> Figure:
        return Figure(
            key.value,
            str(KPI_LABELS[key]),
            value,
            targets.all(key, tier),
            tier,
            pending=timeliness.pending if timeliness else None,
            overdue=timeliness.overdue if timeliness else None,
        )

    def timely(key: kpi.Kpi, name: str) -> Figure:
        counts_of = kpi.TimelinessCounts(
            due=counts.get(f"{name}_due", 0),
            in_time=counts.get(f"{name}_in_time", 0),
            pending=counts.get(f"{name}_pending", 0),
            overdue=counts.get(f"{name}_overdue", 0),
        )
        return figure(key, kpi.timeliness_rate(counts_of), counts_of)

    complaints = counts.get("complaints", 0)
    return [
        timely(kpi.Kpi.FIRST_REPLY_TIMELINESS, "first_reply"),
        timely(kpi.Kpi.ON_TIME_EFFECTIVE_REPLY, "effective"),
        timely(kpi.Kpi.WORK_ORDER_ON_TIME, "work_orders"),
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


#: Counted by the month received.
RECEIVED_FIELDS = ("complaints", "escalated", "first_contact")
#: Counted by the month due: each timeliness KPI's decided, in-time, pending and overdue deadlines.
TIMELINESS = ("first_reply", "effective", "work_orders")
DUE_FIELDS = tuple(
    f"{name}_{part}" for name in TIMELINESS for part in ("due", "in_time", "pending", "overdue")
)
COUNT_FIELDS = RECEIVED_FIELDS + DUE_FIELDS
#: Reporting queries on PostgreSQL: compiling them (JIT) costs more than it saves at this size,
#: and the monthly GROUP BY sorts and hashes fit in memory instead of spilling to disk.
REPORT_SETTINGS = {"jit": "off", "work_mem": "64MB"}


@dataclass
class Bucket:
    """The counts behind every KPI for a set of complaints; follow-ups by tier id and result."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_FIELDS, 0))
    follow_ups: dict[int | None, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )

    def add(self, other: Bucket) -> Bucket:
        for name, count in other.counts.items():
            self.counts[name] += count
        for tier, results in other.follow_ups.items():
            for result, count in results.items():
                self.follow_ups[tier][result] += count
        return self

    def ratings(self, tier_id: int | None = None, *, every_tier: bool = True) -> dict[str, int]:
        tiers = self.follow_ups.values() if every_tier else [self.follow_ups.get(tier_id, {})]
        return _ratings((result, n) for results in tiers for result, n in results.items())

    def unreachable(self) -> int:
        return sum(results.get(FollowUpResult.UNREACHABLE, 0) for results in self.follow_ups.values())


def live_buckets(
    start: datetime, end: datetime, scope: Scope, now: datetime, *, by_month: bool, split: bool = False
) -> dict[tuple[Any, ...], Bucket]:
    """Count complaints, work orders and follow-ups in [start, end): per month when ``by_month``,
    and per team and tier too when ``split`` (for :class:`KpiMonth`). Three GROUP BY queries."""
    tz = timezone.get_current_timezone()
    buckets: dict[tuple[Any, ...], Bucket] = defaultdict(Bucket)

    def grouped(qs: QuerySet, instant: str, team: str, tier: str) -> tuple[QuerySet, list[str]]:
        keys = []
        if by_month:
            qs = qs.annotate(month=TruncMonth(instant, tzinfo=tz))
            keys.append("month")
        if split:
            keys += [team, tier]
        return qs, keys

    def key(row: dict[str, Any], keys: list[str]) -> tuple[Any, ...]:
        return tuple(month_key(row[k]) if k == "month" else row[k] for k in keys)

    def rows(qs: QuerySet, keys: list[str], counts: dict[str, Count]) -> Iterable[dict[str, Any]]:
        return qs.values(*keys).annotate(**counts).order_by() if keys else [qs.aggregate(**counts)]

    qs, keys = grouped(complaints_in(start, end, scope), "received_at", "team_id", "customer__tier_id")
    for row in rows(qs, keys, _complaint_counts(now)):
        counts = buckets[key(row, keys)].counts
        for name in RECEIVED_FIELDS:
            counts[name] += row[name] or 0
    # The timeliness KPIs, each by the month its deadline fell in (kesu.core.kpi.deadline_outcome).
    for clock in ("first_reply", "effective"):
        qs, keys = grouped(
            clocks_due(clock, start, end, scope),
            f"{clock}_due_at",
            "complaint__team_id",
            "complaint__customer__tier_id",
        )
        for row in rows(qs, keys, clock_counts(clock, now)):
            counts = buckets[key(row, keys)].counts
            for part in ("due", "in_time", "pending", "overdue"):
                counts[f"{clock}_{part}"] += row[f"{clock}_{part}"] or 0
    qs, keys = grouped(
        work_orders_due(start, end, scope), "due_at", "complaint__team_id", "complaint__customer__tier_id"
    )
    pending = work_order_pending(now)
    on_time = {
        "work_orders_due": Count("pk", filter=~pending),
        "work_orders_in_time": Count("pk", filter=Q(completed_at__lte=F("due_at"))),
        "work_orders_pending": Count("pk", filter=pending),
        "work_orders_overdue": Count("pk", filter=Q(completed_at__isnull=True, due_at__lte=now)),
    }
    for row in rows(qs, keys, on_time):
        counts = buckets[key(row, keys)].counts
        for name in on_time:
            counts[name] += row[name] or 0
    qs, keys = grouped(follow_ups_in(start, end, scope), "created_at", "team_id", "tier_id")
    tier = "tier_id"
    extra = [] if tier in keys else [tier]
    for row in qs.values(*keys, *extra, "result").annotate(n=Count("pk")).order_by():
        buckets[key(row, keys)].follow_ups[row[tier]][row["result"]] += row["n"]
    return buckets


def _rolled_buckets(months: list[date], scope: Scope) -> dict[date, Bucket]:
    buckets: dict[date, Bucket] = defaultdict(Bucket)
    if not months:
        return buckets
    rows = KpiMonth.objects.filter(month__in=months)
    if scope.team_id:
        rows = rows.filter(team_id=scope.team_id)
    if scope.tier_id is not None:
        rows = rows.filter(tier_id=scope.tier_id)
    for row in rows:
        bucket = buckets[row.month]
        for name in COUNT_FIELDS:
            bucket.counts[name] += getattr(row, name)
        for result, count in row.follow_ups.items():
            bucket.follow_ups[row.tier_id][result] += count
    return buckets


@contextmanager
def reporting_session() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for name, value in REPORT_SETTINGS.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        yield


def _figures_of(bucket: Bucket, served: int, targets: Targets, tier: str) -> list[Figure]:
    return _figures(bucket.counts, served, bucket.ratings(), targets, tier)


def dashboard(*, period: Period, scope: Scope, now: datetime | None = None) -> Dashboard:
    """Every figure of the dashboard for a period and scope (permission checked by the caller
    through :func:`kesu.metrics.permissions.dashboard_scope`).

    The period is counted live. So are the months of the 12-month trend, except a leading run of
    past months already summarised in :class:`KpiMonth` (refreshed nightly): a month on screen
    then scans that month, not the year."""
    now = now or timezone.now()
    with reporting_session():
        return _dashboard(period, scope, now)


def _dashboard(period: Period, scope: Scope, now: datetime) -> Dashboard:
    targets = Targets()
    last_month = period.months()[-1]
    trend_months = [add_months(last_month, -i) for i in range(TREND_MONTHS - 1, -1, -1)]
    trend_end = Period.month(last_month.year, last_month.month).end
    summarised = set(KpiMonthRun.objects.filter(month__in=trend_months).values_list("month", flat=True))
    rolled: list[date] = []
    for month in trend_months:
        if month not in summarised or month >= period.first_day.replace(day=1) or month >= month_key(now):
            break
        rolled.append(month)
    live_from = trend_months[len(rolled)]
    monthly: dict[date, Bucket] = defaultdict(Bucket, _rolled_buckets(rolled, scope))
    live_start = Period.month(live_from.year, live_from.month).start
    for (month,), bucket in live_buckets(live_start, trend_end, scope, now, by_month=True).items():
        monthly[month] = bucket

    period_months = period.months()
    if period.whole_months and period.first_day >= trend_months[0]:
        current = Bucket()
        for month in period_months:
            current.add(monthly[month])
    else:
        current = live_buckets(period.start, period.end, scope, now, by_month=False).get((), Bucket())
    served_by_month = customers_served(sorted({*trend_months, *period_months}), scope.tier_id)
    served = sum(served_by_month.get(m, 0) for m in period_months)
    figures = _figures_of(current, served, targets, scope.tier_code)

    tiers = list(Tier.objects.order_by("rank", "code").values_list("pk", "code", "name"))
    satisfaction_by_tier = [
        Figure(
            kpi.Kpi.SATISFACTION.value,
            name,
            kpi.satisfaction_rate(current.ratings(tier_id, every_tier=False)),
            targets.all(kpi.Kpi.SATISFACTION, code),
            code,
        )
        for tier_id, code, name in tiers
        if not scope.tier_code or code == scope.tier_code
    ]

    series: dict[str, list[float | None]] = defaultdict(list)
    for month in trend_months:
        for figure in _figures_of(monthly[month], served_by_month.get(month, 0), targets, scope.tier_code):
            series[figure.key].append(float(figure.value.value) if figure.value.value is not None else None)
    trend = {
        "months": [f"{m:%Y-%m}" for m in trend_months],
        "series": dict(series),
        "complaints": [monthly[m].counts["complaints"] for m in trend_months],
        "summarised": [f"{m:%Y-%m}" for m in rolled],
    }

    period_qs = complaints_in(period.start, period.end, scope)
    total = current.counts["complaints"]
    parts = _breakdown(period_qs, total)
    ratings = current.ratings()
    return Dashboard(
        period=period,
        scope=scope,
        kpis=figures,
        satisfaction_by_tier=satisfaction_by_tier,
        trend=trend,
        pareto=parts["pareto"],
        emotions=parts["emotions"],
        funnel=parts["funnel"],
        escalated_by_source=parts["sources"],
        root_causes=parts["causes"],
        follow_ups={"successful": sum(ratings.values()), "unreachable": current.unreachable()},
    )


def _breakdown(qs: QuerySet[Complaint], total: int) -> dict[str, list[dict[str, Any]]]:
    """The category Pareto, the top causes, the emotion mix, the escalation funnel and the
    escalated complaints by source, from one GROUP BY over the period's complaints (a few
    thousand groups at most: categories × emotions × sources), folded here.

    The emotion is ``analysis.emotion.label`` read in SQL (``->>`` on PostgreSQL,
    ``json_extract`` on SQLite); the funnel counts the complaints that reached each level of the
    ladder, with one hashed ``IN`` over the escalations per level."""
    ladder = list(
        EscalationLevel.objects.filter(position__gte=1)
        .order_by("position")
        .values_list("position", "code", "name")
    )
    reached = {
        f"reached_{position}": Count(
            "pk", filter=Q(pk__in=Escalation.objects.filter(level__gte=position).values("complaint_id"))
        )
        for position, _code, _name in ladder
    }
    rows = list(
        qs.annotate(emotion=KT(EMOTION_LABEL_LOOKUP))
        .values("category_id", "subcategory_id", "emotion", "source", "channel", "escalated_complaint")
        .annotate(n=Count("pk"), **reached)
        .order_by()
    )
    names = dict(
        Category.objects.filter(
            pk__in={r["category_id"] for r in rows} | {r["subcategory_id"] for r in rows}
        ).values_list("pk", "code")
    )
    labels = dict(Category.objects.filter(pk__in=names).values_list("pk", "name"))

    def share(count: int) -> float:
        return count / total if total else 0

    by_category: dict[int | None, int] = defaultdict(int)
    by_cause: dict[tuple[int | None, int | None], int] = defaultdict(int)
    by_emotion: dict[str, int] = defaultdict(int)
    by_source: dict[tuple[str, str], int] = defaultdict(int)
    funnel_counts: dict[int, int] = defaultdict(int)
    for row in rows:
        by_category[row["category_id"]] += row["n"]
        by_cause[(row["category_id"], row["subcategory_id"])] += row["n"]
        by_emotion[row["emotion"] or ""] += row["n"]
        if row["escalated_complaint"]:
            by_source[(row["source"], row["channel"])] += row["n"]
        for position, _code, _name in ladder:
            funnel_counts[position] += row[f"reached_{position}"]

    uncategorised = _("Uncategorised")
    pareto, running = [], 0
    for category, count in sorted(by_category.items(), key=lambda item: (-item[1], names.get(item[0], ""))):
        running += count
        pareto.append(
            {
                "code": names.get(category, ""),
                "name": labels.get(category, uncategorised),
                "count": count,
                "share": share(count),
                "cumulative": share(running),
            }
        )
    causes = [
        {
            "category": names.get(category, ""),
            "category_name": labels.get(category, uncategorised),
            "subcategory": names.get(sub, ""),
            "subcategory_name": labels.get(sub, ""),
            "count": count,
            "share": share(count),
        }
        for (category, sub), count in sorted(
            by_cause.items(),
            key=lambda item: (-item[1], names.get(item[0][0], ""), names.get(item[0][1], "")),
        )[:10]
    ]
    emotions = [
        {
            "label": label,
            "name": vocabulary.label(EMOTION_LABELS, label, _("Unknown")),
            "count": count,
            "share": share(count),
        }
        for label, count in sorted(by_emotion.items(), key=lambda item: (-item[1], item[0]))
    ]
    funnel = [{"step": "received", "level": 0, "name": _("Received"), "count": total}] + [
        {"step": code, "level": position, "name": name, "count": funnel_counts[position]}
        for position, code, name in ladder
    ]
    sources, channels = dict(Source.choices), dict(Channel.choices)
    escalated = [
        {
            "source": source,
            "channel": channel,
            "name": str(sources[source] if source != Source.CUSTOMER else channels.get(channel, channel)),
            "count": count,
        }
        for (source, channel), count in sorted(by_source.items(), key=lambda item: (-item[1], item[0]))
    ]
    return {"pareto": pareto, "causes": causes, "emotions": emotions, "funnel": funnel, "sources": escalated}


def category_name(code: str) -> str:
    """A category's name for a heading (its code when there is none)."""
    return Category.objects.filter(code=code).values_list("name", flat=True).first() or code


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
    for key, clock in (
        (kpi.Kpi.FIRST_REPLY_TIMELINESS, "first_reply"),
        (kpi.Kpi.ON_TIME_EFFECTIVE_REPLY, "effective"),
    ):
        if figure == key:
            due = complaints_due(clock, period.start, period.end, scope)
            pending = clock_pending(clock, now, prefix="sla__")
            if part == "pending":
                return due.filter(pending)
            if numerator:
                return due.filter(**{f"sla__{clock}_status": ClockStatus.MET})
            return due.exclude(pending)
    if figure == kpi.Kpi.FIRST_CONTACT_RESOLUTION:
        return qs.filter(resolved_on_first_contact()) if numerator else qs
    if figure == kpi.Kpi.ESCALATED_COMPLAINTS_PER_MILLION:
        return qs.filter(escalated_complaint=True)
    if figure == kpi.Kpi.WORK_ORDER_ON_TIME:
        orders = work_orders_in(period.start, period.end, scope, now)
        if part == "pending":
            orders = work_orders_due(period.start, period.end, scope).filter(work_order_pending(now))
        elif numerator:
            orders = orders.filter(completed_at__lte=F("due_at"))
        return Complaint.objects.filter(pk__in=orders.values("complaint_id"))
    if figure == kpi.Kpi.SATISFACTION:
        answers = follow_ups_in(period.start, period.end, scope).exclude(result=FollowUpResult.UNREACHABLE)
        if value:
            answers = answers.filter(tier__code=value)
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
            return qs.filter(**{EMOTION_LABEL_LOOKUP: value})
        return qs.filter(**{f"{EMOTION_LABEL_LOOKUP}__isnull": True})
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

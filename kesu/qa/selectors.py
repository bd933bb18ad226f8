"""Reads for quality inspection: what a user may see, the queue, sampling candidates, and the
roll-ups per agent, team and month — every aggregate counted in SQL, as the KPI selectors do.

Two small selectors are for the other apps:

* :func:`team_communication_score` / :func:`team_communication_scores` — a team's communication
  sub-score for a month (the mean of its completed inspections' communication sub-scores, 0–100), for
  appraisal (SPEC §8: appraisal without a communication score is a root cause);
* :func:`agent_weak_items` — an agent's weakest scorecard items over recent months, for training.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Team, User
from kesu.complaints.errors import PermissionRefused
from kesu.complaints.models import Complaint, FollowUpResult, Source
from kesu.core import qa as engine
from kesu.escalation.models import Escalation
from kesu.followup.models import FollowUp
from kesu.qa import permissions
from kesu.qa.models import (
    Appeal,
    AppealStatus,
    Calibration,
    Inspection,
    InspectionStatus,
    ItemMonth,
    Scorecard,
    ScorecardStatus,
)

TREND_MONTHS = 12
#: An item whose mean score is below this (0–1) is a weakness (heat-map red, training hint).
WEAK_BELOW = 0.7
REGULATOR_SOURCES = [
    Source.REGULATOR_MIIT,
    Source.REGULATOR_PROVINCE_COMM,
    Source.REGULATOR_FINANCE,
    Source.REGULATOR_MARKET,
    Source.CONSUMER_ASSOCIATION,
    Source.HEADQUARTERS,
]
DISSATISFIED = [FollowUpResult.DISSATISFIED, FollowUpResult.VERY_DISSATISFIED]
SATISFIED = [FollowUpResult.VERY_SATISFIED, FollowUpResult.SATISFIED, FollowUpResult.BASICALLY_SATISFIED]


# --- months ---------------------------------------------------------------------------------------


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of a local month as aware datetimes."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(month.replace(day=1), time(), zone)
    return start, datetime.combine(add_months(month, 1), time(), zone)


def parse_month(value: str | None, default: date | None = None) -> date:
    """``2026-11`` → date(2026, 11, 1); the current month when empty or malformed."""
    try:
        year, month = (int(part) for part in (value or "").split("-")[:2])
        return date(year, month, 1)
    except (TypeError, ValueError):
        return default or timezone.localdate().replace(day=1)


# --- inspections ------------------------------------------------------------------------------------


def inspections_visible_to(user: User) -> QuerySet[Inspection]:
    queryset = Inspection.objects.select_related(
        "agent", "team", "complaint", "inspector", "scorecard", "appeal", "calibration"
    )
    limit = permissions.visibility_filter(user)
    return queryset if limit is None else queryset.filter(limit)


def inspection_get(*, user: User, pk: int) -> Inspection | None:
    inspection = (
        inspections_visible_to(user)
        .select_related("transcript", "transcript__complaint", "appeal__raised_by", "appeal__decided_by")
        .prefetch_related("results", "scorecard__items")
        .filter(pk=pk)
        .first()
    )
    return inspection


def inspection_events(*, inspection: Inspection) -> QuerySet:
    return inspection.events.select_related("actor")


@dataclass(frozen=True)
class QueueFilters:
    status: str = InspectionStatus.QUEUED
    team_id: int | None = None
    agent_id: int | None = None
    reason: str = ""
    month: date | None = None
    mine: bool = False  # calibration scorings assigned to the user


def inspection_queue(*, user: User, filters: QueueFilters) -> QuerySet[Inspection]:
    qs = inspections_visible_to(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.team_id:
        qs = qs.filter(team_id=filters.team_id)
    if filters.agent_id:
        qs = qs.filter(agent_id=filters.agent_id)
    if filters.reason:
        qs = qs.filter(reason=filters.reason)
    if filters.month:
        qs = qs.filter(month=filters.month)
    if filters.mine:
        qs = qs.filter(inspector=user)
    elif filters.status == InspectionStatus.QUEUED:
        # Calibration scorings wait for their own inspector only.
        qs = qs.filter(Q(calibration__isnull=True) | Q(inspector=user))
    order = ["created_at", "id"] if filters.status == InspectionStatus.QUEUED else ["-completed_at", "-id"]
    return qs.order_by(*order)


def own_results(*, user: User) -> QuerySet[Inspection]:
    return inspections_visible_to(user).filter(agent=user).order_by("-completed_at", "-id")


def appeals_to_decide(*, user: User) -> QuerySet[Appeal]:
    """Pending appeals the user may decide: their team's, never their own."""
    if not (user.is_authenticated and user.has_perm("qa.decide_appeal")):
        return Appeal.objects.none()
    qs = Appeal.objects.filter(status=AppealStatus.PENDING).exclude(inspection__agent=user)
    if not user.is_superuser:
        qs = qs.filter(inspection__team_id=user.team_id)
    return qs.select_related("inspection", "inspection__agent", "inspection__team", "raised_by").order_by(
        "created_at", "id"
    )


def item_labels(scorecard: Scorecard | None = None) -> dict[str, tuple[str, str]]:
    """code → (Chinese, English) label, from the scorecard in use (or the one given)."""
    scorecard = scorecard or Scorecard.objects.filter(code="default", status=ScorecardStatus.ACTIVE).first()
    if scorecard is None:
        return {}
    return {code: (zh, en) for code, zh, en in scorecard.items.values_list("code", "label", "label_en")}


# --- sampling -------------------------------------------------------------------------------------


def sample_candidates(*, month: date, team_id: int | None = None) -> list[engine.Candidate]:
    """Complaints closed in ``month`` with an owner, and the always-include flags of each."""
    start, end = month_bounds(month)
    qs = Complaint.objects.filter(closed_at__gte=start, closed_at__lt=end, owner__isnull=False)
    if team_id:
        qs = qs.filter(team_id=team_id)
    rows = qs.annotate(
        laddered=Exists(Escalation.objects.filter(complaint=OuterRef("pk"))),
        unhappy=Exists(FollowUp.objects.filter(complaint=OuterRef("pk"), result__in=DISSATISFIED)),
    ).values_list("pk", "owner_id", "escalated_complaint", "laddered", "source", "unhappy", "bad_faith")
    candidates = []
    for pk, owner, escalated, laddered, source, unhappy, bad_faith in rows:
        flags = {
            "escalated": escalated or laddered,
            "regulator": source in REGULATOR_SOURCES,
            "dissatisfied": unhappy,
            "bad_faith": bad_faith,
        }
        candidates.append(engine.Candidate(pk, owner, frozenset(f for f, on in flags.items() if on)))
    return candidates


# --- calibration ----------------------------------------------------------------------------------


@dataclass
class CalibrationView:
    calibration: Calibration
    agreement: engine.Agreement
    rows: list[dict[str, Any]]  # per transcript: both inspections
    done: bool  # both inspectors completed every scoring


def calibration_view(*, calibration: Calibration) -> CalibrationView:
    inspections = list(
        calibration.inspections.select_related("inspector", "transcript").prefetch_related("results")
    )
    by_transcript: dict[int, dict[int, Inspection]] = {}
    for inspection in inspections:
        by_transcript.setdefault(inspection.transcript_id, {})[inspection.inspector_id] = inspection
    pairs, rows = [], []
    for transcript_id, scored in sorted(by_transcript.items()):
        first = scored.get(calibration.first_inspector_id)
        second = scored.get(calibration.second_inspector_id)
        complete = all(i is not None and i.status == InspectionStatus.COMPLETED for i in (first, second))
        if complete:
            pairs.append(
                engine.Pair(
                    first={r.code: r.score for r in first.results.all() if r.applicable},
                    second={r.code: r.score for r in second.results.all() if r.applicable},
                    first_total=first.score,
                    second_total=second.score,
                )
            )
        rows.append({"transcript_id": transcript_id, "first": first, "second": second, "complete": complete})
    return CalibrationView(
        calibration=calibration,
        agreement=engine.agreement(pairs),
        rows=rows,
        done=bool(rows) and all(r["complete"] for r in rows),
    )


# --- roll-ups -------------------------------------------------------------------------------------


def rollup_team_scope(*, user: User, team_id: int | None) -> int | None:
    """The team a user may roll up: any (None: all) for managers, QA and trainers; a team lead only
    their own."""
    if permissions.sees_all(user) or permissions.can_inspect(user):
        return team_id
    if permissions.sees_team(user):
        if team_id not in (None, user.team_id):
            raise PermissionRefused(_("Team leads see their own team's results only."))
        return user.team_id
    raise PermissionRefused(_("Only team leads, managers, QA and trainers see the roll-up."))


def completed_in(*, month: date | None = None, team_id: int | None = None) -> QuerySet[Inspection]:
    qs = Inspection.objects.filter(status=InspectionStatus.COMPLETED, calibration__isnull=True)
    if month is not None:
        qs = qs.filter(month=month)
    if team_id:
        qs = qs.filter(team_id=team_id)
    return qs


def item_months(*, month: date | None = None, team_id: int | None = None) -> QuerySet[ItemMonth]:
    """The running item sums of completed official inspections (:class:`~kesu.qa.models.ItemMonth`)."""
    qs = ItemMonth.objects.filter(n__gt=0)
    if month is not None:
        qs = qs.filter(month=month)
    if team_id:
        qs = qs.filter(team_key=team_id)
    return qs


def _figures() -> dict[str, Any]:
    return {
        "inspections": Count("pk"),
        "score": Avg("score"),
        "communication": Avg("communication_score"),
        "failed": Count("pk", filter=Q(failed=True)),
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


@dataclass
class Rollup:
    month: date
    team_id: int | None
    by_agent: list[dict[str, Any]]
    by_team: list[dict[str, Any]]
    items: list[str]  # item codes, scorecard order
    labels: dict[str, tuple[str, str]]
    heatmap: dict[int, dict[str, float]]  # agent id -> code -> mean score 0–100
    item_means: dict[str, float]  # code -> mean score 0–100 over the scope
    trend: list[dict[str, Any]]  # month, inspections, score, communication (oldest first)
    kpis: dict[int, dict[str, Any]] = field(default_factory=dict)  # agent id -> service KPIs


def rollup(*, month: date, team_id: int | None = None, with_kpis: bool = False) -> Rollup:
    """A month's completed official inspections per agent and team, the item heat-map, the trend."""
    base = completed_in(month=month, team_id=team_id)
    by_agent = list(
        base.values("agent_id", "agent__username", "agent__display_name", "team_id", "team__name")
        .annotate(**_figures())
        .order_by("score", "agent_id")
    )
    by_team = list(base.values("team_id", "team__name").annotate(**_figures()).order_by("team__name"))
    heatmap: dict[int, dict[str, float]] = {}
    sums: dict[str, list[float]] = {}
    for cell in (
        item_months(month=month, team_id=team_id)
        .values("agent_key", "code")
        .annotate(total=Sum("total"), n=Sum("n"))
        .order_by()
    ):
        heatmap.setdefault(cell["agent_key"] or None, {})[cell["code"]] = round(
            100 * cell["total"] / cell["n"], 1
        )
        pair = sums.setdefault(cell["code"], [0.0, 0])
        pair[0] += cell["total"]
        pair[1] += cell["n"]
    item_means = {code: round(100 * total / n, 1) for code, (total, n) in sums.items()}
    first = add_months(month, -(TREND_MONTHS - 1))
    trend_rows = {
        row["month"]: row
        for row in completed_in(team_id=team_id)
        .filter(month__gte=first, month__lte=month)
        .values("month")
        .annotate(**_figures())
    }
    trend = []
    for i in range(TREND_MONTHS):
        at = add_months(first, i)
        row = trend_rows.get(at, {})
        trend.append(
            {
                "month": at.strftime("%Y-%m"),
                "inspections": row.get("inspections", 0),
                "score": _round(row.get("score")),
                "communication": _round(row.get("communication")),
            }
        )
    for row in [*by_agent, *by_team]:
        row["score"], row["communication"] = _round(row["score"]), _round(row["communication"])
    labels = item_labels()
    codes = [code for code in labels if code in item_means] or sorted(item_means)
    result = Rollup(month, team_id, by_agent, by_team, codes, labels, heatmap, item_means, trend)
    if with_kpis:
        result.kpis = agent_service_kpis(month=month, team_id=team_id)
    return result


def agent_service_kpis(*, month: date, team_id: int | None = None) -> dict[int, dict[str, Any]]:
    """Per owner, the SPEC §7 service figures of ``month``: complaints received, first-reply
    timeliness and on-time effective reply (each deadline in the month it fell due, the pending ones
    left out — the dashboard's rule, :func:`kesu.core.kpi.deadline_outcome`), first-contact
    resolution of the complaints received, and the satisfaction of the month's follow-ups — beside
    the QA score on the team lead's page."""
    from kesu.metrics.permissions import Scope
    from kesu.metrics.selectors import clock_counts, clocks_due, resolved_on_first_contact

    start, end = month_bounds(month)
    now = timezone.now()
    complaints = Complaint.objects.filter(received_at__gte=start, received_at__lt=end, owner__isnull=False)
    follow_ups = FollowUp.objects.filter(
        created_at__gte=start, created_at__lt=end, complaint__owner__isnull=False
    )
    if team_id:
        complaints = complaints.filter(team_id=team_id)
        follow_ups = follow_ups.filter(team_id=team_id)
    figures: dict[int, dict[str, Any]] = {}

    def entry(owner: int) -> dict[str, Any]:
        return figures.setdefault(
            owner,
            {
                "complaints": 0,
                "first_reply_rate": None,
                "effective_rate": None,
                "first_contact_rate": None,
                "satisfaction_rate": None,
            },
        )

    for row in complaints.values("owner_id").annotate(
        complaints=Count("pk"), first_contact=Count("pk", filter=resolved_on_first_contact())
    ):
        n = row["complaints"]
        entry(row["owner_id"]).update(complaints=n, first_contact_rate=_share(row["first_contact"], n))
    for clock, key in (("first_reply", "first_reply_rate"), ("effective", "effective_rate")):
        due = clocks_due(clock, start, end, Scope(team_id=team_id)).filter(complaint__owner__isnull=False)
        for row in due.values("complaint__owner_id").annotate(**clock_counts(clock, now)):
            entry(row["complaint__owner_id"])[key] = _share(row[f"{clock}_in_time"], row[f"{clock}_due"])
    for row in (
        follow_ups.exclude(result=FollowUpResult.UNREACHABLE)
        .values("complaint__owner_id")
        .annotate(reached=Count("pk"), satisfied=Count("pk", filter=Q(result__in=SATISFIED)))
    ):
        entry(row["complaint__owner_id"])["satisfaction_rate"] = _share(row["satisfied"], row["reached"])
    return figures


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- for appraisal (issue 17) and training (issue 18) ----------------------------------------------


def team_communication_scores(*, month: date, team_ids: list[int] | None = None) -> dict[int, float | None]:
    """team id → the team's communication sub-score (0–100) for ``month``; teams with no completed
    inspection that month are absent."""
    qs = completed_in(month=month).filter(team_id__isnull=False, communication_score__isnull=False)
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    return {
        row["team_id"]: _round(row["mean"], 2)
        for row in qs.values("team_id").annotate(mean=Avg("communication_score"))
    }


def team_communication_score(*, team: Team | int, month: date) -> float | None:
    """The team's communication sub-score (0–100) for ``month``, or None without inspections."""
    team_id = team if isinstance(team, int) else team.pk
    return team_communication_scores(month=month, team_ids=[team_id]).get(team_id)


@dataclass(frozen=True)
class WeakItem:
    code: str
    label: str
    label_en: str
    group: str
    mean: float  # 0–100
    inspections: int


def agent_weak_items(
    *,
    agent: User | int,
    months: int = 3,
    until: date | None = None,
    below: float = WEAK_BELOW,
    limit: int = 5,
) -> list[WeakItem]:
    """The agent's scorecard items whose mean score over the last ``months`` months (up to ``until``,
    this month by default) is below ``below`` (0–1), weakest first."""
    agent_id = agent if isinstance(agent, int) else agent.pk
    last = (until or timezone.localdate()).replace(day=1)
    sums = (
        ItemMonth.objects.filter(
            agent_key=agent_id, month__gte=add_months(last, -(months - 1)), month__lte=last
        )
        .values("code", "group")
        .annotate(total=Sum("total"), n=Sum("n"))
        .order_by()
    )
    rows = sorted(
        (
            {**row, "mean": row["total"] / row["n"]}
            for row in sums
            if row["n"] and row["total"] / row["n"] < below
        ),
        key=lambda row: (row["mean"], row["code"]),
    )[:limit]
    labels = item_labels()
    return [
        WeakItem(
            code=row["code"],
            label=labels.get(row["code"], (row["code"], ""))[0],
            label_en=labels.get(row["code"], ("", row["code"]))[1],
            group=row["group"],
            mean=round(row["mean"] * 100, 1),
            inspections=row["n"],
        )
        for row in rows
    ]

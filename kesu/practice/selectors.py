"""Reads for training pages, the demo and other capabilities (nothing here writes).

* :func:`trainee_progress` — one trainee's sessions, scores by criterion per month, weak criteria,
  weak quality-inspection items (:func:`kesu.qa.selectors.agent_weak_items`) and the scenarios they
  recommend, and open assignments.
* :func:`team_progress` — per member of a team: sessions finished, mean per criterion.
* :func:`training_coverage` — the share of agents who finished a practice in a period: the review
  loop's training figure (SPEC §8: communication-training coverage 65 % against an 80 % benchmark),
  by the same rule as the loop's team figures (:mod:`kesu.core.reviews.coverage`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kesu.accounts.models import Team, User
from kesu.accounts.roles import AGENT
from kesu.core import practice as engine
from kesu.core.reviews.coverage import Coverage
from kesu.practice import permissions
from kesu.practice.models import (
    Assignment,
    Case,
    CaseStatus,
    CriterionResult,
    GroupMember,
    PracticeGroup,
    PracticeSession,
    Scenario,
    SessionStatus,
    Turn,
)
from kesu.qa import selectors as qa_selectors

#: A criterion whose mean (0–1) is below this is a weak item for the trainee.
WEAK_BELOW = 0.6


def scenarios_in_use() -> QuerySet[Scenario]:
    return Scenario.objects.filter(active=True).order_by("id")


def scenarios_inactive() -> QuerySet[Scenario]:
    """Scenarios a trainer has still to review (made from a case) or has retired."""
    return Scenario.objects.filter(active=False).order_by("-updated_at")


def scenario_get(code: str) -> Scenario | None:
    return Scenario.objects.filter(code=code).first()


def session_get(*, user: User, pk: int) -> PracticeSession | None:
    session = (
        PracticeSession.objects.select_related("scenario", "trainee", "customer_player", "observer", "group")
        .filter(pk=pk)
        .first()
    )
    if session is None or not permissions.can_view_session(user, session):
        return None
    return session


def sessions_visible_to(user: User) -> QuerySet[PracticeSession]:
    """Every session ``user`` may read (:func:`kesu.practice.permissions.can_view_session`): their
    own (as agent, customer or observer), their team's for team leads, all for trainers and managers;
    newest first."""
    queryset = PracticeSession.objects.select_related(
        "scenario", "trainee", "customer_player", "observer", "team"
    ).order_by("-started_at", "-id")
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if permissions.can_run(user) or permissions.sees_all_progress(user):
        return queryset
    own = Q(trainee=user) | Q(customer_player=user) | Q(observer=user)
    if permissions.sees_team_progress(user):
        own |= Q(team_id=user.team_id)
    return queryset.filter(own)


def session_turns(session: PracticeSession) -> list[Turn]:
    return list(session.turns.select_related("author").order_by("position"))


def session_results(session: PracticeSession) -> list[CriterionResult]:
    order = {code: i for i, code in enumerate(engine.CRITERIA)}
    return sorted(session.results.select_related("scored_by"), key=lambda r: order.get(r.code, 9))


def open_assignments(user: User) -> list[Assignment]:
    return list(
        Assignment.objects.filter(trainee=user, completed_by__isnull=True).select_related(
            "scenario", "trainer"
        )
    )


def live_scoring(session: PracticeSession, turns: list[Turn]) -> engine.Scoring:
    """The four criteria on the conversation so far, for the observer's sheet while it runs."""
    authority = float(session.authority_limit) if session.authority_limit is not None else None
    return engine.score_practice(
        [(t.speaker, t.text) for t in turns],
        session.as_persona(),
        authority_limit=authority,
        outcome=engine.Outcome(peer_rating=session.peer_rating),
    )


def sessions_of(user: User, *, limit: int = 20) -> list[PracticeSession]:
    """Sessions ``user`` takes part in (as agent, customer or observer), newest first."""
    return list(
        PracticeSession.objects.filter(Q(trainee=user) | Q(customer_player=user) | Q(observer=user))
        .select_related("scenario", "trainee", "customer_player", "observer")
        .order_by("-started_at", "-id")[:limit]
    )


def recent_sessions(*, limit: int = 20) -> list[PracticeSession]:
    """The latest finished practice of everyone, for trainers to review and override."""
    return list(
        PracticeSession.objects.filter(status=SessionStatus.FINISHED)
        .select_related("scenario", "trainee")
        .order_by("-finished_at", "-id")[:limit]
    )


def groups_of(user: User) -> list[PracticeGroup]:
    members = Prefetch("memberships", queryset=GroupMember.objects.select_related("user"))
    qs = PracticeGroup.objects.select_related("scenario", "trainer").prefetch_related(members)
    if not permissions.can_run(user):
        qs = qs.filter(memberships__user=user)
    return list(qs.filter(finished=False).order_by("-created_at")[:20])


def group_get(*, user: User, pk: int) -> PracticeGroup | None:
    group = PracticeGroup.objects.select_related("scenario", "trainer").filter(pk=pk).first()
    if group is None:
        return None
    members = set(group.memberships.values_list("user_id", flat=True))
    if user.pk in members or permissions.can_run(user) or permissions.sees_all_progress(user):
        return group
    return None


def group_sessions(group: PracticeGroup) -> list[PracticeSession]:
    return list(group.sessions.select_related("trainee", "customer_player", "observer").order_by("round_no"))


def active_user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def user_get(pk: int) -> User | None:
    return User.objects.filter(pk=pk).select_related("team").first()


def teams_for(user: User) -> list[Team]:
    """The teams whose progress ``user`` reads: every team, or their own."""
    if permissions.sees_all_progress(user):
        return list(Team.objects.order_by("name"))
    return [user.team] if permissions.sees_team_progress(user) and user.team is not None else []


# --- the case library -----------------------------------------------------------------------------


def cases_visible_to(user: User) -> QuerySet[Case]:
    qs = Case.objects.select_related("proposed_by", "checked_by").prefetch_related("scenarios")
    if permissions.can_run(user) or user.has_perm("practice.check_case"):
        return qs.exclude(status=CaseStatus.WITHDRAWN)
    if permissions.can_practise(user):
        return qs.filter(status=CaseStatus.PUBLISHED)
    return qs.none()


def published_cases_of(scenario: Scenario) -> list[Case]:
    return list(scenario.cases.filter(status=CaseStatus.PUBLISHED).order_by("-published_at"))


def case_get(*, user: User, pk: int) -> Case | None:
    case = (
        Case.objects.select_related("complaint", "proposed_by", "edited_by", "checked_by")
        .filter(pk=pk)
        .first()
    )
    if case is None or not permissions.can_read_case(user, case):
        return None
    return case


def cases_to_check(user: User) -> list[Case]:
    if not user.has_perm("practice.check_case"):
        return []
    return [
        c
        for c in Case.objects.filter(status=CaseStatus.DRAFT).select_related("proposed_by", "edited_by")
        if permissions.can_check_case(user, c)
    ]


# --- progress -------------------------------------------------------------------------------------


@dataclass
class Recommendation:
    scenario: Scenario
    because: list[str]  # the weak QA item labels


@dataclass
class Progress:
    trainee: User
    sessions: list[PracticeSession]
    months: list[dict]  # {"month": date, "n": int, "<criterion>": mean 0–100 | None, "total": …}
    means: dict[str, float | None]  # criterion → 0–100 over all finished sessions
    weak: list[str] = field(default_factory=list)  # criterion codes below WEAK_BELOW
    weak_items: list[qa_selectors.WeakItem] = field(default_factory=list)
    recommended: list[Recommendation] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def trainee_progress(*, trainee: User) -> Progress:
    finished = PracticeSession.objects.filter(trainee=trainee, status=SessionStatus.FINISHED)
    sessions = list(
        PracticeSession.objects.filter(trainee=trainee)
        .select_related("scenario")
        .order_by("-started_at")[:30]
    )
    rows = (
        CriterionResult.objects.filter(session__in=finished, score__isnull=False)
        .annotate(month=TruncMonth("session__finished_at"))
        .values("month", "code")
        .annotate(mean=Avg("score"), n=Count("session", distinct=True))
        .order_by("month")
    )
    by_month: dict[date, dict] = {}
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        entry = by_month.setdefault(month, {"month": month, "n": 0})
        entry[row["code"]] = _pct(row["mean"])
        entry["n"] = max(entry["n"], row["n"])
    totals = finished.annotate(month=TruncMonth("finished_at")).values("month").annotate(mean=Avg("total"))
    for row in totals:
        month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        if month in by_month:
            by_month[month]["total"] = None if row["mean"] is None else round(row["mean"], 1)
    overall = {
        row["code"]: _pct(row["mean"])
        for row in CriterionResult.objects.filter(session__in=finished, score__isnull=False)
        .values("code")
        .annotate(mean=Avg("score"))
    }
    means = {code: overall.get(code) for code in engine.CRITERIA}
    weak = [code for code, mean in means.items() if mean is not None and mean < WEAK_BELOW * 100]
    weak_items = qa_selectors.agent_weak_items(agent=trainee)
    recommended = recommend_scenarios(weak_items)
    assignments = list(
        Assignment.objects.filter(trainee=trainee, completed_by__isnull=True).select_related(
            "scenario", "trainer"
        )
    )
    return Progress(
        trainee=trainee,
        sessions=sessions,
        months=[by_month[m] for m in sorted(by_month)],
        means=means,
        weak=weak,
        weak_items=weak_items,
        recommended=recommended,
        assignments=assignments,
    )


def recommend_scenarios(weak_items: list[qa_selectors.WeakItem]) -> list[Recommendation]:
    """Scenarios that train the agent's weak quality-inspection items, most items first."""
    if not weak_items:
        return []
    labels = {item.code: item.label for item in weak_items}
    found = []
    for scenario in scenarios_in_use():
        because = [labels[code] for code in scenario.trains or [] if code in labels]
        if because:
            found.append(Recommendation(scenario, because))
    return sorted(found, key=lambda r: -len(r.because))[:3]


def team_progress(*, team: Team, since: date) -> list[dict]:
    """Per member of ``team``: sessions finished since ``since`` and the mean of each criterion."""
    start = datetime.combine(since, time(), timezone.get_current_timezone())
    members = list(User.objects.filter(team=team, is_active=True).order_by("username"))
    counts = dict(
        PracticeSession.objects.filter(
            trainee__in=members, status=SessionStatus.FINISHED, finished_at__gte=start
        )
        .values("trainee")
        .annotate(n=Count("id"))
        .values_list("trainee", "n")
    )
    means: dict[int, dict[str, float | None]] = {}
    for row in (
        CriterionResult.objects.filter(
            session__trainee__in=members,
            session__status=SessionStatus.FINISHED,
            session__finished_at__gte=start,
            score__isnull=False,
        )
        .values("session__trainee", "code")
        .annotate(mean=Avg("score"))
    ):
        means.setdefault(row["session__trainee"], {})[row["code"]] = _pct(row["mean"])
    return [
        {
            "member": m,
            "sessions": counts.get(m.pk, 0),
            **{c: means.get(m.pk, {}).get(c) for c in engine.CRITERIA},
        }
        for m in members
    ]


def team_months(*, team: Team, since: date) -> list[dict]:
    """The team's mean of each criterion (0–100) per month of finished practice since ``since``."""
    start = datetime.combine(since, time(), timezone.get_current_timezone())
    rows = (
        CriterionResult.objects.filter(
            session__team=team,
            session__status=SessionStatus.FINISHED,
            session__finished_at__gte=start,
            score__isnull=False,
        )
        .annotate(month=TruncMonth("session__finished_at"))
        .values("month", "code")
        .annotate(mean=Avg("score"), n=Count("session", distinct=True))
        .order_by("month")
    )
    months: dict[date, dict] = {}
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        entry = months.setdefault(month, {"month": month, "n": 0})
        entry[row["code"]] = _pct(row["mean"])
        entry["n"] = max(entry["n"], row["n"])
    return [months[m] for m in sorted(months)]


def training_coverage(
    *, since: date, until: date | None = None, team_ids: list[int] | None = None
) -> Coverage:
    """Agents (the agent role) who finished at least one practice in [since, until] / all active agents."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(since, time(), zone)
    end = datetime.combine((until or timezone.localdate()) + timedelta(days=1), time(), zone)
    agents = User.objects.filter(is_active=True, groups__name=AGENT)
    if team_ids is not None:
        agents = agents.filter(team_id__in=team_ids)
    trained = (
        PracticeSession.objects.filter(
            trainee__in=agents, status=SessionStatus.FINISHED, finished_at__gte=start, finished_at__lt=end
        )
        .values("trainee")
        .distinct()
        .count()
    )
    return Coverage(trained=trained, agents=agents.distinct().count())

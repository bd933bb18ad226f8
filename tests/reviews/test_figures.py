"""The loop's figures, counted in SQL and checked against numbers worked by hand: an action's effect
before and after, the root-cause Pareto, the journey map per touchpoint, the team figures."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kesu.complaints.models import Category, Complaint
from kesu.reviews import selectors, services
from kesu.reviews.models import (
    ComplaintTouchpoint,
    ImprovementAction,
    Review,
    RootCause,
    TeamPractice,
    Touchpoint,
)
from kesu.reviews.selectors import Period

pytestmark = pytest.mark.django_db

DONE = timezone.make_aware(datetime(2026, 6, 1, 12, 0))


def rows(customer, team, days_from_done: list[int], **fields) -> list[Complaint]:
    """Complaints received ``days`` after (negative: before) the action was done."""
    made = Complaint.objects.bulk_create(
        Complaint(
            reference=f"T{team.pk}-{index}-{days}-{len(fields)}",
            customer=customer,
            team=team,
            channel="phone",
            text="账单乱扣费",
            received_at=DONE + timedelta(days=days, hours=1),
            **fields,
        )
        for index, days in enumerate(days_from_done)
    )
    return made


@pytest.fixture
def billing(db):
    return Category.objects.create(code="billing-test", name="计费")


def done_action(manager, **measure) -> ImprovementAction:
    action = services.action_create(
        actor=manager,
        title="账单增加扣费明细",
        owner=manager,
        department="计费中心",
        due_date=date(2026, 6, 30),
        **measure,
    )
    ImprovementAction.objects.filter(pk=action.pk).update(status="done", done_at=DONE)
    action.refresh_from_db()
    return action


def test_the_rate_falls_to_a_quarter_worked_by_hand(customer, team, manager, billing):
    # 12 billing complaints in the 90 days before, 3 in the 90 days after (other categories and
    # complaints outside the windows do not count): 4.0 → 1.0 per 30 days, RR = 0.25,
    # SE = sqrt(1/12 + 1/3) = 0.645497, CI = exp(ln 0.25 ± 1.959964 × 0.645497) = [0.0705, 0.8859].
    rows(customer, team, [-80, -70, -60, -50, -40, -35, -30, -20, -15, -10, -5, -1], category=billing)
    rows(customer, team, [3, 40, 85], category=billing)
    rows(customer, team, [-100, 95], category=billing)  # outside both windows
    rows(customer, team, [-10, 10, 20])  # another category
    action = done_action(manager, measure_category=billing)
    measured = selectors.action_effect(action, now=DONE + timedelta(days=120))
    assert (measured.counts["before"], measured.counts["after"]) == (12, 3)
    effect = measured.effect
    assert effect.before == pytest.approx(4.0) and effect.after == pytest.approx(1.0)
    assert effect.ratio == pytest.approx(0.25)
    assert effect.low == pytest.approx(0.0705, abs=1e-4) and effect.high == pytest.approx(0.8859, abs=1e-4)
    assert effect.significant


def test_the_escalation_rate_as_a_proportion(customer, team, manager, billing):
    # Before: 6 of 12 escalated; after: 3 of 12 → 0.5 → 0.25, RR = 0.5,
    # SE = sqrt(1/6 − 1/12 + 1/3 − 1/12) = 0.577350, CI = [0.1613, 1.5503]: not significant yet.
    rows(customer, team, [-i for i in range(1, 7)], category=billing, escalation_level=1)
    rows(customer, team, [-i for i in range(7, 13)], category=billing)
    rows(customer, team, [1, 2, 3], category=billing, escalated_complaint=True)
    rows(customer, team, list(range(4, 13)), category=billing)
    action = done_action(manager, measure_category=billing, measure_rate="escalation_rate")
    effect = selectors.action_effect(action, now=DONE + timedelta(days=90)).effect
    assert (effect.before, effect.after, effect.ratio) == (0.5, 0.25, pytest.approx(0.5))
    assert effect.low == pytest.approx(0.1613, abs=1e-4) and effect.high == pytest.approx(1.5503, abs=1e-4)
    assert not effect.significant


def test_too_few_complaints_is_not_enough_data_yet(customer, team, manager, billing):
    rows(customer, team, [-5, -3, 2], category=billing)
    action = done_action(manager, measure_category=billing)
    effect = selectors.action_effect(action, now=DONE + timedelta(days=90)).effect
    assert not effect.enough and effect.ratio is None
    assert (
        selectors.action_effect(
            services.action_create(
                actor=manager, title="未完成", owner=manager, department="x", due_date=date(2026, 7, 1)
            )
        )
        is None
    )  # not done: nothing to measure yet


def test_per_million_customers_uses_the_customers_served(customer, team, manager, billing):
    from kesu.metrics.models import CustomersServed

    # May and June 2026 each 1,000,000 customers served; 30-day windows either side of 1 June noon:
    # before 2 May 12:00 – 1 June 12:00, after 1 June 12:00 – 1 July 12:00 (the window is cut at day
    # boundaries: 30 of May's 31 days ≈ 967,742; 30 of June's 30 days = 1,000,000).
    CustomersServed.objects.create(month=date(2026, 5, 1), count=1_000_000)
    CustomersServed.objects.create(month=date(2026, 6, 1), count=1_000_000)
    rows(customer, team, list(range(-29, -9)), category=billing)  # 20 before
    rows(customer, team, list(range(1, 11)), category=billing)  # 10 after
    from kesu.reviews.models import ReviewPolicy

    ReviewPolicy.objects.filter(pk=1).update(effect_window_days=30)
    selectors.forget_policy()
    action = done_action(manager, measure_category=billing, measure_rate="per_million")
    effect = selectors.action_effect(action, now=DONE + timedelta(days=60)).effect
    assert effect.before == pytest.approx(20 / (1_000_000 * 30 / 31) * 1e6)
    assert effect.after == pytest.approx(10.0)


def test_the_root_cause_pareto(at_follow_up_referral, make_complaint, agent, team):
    from tests.reviews.conftest import complete

    first = complete(
        services.review_start(complaint=at_follow_up_referral, actor=agent),
        agent,
        causes=("training_gap", "billing_error"),
    )
    from kesu.complaints import services as complaint_services

    second_complaint = complaint_services.complaint_accept(
        complaint=make_complaint(text="营业厅员工态度冷淡"), actor=agent
    )
    complete(services.review_start(complaint=second_complaint, actor=agent), agent, causes=("training_gap",))
    now = timezone.now()
    pareto = selectors.root_cause_pareto(Period(now - timedelta(days=1), now + timedelta(days=1)))
    assert [(r["rootcause__name"], r["count"]) for r in pareto] == [("培训不足", 2), ("计费差错", 1)]
    assert [round(r["cumulative"], 3) for r in pareto] == [0.667, 1.0]
    assert first.root_causes.count() == 2


def test_the_journey_per_touchpoint(customer, team):
    usage = Touchpoint.objects.get(code="usage")
    billing = Touchpoint.objects.get(code="billing")
    made = rows(customer, team, [0, 0, 0, 0], follow_up_result="satisfied")
    Complaint.objects.filter(pk=made[0].pk).update(escalation_level=1, follow_up_result="dissatisfied")
    Complaint.objects.filter(pk=made[1].pk).update(
        effective_solution_at=DONE + timedelta(hours=9), follow_up_result="unreachable"
    )
    ComplaintTouchpoint.objects.bulk_create(
        [ComplaintTouchpoint(complaint=c, touchpoint=usage, received_at=c.received_at) for c in made]
    )
    ComplaintTouchpoint.objects.create(complaint=made[3], touchpoint=billing, received_at=made[3].received_at)
    figures = {r["touchpoint"].code: r for r in selectors.journey(Period(DONE, DONE + timedelta(days=1)))}
    assert figures["usage"]["volume"] == 4
    assert figures["usage"]["escalation_rate"] == 0.25
    assert figures["usage"]["satisfaction"] == pytest.approx(2 / 3)  # the unreachable one does not count
    assert figures["usage"]["effective_hours"] == pytest.approx(8.0)  # received 1:00 after, solved 9:00
    assert figures["billing"]["volume"] == 1 and figures["marketing"]["volume"] == 0
    assert len(figures) == 14


def test_training_coverage_against_the_benchmark(team, other_team):
    TeamPractice.objects.create(
        team=team, agents=20, agents_trained=13, appraisal_has_communication_score=False
    )
    TeamPractice.objects.create(
        team=other_team, agents=10, agents_trained=9, appraisal_has_communication_score=True
    )
    figures = {r["team"].name: r for r in selectors.team_figures(month=date(2026, 6, 1))}
    assert (
        figures["投诉一组"]["coverage"] == Decimal("65.0") and figures["投诉一组"]["below"]
    )  # the material's case
    assert figures["投诉一组"]["benchmark"] == Decimal("80")
    assert figures["投诉二组"]["coverage"] == Decimal("90.0") and not figures["投诉二组"]["below"]
    assert figures["投诉二组"]["appraisal"]
    assert RootCause.objects.filter(code="training_gap").exists() and Review.objects.count() == 0


def test_past_months_come_from_the_nightly_summary_and_match_the_live_count(customer, team, other_team):
    from django.core.management import call_command

    from kesu.metrics.periods import Period as MonthPeriod
    from kesu.reviews import tasks
    from kesu.reviews.models import TouchpointMonth

    usage = Touchpoint.objects.get(code="usage")
    june = rows(customer, team, [0, 1, 2], follow_up_result="satisfied")  # June 2026
    Complaint.objects.filter(pk=june[0].pk).update(
        escalation_level=2, effective_solution_at=DONE + timedelta(hours=5)
    )
    july = rows(customer, other_team, [40])  # July
    ComplaintTouchpoint.objects.bulk_create(
        [
            ComplaintTouchpoint(complaint=c, touchpoint=usage, received_at=c.received_at)
            for c in [*june, *july]
        ]
    )
    both = MonthPeriod(date(2026, 6, 1), date(2026, 7, 31))
    span = Period(both.start, both.end)
    live = {r["touchpoint"].code: r for r in selectors.journey(span)}["usage"]
    assert (live["volume"], live["escalation_rate"], live["effective_hours"]) == (4, 0.25, pytest.approx(4.0))

    now = timezone.make_aware(datetime(2026, 8, 2))
    assert (
        services.refresh_journey_months(
            months=[date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1)], now=now
        )
        == 2
    )
    assert TouchpointMonth.objects.filter(month=date(2026, 8, 1)).count() == 0  # the current month stays live
    summarised = {r["touchpoint"].code: r for r in selectors.journey(span)}["usage"]
    assert summarised == live
    # Read from the summary: a mark added to June afterwards shows only after the next refresh.
    late = rows(customer, team, [3], follow_up_result="dissatisfied")[0]
    ComplaintTouchpoint.objects.create(complaint=late, touchpoint=usage, received_at=late.received_at)
    assert {r["touchpoint"].code: r for r in selectors.journey(span)}["usage"]["volume"] == 4
    call_command("refresh_journey_months", "--from", "2026-06", "--to", "2026-07", stdout=io.StringIO())
    assert {r["touchpoint"].code: r for r in selectors.journey(span)}["usage"]["volume"] == 5
    # One team's figures, and a period that cuts a month, are counted live where they must be.
    mine = {r["touchpoint"].code: r for r in selectors.journey(Period(both.start, both.end, team.pk))}[
        "usage"
    ]
    assert mine["volume"] == 4
    assert tasks.refresh_journey_months.run(months_back=1) >= 0

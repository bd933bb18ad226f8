"""Service-level clocks per tier and priority: started at intake, stopped by the acts that
deliver, paused while waiting for the customer; each complaint shows deadlines and states."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kesu.complaints import clock, services
from kesu.customers.models import Tier
from kesu.handling.conversation import add_message
from kesu.handling.follow_up import record_follow_up
from kesu.handling.solution import record_solution
from kesu.sla import services as sla
from kesu.sla.models import ComplaintSla, SlaPolicyConfig
from kesu.sla.selectors import sla_view
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def vip():
    return CustomerFactory(tier=Tier.objects.get(code="vip"))


def test_clocks_start_at_receipt_with_the_tiers_targets(make_complaint):
    received = timezone.now() - timedelta(hours=1)
    standard = make_complaint(received_at=received)
    important = make_complaint(customer=vip(), received_at=received)
    assert standard.sla.first_reply_due_at == received + timedelta(hours=48)
    assert standard.sla.effective_due_at == received + timedelta(hours=48)
    assert important.sla.effective_due_at == received + timedelta(hours=8)
    assert important.sla.effective_risk_at == received + timedelta(hours=6)  # 75 % of 8 h


def test_a_policy_for_a_tier_and_priority_wins_over_the_tiers_default(make_complaint):
    SlaPolicyConfig.objects.create(
        tier=Tier.objects.get(code="standard"),
        priority=4,
        first_reply_hours=Decimal("2"),
        effective_reply_hours=Decimal("12"),
    )
    received = timezone.now()
    urgent = make_complaint(priority=4, received_at=received)
    normal = make_complaint(priority=2, received_at=received)
    assert urgent.sla.first_reply_due_at == received + timedelta(hours=2)
    assert normal.sla.first_reply_due_at == received + timedelta(hours=48)


def test_the_first_reply_and_the_solution_stop_their_clocks(make_complaint, agent):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    add_message(complaint=complaint, actor=agent, body="您好，我是王小雨，我来负责处理。")
    row = ComplaintSla.objects.get(pk=complaint.pk)
    assert row.first_reply_status == "met" and row.effective_status == "on_track"
    record_solution(complaint=complaint, actor=agent, solution_type="repair", text="24小时内上门维修")
    assert ComplaintSla.objects.get(pk=complaint.pk).effective_status == "met"


def test_a_late_first_reply_is_met_late(make_complaint, agent):
    complaint = make_complaint(received_at=timezone.now() - timedelta(hours=50))
    complaint = services.complaint_accept(complaint=complaint, actor=agent)
    add_message(complaint=complaint, actor=agent, body="抱歉回复晚了")
    assert ComplaintSla.objects.get(pk=complaint.pk).first_reply_status == "met_late"


def test_waiting_for_the_customer_pauses_and_their_answer_resumes(make_complaint, agent):
    received = timezone.now() - timedelta(hours=10)
    complaint = services.complaint_accept(complaint=make_complaint(received_at=received), actor=agent)
    with clock.frozen(received + timedelta(hours=2)):
        sla.complaint_wait_for_customer(complaint=complaint, actor=agent, note="请客户提供发票照片")
    view = sla_view(complaint, now=received + timedelta(hours=5))
    assert view["first_reply"].paused
    with clock.frozen(received + timedelta(hours=8)):  # waited 6 hours
        add_message(complaint=complaint, actor=agent, body="发票照片发您了", kind="customer")
    row = ComplaintSla.objects.get(pk=complaint.pk)
    assert row.paused_since is None and len(row.pauses) == 1
    assert row.first_reply_due_at == received + timedelta(hours=48 + 6)


def test_each_complaint_shows_deadline_time_left_and_state(make_complaint):
    received = timezone.now()
    complaint = make_complaint(customer=vip(), received_at=received)
    early = sla_view(complaint, now=received + timedelta(hours=1))["effective"]
    assert early.status == "on_track" and early.remaining_seconds == 7 * 3600
    assert sla_view(complaint, now=received + timedelta(hours=7))["effective"].status == "at_risk"
    late = sla_view(complaint, now=received + timedelta(hours=9))["effective"]
    assert late.status == "breached" and late.remaining_seconds == -3600


def test_the_api_shows_the_clocks(api, make_complaint, agent):
    complaint = make_complaint(customer=vip())
    body = api(agent).get(f"/api/v1/complaints/{complaint.reference}/").json()
    assert body["sla"]["effective"]["status"] == "on_track"
    assert body["sla"]["first_reply"]["deadline"].startswith(str(complaint.received_at.year))


def test_a_dissatisfied_follow_up_closes_reopens_and_restarts_both_clocks(make_complaint, agent, lead):
    """The complaint is handled again: both clocks run anew from the reopening, with the tier's
    targets, and the next reply and solution stop them as the first ones did."""
    from tests.followup.conftest import walk_to

    received = timezone.now() - timedelta(hours=30)
    with clock.frozen(received + timedelta(hours=1)):
        complaint = walk_to(make_complaint(received_at=received), agent, "follow_up")
    assert ComplaintSla.objects.get(pk=complaint.pk).effective_status == "met"
    reopened = received + timedelta(hours=20)
    with clock.frozen(reopened):
        record_follow_up(complaint=complaint, actor=agent, result="dissatisfied", comment="还是黑屏")
    complaint.refresh_from_db()
    assert complaint.stage == "listen" and complaint.reopen_count == 1
    row = ComplaintSla.objects.get(pk=complaint.pk)
    assert (row.first_reply_status, row.effective_status) == ("on_track", "on_track")
    assert row.received_at == reopened
    assert row.first_reply_due_at == reopened + timedelta(hours=48)
    assert row.effective_due_at == reopened + timedelta(hours=48)
    views = sla_view(complaint, now=reopened + timedelta(hours=1))
    assert views["effective"].status == "on_track" and views["effective"].remaining_seconds == 47 * 3600
    with clock.frozen(reopened + timedelta(hours=2)):
        add_message(complaint=complaint, actor=lead, body="您好，我是班组长，我来跟进。")
        record_solution(
            complaint=complaint,
            actor=lead,
            solution_type="refund",
            text="今天内退款到原账户",
            amount=Decimal("200"),
            refund_method="account",
        )
    row = ComplaintSla.objects.get(pk=complaint.pk)
    assert (row.first_reply_status, row.effective_status) == ("met", "met")

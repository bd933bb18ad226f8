"""Service-level clocks per tier and priority: started at intake, stopped by the acts that
deliver, paused while waiting for the customer; each complaint shows deadlines and states."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kesu.complaints import clock, services
from kesu.customers.models import Tier
from kesu.sla import services as sla
from kesu.sla.models import ComplaintSla, SlaPolicyConfig
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
    services.message_add(complaint=complaint, actor=agent, body="您好，我是王小雨，我来负责处理。")
    row = ComplaintSla.objects.get(pk=complaint.pk)
    assert row.first_reply_status == "met" and row.effective_status == "on_track"
    services.complaint_record_solution(
        complaint=complaint, actor=agent, solution_type="repair", text="24小时内上门维修"
    )
    assert ComplaintSla.objects.get(pk=complaint.pk).effective_status == "met"


def test_a_late_first_reply_is_met_late(make_complaint, agent):
    complaint = make_complaint(received_at=timezone.now() - timedelta(hours=50))
    complaint = services.complaint_accept(complaint=complaint, actor=agent)
    services.message_add(complaint=complaint, actor=agent, body="抱歉回复晚了")
    assert ComplaintSla.objects.get(pk=complaint.pk).first_reply_status == "met_late"


def test_waiting_for_the_customer_pauses_and_their_answer_resumes(make_complaint, agent):
    received = timezone.now() - timedelta(hours=10)
    complaint = services.complaint_accept(complaint=make_complaint(received_at=received), actor=agent)
    with clock.frozen(received + timedelta(hours=2)):
        sla.complaint_wait_for_customer(complaint=complaint, actor=agent, note="请客户提供发票照片")
    view = sla.sla_view(complaint, now=received + timedelta(hours=5))
    assert view["first_reply"].paused
    with clock.frozen(received + timedelta(hours=8)):  # waited 6 hours
        services.message_add(complaint=complaint, actor=agent, body="发票照片发您了", kind="customer")
    row = ComplaintSla.objects.get(pk=complaint.pk)
    assert row.paused_since is None and len(row.pauses) == 1
    assert row.first_reply_due_at == received + timedelta(hours=48 + 6)


def test_each_complaint_shows_deadline_time_left_and_state(make_complaint):
    received = timezone.now()
    complaint = make_complaint(customer=vip(), received_at=received)
    early = sla.sla_view(complaint, now=received + timedelta(hours=1))["effective"]
    assert early.status == "on_track" and early.remaining_seconds == 7 * 3600
    assert sla.sla_view(complaint, now=received + timedelta(hours=7))["effective"].status == "at_risk"
    late = sla.sla_view(complaint, now=received + timedelta(hours=9))["effective"]
    assert late.status == "breached" and late.remaining_seconds == -3600


def test_the_api_shows_the_clocks(api, make_complaint, agent):
    complaint = make_complaint(customer=vip())
    body = api(agent).get(f"/api/v1/complaints/{complaint.reference}/").json()
    assert body["sla"]["effective"]["status"] == "on_track"
    assert body["sla"]["first_reply"]["deadline"].startswith(str(complaint.received_at.year))

"""A hand-made September 2026 of team 投诉一组 whose every figure is computed by hand below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kesu.complaints.models import Category, Complaint
from kesu.escalation.models import Escalation
from kesu.followup.models import FollowUp, WorkOrder
from kesu.metrics.models import CustomersServed
from kesu.sla.models import ComplaintSla

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALM = "请问宽带什么时候能修好"


def at(day: int, hour: int = 10, month: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


@dataclass
class September:
    a: Complaint
    b: Complaint
    c: Complaint
    d: Complaint
    e: Complaint  # received in August, followed up in September
    f: Complaint  # another team's


def _clocks(complaint: Complaint, first: str, effective: str, first_due: datetime | None = None) -> None:
    ComplaintSla.objects.filter(pk=complaint.pk).update(
        first_reply_status=first,
        effective_status=effective,
        first_reply_due_at=first_due or complaint.received_at + timedelta(hours=48),
    )


def follow_up(**fields):
    """A follow-up as the services record it: with the complaint's team and the customer's tier."""
    complaint = fields["complaint"]
    fields.setdefault("cycle", complaint.reopen_count)
    return FollowUp.objects.create(team_id=complaint.team_id, tier_id=complaint.customer.tier_id, **fields)


@pytest.fixture
def september(make_complaint, agent, other_agent, other_team, lead):
    network = Category.objects.get_or_create(code="kpi-network", defaults={"name": "网络故障"})[0]
    billing = Category.objects.get_or_create(code="kpi-billing", defaults={"name": "计费争议"})[0]
    slow = Category.objects.get_or_create(code="kpi-slow", defaults={"name": "网速慢", "parent": network})[0]

    a = make_complaint(text=CALM, received_at=at(1))
    b = make_complaint(text=CALM, received_at=at(5))
    c = make_complaint(text=CALM, channel="letter", received_at=at(10))
    d = make_complaint(text=CALM, received_at=at(30, 20))
    e = make_complaint(text=CALM, received_at=at(20, month=8))
    f = make_complaint(actor=other_agent, team=other_team, text=CALM, received_at=at(2))
    Escalation.objects.filter(complaint__in=[a, b, c, d, e, f]).delete()

    _clocks(a, "met", "met")
    _clocks(b, "met_late", "met")
    _clocks(c, "breached", "met_late")
    _clocks(d, "on_track", "on_track", first_due=datetime(2099, 1, 1, tzinfo=SHANGHAI))  # not yet due
    _clocks(e, "met", "met")
    _clocks(f, "met", "met")

    closed = {"stage": "closed", "customer_agreed_at": at(20), "closed_at": at(21)}
    Complaint.objects.filter(pk=a.pk).update(
        **closed, category=network, subcategory=slow, analysis={"emotion": {"label": "anger"}}
    )
    Complaint.objects.filter(pk=b.pk).update(
        **closed, reopen_count=1, category=network, subcategory=slow, analysis={"emotion": {"label": "anger"}}
    )
    Complaint.objects.filter(pk=c.pk).update(
        **closed, category=billing, analysis={"emotion": {"label": "neutral"}}
    )
    Complaint.objects.filter(pk=d.pk).update(category=None, subcategory=None, analysis={})
    Complaint.objects.filter(pk=f.pk).update(**closed)

    WorkOrder.objects.create(
        complaint=c,
        department="计费部",
        description="核账",
        created_by=agent,
        created_at=at(8),
        due_at=at(10),
        completed_at=at(9),
    )
    WorkOrder.objects.create(
        complaint=b,
        department="网络部",
        description="修",
        created_by=agent,
        created_at=at(15),
        due_at=at(20),
        completed_at=at(21),
    )
    WorkOrder.objects.create(
        complaint=d, department="网络部", description="修", created_by=agent, created_at=at(22), due_at=at(25)
    )
    WorkOrder.objects.create(
        complaint=d,
        department="网络部",
        description="修",
        created_by=agent,
        created_at=at(29),
        due_at=at(5, month=10),
    )

    Escalation.objects.create(
        complaint=b, level=1, level_code="team_lead", reason="manual", status="resolved", created_at=at(6)
    )
    Escalation.objects.create(complaint=b, level=2, level_code="manager", reason="manual", created_at=at(7))

    follow_up(complaint=a, method="call", result="very_satisfied", recorded_by=agent, created_at=at(22))
    follow_up(complaint=b, method="link", result="basically_satisfied", created_at=at(22))
    follow_up(complaint=c, method="call", result="dissatisfied", recorded_by=agent, created_at=at(23))
    follow_up(complaint=d, method="call", result="unreachable", recorded_by=agent, created_at=at(23))
    follow_up(complaint=e, method="call", result="satisfied", recorded_by=agent, created_at=at(3))
    follow_up(
        complaint=f, method="call", result="very_dissatisfied", recorded_by=other_agent, created_at=at(3)
    )

    CustomersServed.objects.create(month=date(2026, 9, 1), count=2_000_000)
    CustomersServed.objects.create(month=date(2026, 8, 1), count=1_000_000)
    return September(a, b, c, d, e, f)

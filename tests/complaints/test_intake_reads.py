"""Intake's plain-SQL look-ups answer exactly what the ORM would, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kesu.complaints import intake_reads, services
from kesu.complaints.models import Complaint, IdempotencyRecord
from kesu.customers.models import Customer
from kesu.handling.intake import take_in

pytestmark = pytest.mark.django_db


def test_recent_complaints_are_the_orms_rows_newest_first_with_aware_times(make_complaint, customer):
    now = timezone.now()
    made = [
        make_complaint(text=f"第{i}次投诉：宽带又断了", received_at=now - timedelta(days=d))
        for i, d in enumerate([40, 10, 2, 0])
    ]
    rows = intake_reads.recent_complaints(customer.pk, now - timedelta(days=30), now)
    orm = list(
        Complaint.objects.filter(
            customer=customer, received_at__gte=now - timedelta(days=30), received_at__lte=now
        )
        .order_by("-received_at")
        .values_list("pk", "text", "received_at", "order_number", "product", "repeat_count", "reference")
    )
    assert rows == orm
    assert [r[0] for r in rows] == [made[3].pk, made[2].pk, made[1].pk]  # the one 40 days ago is out
    assert all(timezone.is_aware(r[2]) for r in rows)


def test_customer_look_ups_return_full_records(customer):
    found = intake_reads.customer_by_external_id(customer.external_id)
    assert found == customer and found.name == customer.name and found.tier_id == customer.tier_id
    assert timezone.is_aware(found.created_at)
    assert intake_reads.customer_by_external_id("NOBODY") is None
    twin = Customer.objects.create(external_id="TWIN", name="王芳", phone=customer.phone, tier=customer.tier)
    assert intake_reads.customer_by_phone(customer.phone) == customer != twin  # the oldest record
    assert intake_reads.customer_by_phone("10000000000") is None


def test_idempotency_record(make_complaint, agent):
    complaint = make_complaint()
    IdempotencyRecord.objects.create(user=agent, key="k-1", fingerprint="f" * 64, complaint=complaint)
    assert intake_reads.idempotency_record(agent.pk, "k-1") == ("f" * 64, complaint.pk)
    assert intake_reads.idempotency_record(agent.pk, "k-2") is None


def test_a_returning_customer_by_phone_is_found_at_intake(agent, customer):
    again = take_in(
        actor=agent,
        customer=services.CustomerData(name="别的名字", phone=customer.phone),
        text="上次的问题还没解决",
        channel="phone",
    )
    assert again.customer_id == customer.pk

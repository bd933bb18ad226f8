"""API intake is the hot path: its round trips to the database are counted, and what the
shortcuts skip is still done (a returning customer's repeat is found and linked)."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kesu.complaints.models import AuditEvent, Complaint, Message
from kesu.sla.models import ComplaintSla

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"
TEXT = "宽带断网三天了，打了五次电话都说在处理，一直没有修好"


@pytest.fixture
def client(agent):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=agent).key}")
    # The first call loads per-process configuration (stages, tiers, policies, permissions).
    warm = {"customer": {"name": "预热"}, "text": "预热用的投诉内容", "channel": "web"}
    assert client.post(URL, warm, format="json", HTTP_IDEMPOTENCY_KEY="warm").status_code == 201
    return client


def post(client, external_id: str, key: str, **customer):
    customer = {"name": "李娜", "external_id": external_id, **customer}
    body = {"customer": customer, "text": TEXT, "channel": "web"}
    response = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_new_customers_complaint_takes_a_dozen_round_trips(client, django_assert_max_num_queries):
    # the key check; the customer looked up and created (one INSERT … ON CONFLICT DO NOTHING, no
    # savepoint: 13 before); the complaint, its first message, the audit event, the clocks and the
    # key recorded; the transaction's savepoint in the test; the touchpoints its words point to
    # (断网: 使用). No repeat lookup for a customer who did not exist a moment ago.
    with django_assert_max_num_queries(11):
        body = post(client, "C-NEW", "k1")
    complaint = Complaint.objects.get(reference=body["reference"])
    assert Message.objects.filter(complaint=complaint).count() == 1
    assert AuditEvent.objects.filter(complaint=complaint, action="created").exists()
    assert ComplaintSla.objects.filter(complaint=complaint).exists()


def test_a_returning_customers_repeat_is_still_found_and_linked(client, django_assert_max_num_queries):
    first = post(client, "C-BACK", "k1", tier="vip")
    with django_assert_max_num_queries(12):  # with the touchpoint the words point to
        again = post(client, "C-BACK", "k2", tier="standard")  # the record is not overwritten
    assert again["repeat_of"] == first["reference"] and again["repeat_count"] == 1
    assert again["customer"]["tier"] == "vip"
    assert AuditEvent.objects.filter(complaint__reference=again["reference"], action="linked_repeat").exists()


def test_a_complaint_escalated_at_intake_costs_its_escalation_and_no_more(client, django_assert_max_num_queries):
    # Beyond a new customer's intake: the escalation, the complaint's new level and its audit
    # event (no webhook is subscribed here). Its package is compiled from what intake holds: no
    # attachments are read back when intake stored none (main read them: 16; 15 while the new
    # customer was created under a savepoint).
    body = {"customer": {"name": "李娜", "external_id": "C-ANGRY"}, "channel": "web",
            "text": "再不解决我就去工信部投诉，还要找媒体曝光！"}  # fmt: skip
    first = client.post(URL, {**body, "customer": {"name": "王强"}}, format="json", HTTP_IDEMPOTENCY_KEY="k0")
    assert first.json()["escalation_level"] >= 1  # the ladder and its assignees, read once per process
    with django_assert_max_num_queries(13):
        response = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    escalation = complaint.escalations.get()
    assert complaint.escalation_level == escalation.level >= 1
    assert escalation.package["attachments"] == []
    assert escalation.package["problem"]["text"] == body["text"]

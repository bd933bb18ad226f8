"""The REST API as a client sees it: auth, idempotent creation, clear 4xx errors, filters,
permissions, masking, workflow actions and the audit trail."""

from __future__ import annotations

import io
import json

import pytest
from rest_framework.authtoken.models import Token

from kesu.complaints import services
from kesu.complaints.models import AuditEvent, Complaint

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"


def payload(**overrides):
    data = {
        "customer": {"name": "李娜", "phone": "13912345678", "external_id": "C-1001", "tier": "vip"},
        "text": "宽带断网三天了，打了五次电话都说在处理，再不修好我就去工信部投诉！",
        "channel": "phone",
        "product": "家庭宽带 500M",
        "demand_type": "compensation",
        "demand_amount": "200.00",
    }
    data.update(overrides)
    return data


def test_the_api_needs_a_token(api, agent):
    assert api().get(URL).status_code == 401
    token = Token.objects.create(user=agent)
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(URL).status_code == 200


def test_token_is_issued_for_a_username_and_password(api, agent):
    response = api().post(
        "/api/v1/auth/token/", {"username": "agent", "password": "pw-kesu-123"}, format="json"
    )
    assert response.status_code == 200 and response.json()["token"]


def test_create_returns_the_complaint_with_its_analysis_and_masking_rules(api, agent):
    response = api(agent).post(URL, payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"] == "accept" and body["customer"]["tier"] == "vip"
    assert body["customer"]["phone"] == "13912345678"  # the handling agent may see it
    assert body["checklist"][0]["item"] in {"acknowledged", "recorded"}
    assert "listen" in body["allowed_transitions"]
    assert Complaint.objects.get(reference=body["reference"]).created_by == agent


def test_a_retry_with_the_same_idempotency_key_never_creates_a_second_complaint(api, agent):
    client = api(agent)
    first = client.post(URL, payload(), format="json", HTTP_IDEMPOTENCY_KEY="req-42")
    again = client.post(URL, payload(), format="json", HTTP_IDEMPOTENCY_KEY="req-42")
    assert first.status_code == 201 and again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["reference"] == first.json()["reference"]
    assert Complaint.objects.count() == 1
    different = client.post(URL, payload(text="另一件事"), format="json", HTTP_IDEMPOTENCY_KEY="req-42")
    assert different.status_code == 409 and different.json()["code"] == "idempotency_key_reused"
    assert Complaint.objects.count() == 1


def test_a_failed_request_does_not_burn_its_idempotency_key(api, agent):
    client = api(agent)
    bad = client.post(URL, payload(team=999), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert bad.status_code == 400
    good = client.post(URL, payload(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert good.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (payload(text=""), "text"),
        (payload(channel="pigeon"), "channel"),
        (payload(demand_amount="-5"), "demand_amount"),
        (payload(customer={"phone": "abc"}), "customer"),
        ({k: v for k, v in payload().items() if k != "customer"}, "customer"),
    ],
)
def test_invalid_input_is_a_clear_400_naming_the_field(api, agent, body, field):
    response = api(agent).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and field in response.json()["fields"]
    assert Complaint.objects.count() == 0


def test_validation_messages_follow_the_users_language(api, agent):
    response = api(agent).post(URL, payload(text=""), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "部分字段填写有误。"
    assert body["fields"]["text"] == ["该字段不能为空。"]


def test_malformed_json_and_oversize_bodies_are_refused_without_a_500(api, agent):
    client = api(agent)
    broken = client.generic("POST", URL, "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["code"] == "parse_error"
    huge = client.post(URL, payload(text="投" * 600_000), format="json")
    assert huge.status_code == 413 and huge.json()["code"] == "payload_too_large"
    too_long = client.post(URL, payload(text="投" * 20_001), format="json")
    assert too_long.status_code == 400
    assert Complaint.objects.count() == 0


def test_agents_see_only_their_teams_complaints_and_managers_see_all(
    api, make_complaint, agent, other_agent, lead, manager
):
    mine = make_complaint()
    theirs = make_complaint(actor=other_agent)
    listed = lambda user: {c["reference"] for c in api(user).get(URL).json()["results"]}  # noqa: E731
    assert listed(agent) == {mine.reference}
    assert listed(lead) == {mine.reference}
    assert listed(other_agent) == {theirs.reference}
    assert listed(manager) == {mine.reference, theirs.reference}
    assert api(agent).get(f"{URL}{theirs.reference}/").status_code == 404
    assert api(agent).post(f"{URL}{theirs.reference}/accept/").status_code == 404


def test_lists_mask_personal_data_and_qa_never_sees_it(api, make_complaint, agent, qa):
    complaint = make_complaint(text="请回电13812345678，我的卡号4111111111111111被多扣了钱")
    row = api(agent).get(URL).json()["results"][0]
    phone = complaint.customer.phone
    assert row["customer"]["phone"] == f"{phone[:3]}****{phone[-4:]}"
    assert row["customer"]["masked"] is True and "13812345678" not in row["excerpt"]
    detail = api(qa).get(f"{URL}{complaint.reference}/").json()
    assert detail["customer"]["masked"] is True and "****" in detail["customer"]["phone"]
    assert "13812345678" not in detail["text"] and "4111111111111111" not in detail["text"]
    assert detail["customer"]["id_card"].startswith("110101********")


def test_qa_can_read_the_audit_but_cannot_act(api, make_complaint, qa):
    complaint = make_complaint()
    assert api(qa).get(f"{URL}{complaint.reference}/audit/").status_code == 200
    response = api(qa).post(f"{URL}{complaint.reference}/accept/")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert api(qa).post(URL, payload(), format="json").status_code == 403


def test_filters(api, make_complaint, agent):
    phone = make_complaint(channel="phone", order_number="A-1")
    web = make_complaint(channel="web", source="regulator_market")
    services.complaint_accept(complaint=phone, actor=agent)
    client = api(agent)
    refs = lambda q: [c["reference"] for c in client.get(URL, q).json()["results"]]  # noqa: E731
    assert refs({"channel": "phone"}) == [phone.reference]
    assert refs({"escalated": "true"}) == [web.reference]
    assert refs({"stage": "listen"}) == [phone.reference]
    assert refs({"owner": "none"}) == [web.reference]
    assert refs({"owner": "me"}) == [phone.reference]
    assert refs({"q": "A-1"}) == [phone.reference]
    assert client.get(URL, {"stage": "nonsense"}).status_code == 400


def test_the_workflow_through_the_api(api, make_complaint, agent):
    complaint = make_complaint()
    client = api(agent)
    base = f"{URL}{complaint.reference}/"
    assert client.post(f"{base}accept/").json()["owner"]["username"] == "agent"
    refused = client.post(f"{base}transition/", {"to": "confirm"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "checklist_incomplete"
    for item in ("let_finish", "empathized"):
        assert client.post(f"{base}checklist/", {"item": item}, format="json").status_code == 200
    moved = client.post(f"{base}transition/", {"to": "confirm"}, format="json")
    assert moved.status_code == 200 and moved.json()["stage"] == "confirm"
    reply = client.post(f"{base}messages/", {"body": "能告诉我事情的经过吗？"}, format="json")
    assert reply.status_code == 201
    assert client.get(base).json()["first_reply_at"] is not None
    unknown = client.post(f"{base}checklist/", {"item": "nope"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_checklist_item"
    audit = client.get(f"{base}audit/").json()
    assert [e["action"] for e in audit][:3] == ["created", "accepted", "checklist"]


def test_transfer_through_the_api(api, make_complaint, agent, agent2, lead):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    url = f"{URL}{complaint.reference}/transfer/"
    assert api(lead).post(url, {"to_user": "agent2"}, format="json").status_code == 400
    response = api(lead).post(url, {"to_user": "agent2", "reason": "工作量平衡"}, format="json")
    assert response.status_code == 200 and response.json()["owner"]["username"] == "agent2"
    assert AuditEvent.objects.filter(complaint=complaint, action="transferred").count() == 1


def test_the_openapi_schema_and_docs_are_served(client, agent):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/complaints/" in paths and "/api/v1/complaints/{reference}/transition/" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content.lower()
    assert b"cdn" not in docs.content.lower()


def test_the_schema_describes_every_api_without_warnings(db):
    """drf-spectacular's own check: a warning means a wrong or missing part of the schema (two request
    bodies sharing one name, a view it could not describe)."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command("spectacular", "--fail-on-warn", "--validate", "--format", "openapi-json", stdout=out)
    paths = json.loads(out.getvalue())["paths"]
    for path in ["/api/v1/kpis/", "/api/v1/complaints/{reference}/follow-ups/", "/api/v1/complaints/"]:
        assert path in paths, sorted(paths)
    assert all(path.startswith("/api/v1/") for path in paths), sorted(paths)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/metrics/api/kpis/?month=2026-09", "/api/v1/kpis/?month=2026-09"),
        ("/f/api/complaints/KS1/follow-ups/", "/api/v1/complaints/KS1/follow-ups/"),
        ("/f/api/complaints/KS1/follow-up-links/", "/api/v1/complaints/KS1/follow-up-links/"),
        ("/f/api/complaints/KS1/work-orders/", "/api/v1/complaints/KS1/work-orders/"),
        ("/f/api/work-orders/7/complete/", "/api/v1/work-orders/7/complete/"),
    ],
)
def test_the_old_paths_redirect_under_the_one_root(client, old, new):
    """The follow-up and KPI JSON moved under /api/v1/; their old paths answer 308 (the method and
    body are kept) and say they are deprecated."""
    for method in (client.get, client.post):
        response = method(old)
        assert response.status_code == 308 and response["Location"] == new
        assert response["Deprecation"] == "true"


def test_the_fast_representation_matches_the_documented_fields(api, make_complaint, agent):
    from kesu.api.serializers import ComplaintListOut, ComplaintOut

    complaint = make_complaint()
    body = api(agent).get(f"{URL}{complaint.reference}/").json()
    assert set(body) == set(ComplaintOut().fields)
    row = api(agent).get(URL).json()["results"][0]
    assert set(row) == set(ComplaintListOut().fields)


def test_a_role_that_may_not_reply_is_refused_before_its_words_are_checked(api, make_complaint, qa):
    """QA may read every complaint but not reply: the refusal is the permission, whatever the
    text — its words are never read by the checker (a long text costs that role nothing)."""
    base = f"{URL}{make_complaint().reference}/"
    for body in ("规定就是这样，你自己看说明书。", "1" * 20_000):
        refused = api(qa).post(f"{base}messages/", {"body": body}, format="json")
        assert refused.status_code == 403, refused.content
        assert refused.json()["code"] == "permission_denied"

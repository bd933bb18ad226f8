"""Follow-up 回访: the agent's call, the customer's signed single-use link, and the reopening of a
dissatisfied answer to the owner's team lead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from kesu.complaints import clock
from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.complaints.models import AuditEvent, Complaint
from kesu.escalation.models import Escalation
from kesu.followup import services
from kesu.followup.models import FollowUp, FollowUpLink, FollowUpMethod
from kesu.handling.follow_up import answer_follow_up_link, record_follow_up
from kesu.handling.stages import move as move_stage

pytestmark = pytest.mark.django_db


def issue(complaint, agent, **kwargs):
    return services.follow_up_link_issue(complaint=complaint, actor=agent, **kwargs)


def test_the_agent_records_a_call_and_the_complaint_keeps_the_result(at_follow_up, agent):
    complaint = at_follow_up()
    follow_up = record_follow_up(complaint=complaint, actor=agent, result="satisfied", comment="换机很快")
    complaint.refresh_from_db()
    assert (follow_up.method, follow_up.recorded_by, follow_up.successful) == ("call", agent, True)
    assert (follow_up.team_id, follow_up.tier.code) == (complaint.team_id, "standard")
    assert complaint.follow_up_result == "satisfied" and complaint.stage == "follow_up"
    event = AuditEvent.objects.filter(complaint=complaint, action="follow_up_recorded").get()
    assert event.actor == agent and event.changes["follow_up_result"] == ["", "satisfied"]


def test_an_unreachable_customer_is_an_unsuccessful_follow_up(at_follow_up, agent):
    follow_up = record_follow_up(complaint=at_follow_up(), actor=agent, result="unreachable")
    assert follow_up.successful is False


def test_follow_ups_are_recorded_at_the_follow_up_stage_only_by_who_may_act(
    make_complaint, at_follow_up, agent, other_agent
):
    from kesu.complaints.services import complaint_accept

    listening = complaint_accept(complaint=make_complaint(), actor=agent)
    with pytest.raises(ComplaintError) as error:
        record_follow_up(complaint=listening, actor=agent, result="satisfied")
    assert error.value.code == "not_in_follow_up"
    with pytest.raises(PermissionRefused):
        record_follow_up(complaint=at_follow_up(), actor=other_agent, result="satisfied")
    with pytest.raises(ComplaintError) as error:
        record_follow_up(complaint=at_follow_up(), actor=agent, result="great")
    assert error.value.code == "invalid_follow_up"


def test_a_dissatisfied_call_reopens_the_complaint_to_the_owners_team_lead(at_follow_up, agent, lead):
    complaint = at_follow_up()
    record_follow_up(complaint=complaint, actor=agent, result="very_dissatisfied", comment="还是黑屏")
    complaint.refresh_from_db()
    assert (complaint.stage, complaint.reopen_count, complaint.owner) == ("listen", 1, agent)
    escalation = Escalation.objects.get(complaint=complaint, status="open")
    assert escalation.level == 1 and escalation.assigned_to == lead
    assert "还是黑屏" in escalation.note
    actions = list(complaint.audit_events.values_list("action", flat=True))
    assert actions[-5:] == ["follow_up_recorded", "stage_changed", "reopened", "sla_restarted", "escalated"]
    assert FollowUp.objects.get(complaint=complaint).result == "very_dissatisfied"


# --- the customer's link -------------------------------------------------------------------------


def test_only_a_hash_of_the_token_is_stored(at_follow_up, agent):
    issued = issue(at_follow_up(), agent)
    row = FollowUpLink.objects.get()
    assert issued.token not in row.token_hash and len(row.token_hash) == 64
    assert issued.path == f"/f/{issued.token}/"
    assert AuditEvent.objects.filter(action="follow_up_link_sent").count() == 1


def test_a_link_is_issued_at_the_follow_up_stage_only(make_complaint, agent):
    from kesu.complaints.services import complaint_accept

    with pytest.raises(ComplaintError) as error:
        issue(complaint_accept(complaint=make_complaint(), actor=agent), agent)
    assert error.value.code == "not_in_follow_up"


def test_the_link_can_be_texted_to_the_customer(at_follow_up, agent):
    from kesu.notifications.models import OutboxMessage

    issued = issue(at_follow_up(), agent, send_sms_to_base_url="https://kesu.example.com")
    sms = OutboxMessage.objects.get(event_key=f"follow_up_link:{issued.link.pk}")
    assert f"https://kesu.example.com/f/{issued.token}/" in sms.body
    assert sms.body.startswith("【客诉】您好，您的投诉")  # the admin-editable template


def test_the_customer_answers_once_without_logging_in(at_follow_up, agent):
    complaint = at_follow_up()
    issued = issue(complaint, agent)
    client = Client(enforce_csrf_checks=True)
    page = client.get(issued.path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "非常满意" in text and "很不满意" in text and "不可" not in text
    assert f"您的投诉 {complaint.reference} 已处理完毕。请告诉我您对处理结果的满意程度" in text  # the template
    assert "Customer unreachable" not in text and "无法联系" not in text
    token = page.cookies["csrftoken"].value
    answered = client.post(
        issued.path, {"result": "basically_satisfied", "comment": "还行", "csrfmiddlewaretoken": token}
    )
    assert answered.status_code == 200 and 'data-answered="basically_satisfied"' in answered.content.decode()
    follow_up = FollowUp.objects.get(complaint=complaint)
    assert (follow_up.method, follow_up.recorded_by, follow_up.result) == (
        FollowUpMethod.LINK,
        None,
        "basically_satisfied",
    )
    complaint.refresh_from_db()
    assert complaint.follow_up_result == "basically_satisfied"
    recorded = AuditEvent.objects.get(complaint=complaint, action="follow_up_recorded")
    assert recorded.actor is None
    assert AuditEvent.objects.filter(
        complaint=complaint, action="follow_up_link_answered", actor=None
    ).exists()

    again = client.post(issued.path, {"result": "very_satisfied", "csrfmiddlewaretoken": token})
    assert again.status_code == 410 and 'data-refusal="link_used"' in again.content.decode()
    assert client.get(issued.path).status_code == 410
    assert FollowUp.objects.count() == 1


def test_the_form_is_csrf_protected(at_follow_up, agent):
    issued = issue(at_follow_up(), agent)
    client = Client(enforce_csrf_checks=True)
    assert client.post(issued.path, {"result": "satisfied"}).status_code == 403
    assert FollowUp.objects.count() == 0


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature altered
        lambda token: ("X" if token[0] != "X" else "Y") + token[1:],  # nonce altered (1 in 64 began with X)
        lambda token: signing.TimestampSigner(key="not-our-key", salt=services.SALT, sep=".").sign("forged"),
        lambda token: signing.TimestampSigner(salt=services.SALT, sep=".").sign("never-issued"),
        lambda token: "garbage",
    ],
    ids=["signature", "nonce", "other-key", "never-issued", "garbage"],
)
def test_a_forged_or_altered_link_is_refused(at_follow_up, agent, tamper):
    issued = issue(at_follow_up(), agent)
    forged = tamper(issued.token)
    with pytest.raises(services.LinkRefused) as error:
        answer_follow_up_link(token=forged, result="very_satisfied")
    assert error.value.code == "link_invalid"
    response = Client().get(f"/f/{forged}/")
    assert response.status_code == 410 and 'data-refusal="link_invalid"' in response.content.decode()
    assert FollowUp.objects.count() == 0


def test_an_expired_link_is_refused(at_follow_up, agent):
    issued = issue(at_follow_up(), agent, days=2)
    later = timezone.now() + timedelta(days=2, seconds=1)
    with clock.frozen(later), pytest.raises(services.LinkRefused) as error:
        answer_follow_up_link(token=issued.token, result="satisfied")
    assert error.value.code == "link_expired"
    FollowUpLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(issued.path)
    assert response.status_code == 410 and 'data-refusal="link_expired"' in response.content.decode()
    assert FollowUp.objects.count() == 0


def test_a_token_older_than_the_longest_validity_fails_its_signature(at_follow_up, agent, monkeypatch):
    issued = issue(at_follow_up(), agent)
    FollowUpLink.objects.update(expires_at=timezone.now() + timedelta(days=365))
    real = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() + (services.MAX_LINK_DAYS + 1) * 86400)
    with pytest.raises(services.LinkRefused) as error:
        services.follow_up_link_check(issued.token)
    assert error.value.code == "link_expired"


def test_a_link_is_refused_once_the_complaint_left_the_follow_up_stage(at_follow_up, agent):
    complaint = at_follow_up()
    issued = issue(complaint, agent)
    record_follow_up(complaint=complaint, actor=agent, result="unreachable")  # the link stays live

    move_stage(complaint=complaint, actor=agent, to="closed")
    with pytest.raises(services.LinkRefused) as error:
        answer_follow_up_link(token=issued.token, result="satisfied")
    assert error.value.code == "link_not_open"


def test_the_customer_cannot_claim_to_be_unreachable(at_follow_up, agent):
    issued = issue(at_follow_up(), agent)
    with pytest.raises(ComplaintError):
        answer_follow_up_link(token=issued.token, result="unreachable")
    assert FollowUpLink.objects.get().used_at is None


def test_a_dissatisfied_answer_through_the_link_reopens_to_the_team_lead(at_follow_up, agent, lead):
    complaint = at_follow_up()
    issued = issue(complaint, agent)
    answer_follow_up_link(token=issued.token, result="dissatisfied", comment="退款没到账")
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.stage, complaint.reopen_count, complaint.follow_up_result) == ("listen", 1, "")
    escalation = Escalation.objects.get(complaint=complaint, status="open")
    assert escalation.assigned_to == lead and escalation.raised_by is None
    reopened = AuditEvent.objects.get(complaint=complaint, action="reopened")
    assert reopened.actor is None and "退款没到账" in reopened.note
    link = FollowUpLink.objects.get()
    assert link.used_at is not None and link.follow_up.result == "dissatisfied"


def test_the_public_page_is_rate_limited(at_follow_up, agent, settings):
    settings.KESU_FOLLOWUP_RATE_LIMIT = 3
    client = Client()
    codes = [client.get("/f/not-a-token/").status_code for _ in range(4)]
    assert codes == [410, 410, 410, 429]


# --- the API ----------------------------------------------------------------------------------------


def test_the_agent_records_a_follow_up_through_the_api(at_follow_up, agent, other_agent, api):
    complaint = at_follow_up()
    url = f"/api/v1/complaints/{complaint.reference}/follow-ups/"
    assert api(other_agent).post(url, {"result": "satisfied"}, format="json").status_code == 404
    assert api().post(url, {"result": "satisfied"}, format="json").status_code in (401, 403)
    bad = api(agent).post(url, {"result": "meh"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    response = api(agent).post(url, {"result": "very_satisfied", "comment": "谢谢"}, format="json")
    assert response.status_code == 201 and response.json()["recorded_by"] == "agent"
    assert [row["result"] for row in api(agent).get(url).json()] == ["very_satisfied"]


def test_the_agent_issues_a_link_through_the_api(at_follow_up, agent, api):
    complaint = at_follow_up()
    response = api(agent).post(
        f"/api/v1/complaints/{complaint.reference}/follow-up-links/", {"days": 3}, format="json"
    )
    assert response.status_code == 201
    url = response.json()["url"]
    assert (
        url.startswith("http://testserver/f/")
        and Client().get(url.removeprefix("http://testserver")).status_code == 200
    )


def test_work_orders_are_opened_and_completed_with_an_audit_trail(make_complaint, agent, other_agent, api):
    complaint = make_complaint()
    from kesu.complaints.services import complaint_accept

    complaint_accept(complaint=complaint, actor=agent)
    due = (timezone.now() + timedelta(hours=24)).isoformat()
    url = f"/api/v1/complaints/{complaint.reference}/work-orders/"
    created = api(agent).post(
        url, {"department": "物流部", "description": "核实快递丢件", "due_at": due}, format="json"
    )
    assert created.status_code == 201 and created.json()["on_time"] is None
    order_id = created.json()["id"]
    assert (
        api(other_agent)
        .post(f"/api/v1/work-orders/{order_id}/complete/", {"result": "x"}, format="json")
        .status_code
        == 404
    )
    done = api(agent).post(f"/api/v1/work-orders/{order_id}/complete/", {"result": "已补发"}, format="json")
    assert done.status_code == 200 and done.json()["on_time"] is True
    again = api(agent).post(f"/api/v1/work-orders/{order_id}/complete/", {"result": "再次"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "work_order_done"
    actions = set(complaint.audit_events.values_list("action", flat=True))
    assert {"work_order_opened", "work_order_completed"} <= actions
    with pytest.raises(ComplaintError) as error:
        services.work_order_open(
            complaint=complaint,
            actor=agent,
            department="x",
            description="y",
            due_at=timezone.now() - timedelta(hours=1),
        )
    assert error.value.code == "due_in_past"

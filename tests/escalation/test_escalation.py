"""Escalation: automatic at intake and by hand, a compiled package, the owner kept involved,
de-escalation and outcomes, approvals above authority."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kesu.complaints import services as complaints
from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.complaints.models import AuditEvent
from kesu.escalation import services
from kesu.escalation.automatic import escalate_on_intake
from kesu.escalation.models import ApprovalRequest, Escalation
from kesu.handling.conversation import add_message
from kesu.handling.solution import decide_approval, record_solution
from kesu.notifications.models import OutboxMessage, WebhookEndpoint

pytestmark = pytest.mark.django_db

THREAT = "手机用一周就坏了，你们再推脱我就请律师起诉，还要去12315投诉！"


def test_a_complaint_threatening_court_escalates_to_the_team_lead_at_intake(make_complaint, lead):
    complaint = make_complaint(text=THREAT)
    escalation = Escalation.objects.get(complaint=complaint)
    assert escalation.level_code == "team_lead" and escalation.assigned_to == lead
    assert escalation.reason in {"legal", "regulator"} and escalation.raised_by is None
    assert {t["code"] for t in escalation.triggers} >= {"legal", "regulator"}
    package = escalation.package
    assert package["customer"]["name"] == "张*" and package["problem"]["text"].startswith("手机用一周")
    assert package["timeline"][0]["action"] == "created" and package["evidence"]["escalation"]["level"]
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1 and complaint.owner is None
    assert AuditEvent.objects.filter(complaint=complaint, action="escalated").count() == 1


def test_the_escalation_goes_to_the_least_loaded_lead_of_the_team_first(make_complaint, lead, other_lead):
    from tests.factories import UserFactory

    # Another team's lead with nothing to do is passed over for the complaint's own team.
    assert Escalation.objects.get(complaint=make_complaint(text=THREAT)).assigned_to == lead
    second = UserFactory(username="lead2", team=lead.team, role="team_lead")  # joins: seen at once
    assert Escalation.objects.get(complaint=make_complaint(text=THREAT)).assigned_to == second
    assert Escalation.objects.get(complaint=make_complaint(text=THREAT)).assigned_to == lead
    lead.is_active = False
    lead.save()  # leaves: seen at once
    assert Escalation.objects.get(complaint=make_complaint(text=THREAT)).assigned_to == second
    second.groups.clear()
    assert Escalation.objects.get(complaint=make_complaint(text=THREAT)).assigned_to == other_lead


def test_a_calm_complaint_is_not_escalated(make_complaint):
    complaint = make_complaint(text="请问我的快递到哪里了？单号查不到。")
    assert not Escalation.objects.filter(complaint=complaint).exists()


def test_automatic_escalation_happens_once_per_level(make_complaint):
    complaint = make_complaint(text=THREAT)
    assert escalate_on_intake(complaint) is None
    assert Escalation.objects.filter(complaint=complaint).count() == 1


def test_by_hand_with_a_reason_up_the_ladder_while_the_owner_stays(make_complaint, agent, lead, manager):
    complaint = complaints.complaint_accept(complaint=make_complaint(), actor=agent)
    with pytest.raises(ComplaintError):
        services.escalate_complaint(complaint=complaint, actor=agent, reason="manual", note=" ")
    first = services.escalate_complaint(
        complaint=complaint, actor=agent, reason="manual", note="客户要求见主管"
    )
    assert first.level_code == "team_lead" and first.assigned_to == lead and first.raised_by == agent
    second = services.escalate_complaint(
        complaint=complaint, actor=lead, reason="manual", note="涉及大额赔偿"
    )
    assert second.level_code == "manager" and second.assigned_to == manager
    complaint.refresh_from_db()
    assert complaint.owner == agent and complaint.escalation_level == 2


def test_other_teams_cannot_escalate(make_complaint, other_agent):
    with pytest.raises(PermissionRefused):
        services.escalate_complaint(complaint=make_complaint(), actor=other_agent, reason="manual", note="x")


def test_de_escalation_and_outcome_are_recorded_by_the_level_that_holds_it(
    make_complaint, agent, agent2, lead
):
    complaint = make_complaint(text=THREAT)
    escalation = Escalation.objects.get(complaint=complaint)
    with pytest.raises(PermissionRefused):
        services.escalation_de_escalate(escalation=escalation, actor=agent2, note="x")
    services.escalation_de_escalate(escalation=escalation, actor=lead, note="客户情绪已平复，交回坐席处理")
    escalation.refresh_from_db()
    complaint.refresh_from_db()
    assert escalation.status == "de_escalated" and complaint.escalation_level == 0
    with pytest.raises(ComplaintError):
        services.escalation_resolve(escalation=escalation, actor=lead, outcome="again")
    assert AuditEvent.objects.filter(complaint=complaint, action="de_escalated").exists()


def test_a_proposal_above_the_agents_authority_waits_for_the_team_lead(make_complaint, agent, lead):
    complaint = complaints.complaint_accept(complaint=make_complaint(), actor=agent)
    approval = services.approval_request(
        complaint=complaint,
        actor=agent,
        solution_type="compensation",
        text="补偿3000元，3个工作日内到账",
        amount=Decimal("3000"),
    )
    escalation = Escalation.objects.get(complaint=complaint)
    assert escalation.reason == "authority" and escalation.assigned_to == lead
    with pytest.raises(PermissionRefused):
        decide_approval(approval=approval, actor=agent, approve=True)
    decide_approval(approval=approval, actor=lead, approve=True)
    complaint.refresh_from_db()
    assert complaint.solution_amount == Decimal("3000") and complaint.solution_type == "compensation"
    assert ApprovalRequest.objects.get().decided_by == lead


def test_an_amount_above_the_team_leads_authority_goes_to_the_manager(make_complaint, agent, lead, manager):
    complaint = complaints.complaint_accept(complaint=make_complaint(), actor=agent)
    approval = services.approval_request(
        complaint=complaint,
        actor=agent,
        solution_type="compensation",
        text="补偿2万元",
        amount=Decimal("20000"),
    )
    assert Escalation.objects.get(complaint=complaint).level_code == "manager"
    with pytest.raises(PermissionRefused):
        decide_approval(approval=approval, actor=lead, approve=True)
    with pytest.raises(ComplaintError):
        decide_approval(approval=approval, actor=manager, approve=False, note="")
    decide_approval(approval=approval, actor=manager, approve=False, note="超出补偿标准，建议换新")
    assert ApprovalRequest.objects.get().status == "rejected"


def test_a_cash_refund_needs_a_reason_bill_credit_comes_first(make_complaint, agent):
    complaint = complaints.complaint_accept(complaint=make_complaint(), actor=agent)
    with pytest.raises(ComplaintError) as error:
        record_solution(
            complaint=complaint,
            actor=agent,
            solution_type="refund",
            text="退款100元",
            amount=Decimal("100"),
            refund_method="cash",
        )
    assert error.value.code == "cash_reason_required"
    complaint = record_solution(
        complaint=complaint,
        actor=agent,
        solution_type="refund",
        text="退款100元",
        amount=Decimal("100"),
        refund_method="cash",
        cash_reason="客户已销户，无法返还话费",
    )
    assert complaint.refund_method == "cash"


def test_escalations_reach_subscribed_systems_through_the_outbox(make_complaint):
    WebhookEndpoint.objects.create(name="crm", url="http://127.0.0.1:9/hook", secret="s3cret", event_types=[])
    complaint = make_complaint(text=THREAT)
    message = OutboxMessage.objects.get(complaint=complaint, channel="webhook")
    assert "complaint.escalated" in str(message.payload)


def test_the_escalation_api(api, make_complaint, agent, lead):
    complaint = complaints.complaint_accept(complaint=make_complaint(), actor=agent)
    base = f"/api/v1/complaints/{complaint.reference}/"
    assert api(agent).post(f"{base}escalate/", {}, format="json").status_code == 400
    created = api(agent).post(f"{base}escalate/", {"note": "客户要求见主管"}, format="json")
    assert created.status_code == 201 and created.json()["assigned_to"] == "lead"
    waiting = api(lead).get("/api/v1/escalations/", {"mine": "true"}).json()["results"]
    assert [e["complaint"] for e in waiting] == [complaint.reference]
    resolved = api(lead).post(
        f"/api/v1/escalations/{waiting[0]['id']}/resolve/", {"text": "已致电客户并道歉"}, format="json"
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    approval = api(agent).post(
        f"{base}approval-requests/",
        {"solution_type": "compensation", "text": "补偿800元", "amount": "800"},
        format="json",
    )
    assert approval.status_code == 201
    decided = api(lead).post(
        f"/api/v1/approvals/{approval.json()['id']}/decide/", {"approve": True}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"


def test_the_level_escalated_to_can_talk_to_the_customer(make_complaint, agent, team):
    from tests.factories import UserFactory

    legal = UserFactory(username="legal", team=None, role="legal_pr")
    complaint = complaints.complaint_accept(complaint=make_complaint(), actor=agent)
    with pytest.raises(PermissionRefused):
        add_message(complaint=complaint, actor=legal, body="您好，我是法务部的")
    services.escalate_complaint(
        complaint=complaint, actor=agent, reason="manual", note="涉及诉讼", to_level=3
    )
    message = add_message(complaint=complaint, actor=legal, body="您好，我是法务部的，由我来跟进")
    assert message.author == legal
    complaint.refresh_from_db()
    assert complaint.owner == agent


def test_a_team_lead_already_on_the_complaint_decides_and_the_decision_closes_the_escalation(
    make_complaint, agent, lead, manager
):
    # escalated to the lead at intake (legal risk)
    complaint = complaints.complaint_accept(complaint=make_complaint(text=THREAT), actor=agent)
    approval = services.approval_request(
        complaint=complaint,
        actor=agent,
        solution_type="compensation",
        text="补偿3000元，3个工作日内到账",
        amount=Decimal("3000"),
        reason="客户损失较大",
    )
    # Not passed over to the manager: the lead on it has the authority.
    assert approval.assigned_to == lead and approval.escalation is None
    assert not Escalation.objects.filter(complaint=complaint, level_code="manager").exists()

    plain = complaints.complaint_accept(complaint=make_complaint(), actor=agent)
    second = services.approval_request(
        complaint=plain,
        actor=agent,
        solution_type="refund",
        text="现金退款3000元",
        amount=Decimal("3000"),
        refund_method="cash",
        cash_reason="客户已销户，无法返还话费",
    )
    assert second.assigned_to == lead and second.escalation.reason == "authority"
    decide_approval(approval=second, actor=lead, approve=True, note="同意")
    second.escalation.refresh_from_db()
    assert second.escalation.status == "resolved" and second.escalation.closed_by == lead
    plain.refresh_from_db()
    assert plain.refund_method == "cash" and plain.solution_amount == Decimal("3000")


def test_a_cash_refund_for_approval_needs_its_reason_too(make_complaint, agent):
    complaint = complaints.complaint_accept(complaint=make_complaint(), actor=agent)
    with pytest.raises(ComplaintError) as refused:
        services.approval_request(
            complaint=complaint,
            actor=agent,
            solution_type="refund",
            text="现金退款3000元",
            amount=Decimal("3000"),
            refund_method="cash",
        )
    assert refused.value.code == "cash_reason_required"


def test_closing_a_complaint_resolves_its_open_escalations(make_complaint, agent, lead):
    from kesu.handling.stages import move

    complaint = complaints.complaint_accept(complaint=make_complaint(), actor=agent)
    services.escalate_complaint(complaint=complaint, actor=agent, reason="manual", note="客户要求见主管")
    type(complaint).objects.filter(pk=complaint.pk).update(
        stage="follow_up", solution_type="apology", solution_text="致歉"
    )
    complaint.refresh_from_db()
    complaints.complaint_set_close_reason(complaint=complaint, actor=agent, reason="客户撤诉")
    move(complaint=complaint, actor=agent, to="closed")
    escalation = Escalation.objects.get(complaint=complaint)
    assert escalation.status == "resolved" and escalation.closed_at is not None
    assert AuditEvent.objects.filter(complaint=complaint, action="escalation_resolved").exists()

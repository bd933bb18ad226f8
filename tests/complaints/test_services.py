"""The services: intake, ownership, the guarded workflow, stamps and the audit trail."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from kesu.append_only import AppendOnlyError
from kesu.complaints import clock, services
from kesu.complaints.errors import ComplaintError, Conflict, PermissionRefused
from kesu.complaints.models import AuditEvent, Complaint, Message
from kesu.complaints.services import intake as intake_services
from kesu.handling.conversation import add_message
from kesu.handling.solution import record_solution
from kesu.handling.stages import move as move_stage

pytestmark = pytest.mark.django_db


def walk_to(complaint, actor, target):
    """Do what each stage asks, like an agent would, up to ``target``."""
    from kesu.complaints.workflow_config import checklist_for

    order = ["listen", "confirm", "propose", "agree", "act", "follow_up", "closed"]
    if complaint.owner_id is None:
        complaint = services.complaint_accept(complaint=complaint, actor=actor)
    for stage in order[order.index(complaint.stage) + 1 : order.index(target) + 1]:
        for item in checklist_for(complaint.stage_enum):
            if item.required and item.code not in complaint.checklist_done:
                complaint = services.complaint_check_item(complaint=complaint, actor=actor, item=item.code)
        if stage == "agree":
            complaint = record_solution(
                complaint=complaint, actor=actor, solution_type="replacement", text="48小时内更换新机"
            )
        if stage == "act":
            complaint = services.complaint_record_agreement(
                complaint=complaint, actor=actor, note="客户同意换机"
            )
        if stage == "closed":
            complaint = services.complaint_record_follow_up(
                complaint=complaint, actor=actor, result="satisfied"
            )
        complaint = move_stage(complaint=complaint, actor=actor, to=stage)
    return complaint


def test_intake_records_the_complaint_its_first_message_and_an_audit_event(make_complaint, agent):
    complaint = make_complaint(order_number="2026112300001", demand_type="replacement")
    assert complaint.reference.startswith("KS")
    assert complaint.stage == "accept" and complaint.owner is None and complaint.team == agent.team
    assert "recorded" in complaint.checklist_done
    message = Message.objects.get(complaint=complaint)
    assert message.kind == "customer" and message.body == complaint.text
    event = AuditEvent.objects.get(complaint=complaint)
    assert event.action == "created" and event.actor == agent


@pytest.mark.parametrize(
    ("channel", "source", "escalated"),
    [
        ("phone", "customer", False),
        ("web", "regulator_miit", True),  # a referral from 工信部 is an escalated complaint
        ("referral", "headquarters", True),
        ("walk_in", "customer", True),
        ("letter", "customer", True),
    ],
)
def test_referrals_from_above_walk_ins_and_letters_are_escalated_complaints(
    make_complaint, channel, source, escalated
):
    complaint = make_complaint(channel=channel, source=source)
    assert complaint.escalated_complaint is escalated
    if source != "customer":
        assert complaint.channel == "referral"


def test_intake_refuses_empty_words_and_another_teams_complaint(make_complaint, other_team):
    with pytest.raises(ComplaintError) as error:
        make_complaint(text="   ")
    assert error.value.code == "text_required"
    with pytest.raises(PermissionRefused):
        make_complaint(team=other_team)
    assert Complaint.objects.count() == 0


def test_the_accepting_agent_becomes_and_stays_owner(make_complaint, agent, agent2):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    assert complaint.owner == agent and complaint.stage == "listen" and complaint.accepted_at
    with pytest.raises(Conflict):
        services.complaint_accept(complaint=complaint, actor=agent2)
    with pytest.raises(PermissionRefused):
        move_stage(complaint=complaint, actor=agent2, to="confirm")


def test_an_agent_of_another_team_cannot_accept(make_complaint, other_agent):
    with pytest.raises(PermissionRefused):
        services.complaint_accept(complaint=make_complaint(), actor=other_agent)


def test_refusals_say_why_in_the_users_language(make_complaint, agent):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    with pytest.raises(ComplaintError) as error:
        move_stage(complaint=complaint, actor=agent, to="confirm")
    assert error.value.code == "checklist_incomplete"
    assert "Required checklist items are not done" in error.value.message
    with translation.override("zh-hans"), pytest.raises(ComplaintError) as error:
        move_stage(complaint=complaint, actor=agent, to="confirm")
    assert "必做的检查项尚未完成" in error.value.message
    assert "让客户说完" in error.value.message  # the item's own (admin-editable) label


def test_first_reply_and_effective_solution_are_stamped_by_the_acts(make_complaint, agent):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    add_message(complaint=complaint, actor=agent, body="内部记录：客户情绪激动", kind="note")
    complaint.refresh_from_db()
    assert complaint.first_reply_at is None  # an internal note is not a reply
    at = timezone.now() + timedelta(minutes=3)
    with clock.frozen(at):
        add_message(complaint=complaint, actor=agent, body="您好，我是王小雨，我来负责处理。")
    complaint.refresh_from_db()
    assert complaint.first_reply_at == at
    add_message(complaint=complaint, actor=agent, body="第二条回复")
    complaint.refresh_from_db()
    assert complaint.first_reply_at == at
    complaint = record_solution(
        complaint=complaint,
        actor=agent,
        solution_type="refund",
        text="3个工作日内退回话费账户",
        amount=Decimal("100"),
        refund_method="bill_credit",
    )
    assert complaint.effective_solution_at is not None


def test_compensation_above_the_agents_authority_is_refused(make_complaint, agent, lead):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    with pytest.raises(ComplaintError) as error:
        record_solution(
            complaint=complaint, actor=agent, solution_type="compensation", text="补偿", amount=Decimal("600")
        )
    assert error.value.code == "above_authority"
    complaint = record_solution(
        complaint=complaint,
        actor=lead,
        solution_type="compensation",
        text="补偿600元，3日内到账",
        amount=Decimal("600"),
    )
    assert complaint.solution_amount == Decimal("600")


def test_a_refund_must_say_how_it_is_paid(make_complaint, agent):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    with pytest.raises(ComplaintError) as error:
        record_solution(complaint=complaint, actor=agent, solution_type="refund", text="退款")
    assert error.value.code == "refund_method_required"


def test_the_whole_method_to_closure_is_in_the_audit_trail(make_complaint, agent):
    complaint = walk_to(make_complaint(), agent, "closed")
    assert complaint.stage == "closed" and complaint.closed_at and complaint.resolved_at
    actions = list(AuditEvent.objects.filter(complaint=complaint).values_list("action", flat=True))
    assert actions[0] == "created" and actions[1] == "accepted"
    assert actions.count("stage_changed") == 6
    assert {"solution_recorded", "agreement_recorded", "follow_up_recorded", "checklist"} <= set(actions)
    closing = AuditEvent.objects.filter(complaint=complaint, action="stage_changed").last()
    assert closing.changes["stage"] == ["follow_up", "closed"] and closing.actor == agent


def test_no_close_without_a_follow_up_result_or_a_reason(make_complaint, agent):
    complaint = walk_to(make_complaint(), agent, "follow_up")
    with pytest.raises(ComplaintError) as error:
        move_stage(complaint=complaint, actor=agent, to="closed")
    assert [d["code"] for d in error.value.details] == ["follow_up_or_reason_required"]
    services.complaint_set_close_reason(complaint=complaint, actor=agent, reason="客户明确拒绝回访")
    assert move_stage(complaint=complaint, actor=agent, to="closed").stage == "closed"


def test_reopening_needs_a_reason_and_is_counted(make_complaint, agent):
    complaint = walk_to(make_complaint(), agent, "closed")
    with pytest.raises(ComplaintError):
        move_stage(complaint=complaint, actor=agent, to="listen")
    complaint = move_stage(complaint=complaint, actor=agent, to="listen", reason="客户来电问题复发")
    assert complaint.stage == "listen" and complaint.reopen_count == 1 and complaint.closed_at is None
    reopened, restarted = AuditEvent.objects.filter(complaint=complaint).order_by("-id")[:2][::-1]
    assert reopened.action == "reopened" and reopened.note == "客户来电问题复发"
    assert restarted.action == "sla_restarted"  # the reopened complaint's clocks run again


def test_transfer_is_explicit_reasoned_and_audited(make_complaint, agent, agent2, lead):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    with pytest.raises(ComplaintError):
        services.complaint_transfer(complaint=complaint, actor=agent, to_user=agent2, reason=" ")
    with pytest.raises(PermissionRefused):  # a colleague cannot take it over
        services.complaint_transfer(complaint=complaint, actor=agent2, to_user=agent2, reason="我来")
    complaint = services.complaint_transfer(
        complaint=complaint, actor=lead, to_user=agent2, reason="王小雨休假"
    )
    assert complaint.owner == agent2
    event = AuditEvent.objects.filter(complaint=complaint, action="transferred").get()
    assert (
        event.changes["owner"] == ["agent", "agent2"] and event.note == "王小雨休假" and event.actor == lead
    )


def test_admins_rename_stages_and_edit_checklists_without_code(make_complaint, agent):
    from kesu.complaints.models import ChecklistItemConfig, StageConfig
    from kesu.complaints.workflow_config import stage_label

    listen = StageConfig.objects.get(stage="listen")
    listen.name = "倾听安抚"
    listen.save()
    ChecklistItemConfig.objects.filter(stage=listen).update(required=False)
    ChecklistItemConfig.objects.create(stage=listen, code="asked_name", label="询问称呼", required=True)
    with translation.override("zh-hans"):
        assert (
            stage_label(
                listen.stage_enum
                if hasattr(listen, "stage_enum")
                else __import__("kesu.core.workflow", fromlist=["Stage"]).Stage("listen")
            )
            == "倾听安抚"
        )
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    with pytest.raises(ComplaintError) as error:
        move_stage(complaint=complaint, actor=agent, to="confirm")
    assert "asked_name" not in error.value.message and "询问称呼" in error.value.message
    services.complaint_check_item(complaint=complaint, actor=agent, item="asked_name")
    assert move_stage(complaint=complaint, actor=agent, to="confirm").stage == "confirm"


def test_the_audit_trail_cannot_be_edited_or_deleted(make_complaint):
    complaint = make_complaint()
    event = AuditEvent.objects.get(complaint=complaint)
    event.note = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(note="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_database_itself_refuses_to_rewrite_the_audit_trail(make_complaint):
    from django.db import DatabaseError, transaction

    complaint = make_complaint()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_auditevent SET note = 'tampered' WHERE complaint_id = %s", [complaint.pk]
        )
    assert AuditEvent.objects.get(complaint=complaint).note == ""


class TestReferenceClash:
    """References are short and random, so two complaints can draw the same one: the second is
    stored under a fresh reference, whole, and nothing of the first attempt is left behind."""

    @pytest.fixture
    def draws(self, monkeypatch):
        drawn: list[str] = []
        queue: list[str] = []
        real = intake_services.new_reference

        def fake(received_at):
            ref = queue.pop(0) if queue else real(received_at)
            drawn.append(ref)
            return ref

        monkeypatch.setattr(intake_services, "new_reference", fake)
        return queue, drawn

    def test_a_taken_reference_is_drawn_again(self, make_complaint, draws):
        queue, drawn = draws
        first = make_complaint()
        queue.append(first.reference)
        second = make_complaint(text="宽带又断了，这是第二件事。", order_number="B-2")
        assert len(drawn) == 3 and drawn[1] == first.reference
        assert second.reference == drawn[2] != first.reference
        assert Complaint.objects.count() == 2
        assert Message.objects.filter(complaint=second).count() == 1
        assert AuditEvent.objects.filter(complaint=second, action="created").count() == 1
        first.refresh_from_db()
        assert first.text.startswith("手机买了一周")

    def test_a_new_customer_of_the_failed_attempt_is_not_left_behind(self, make_complaint, draws, agent):
        from kesu.customers.models import Customer

        queue, _ = draws
        first = make_complaint()
        before = Customer.objects.count()
        queue.append(first.reference)
        second = make_complaint(customer=services.CustomerData(name="王芳", phone="13900001111"))
        assert Customer.objects.count() == before + 1
        assert second.customer.phone == "13900001111" and second.customer.pk is not None

    def test_through_the_api_with_an_idempotency_key(self, agent, draws, api):
        queue, drawn = draws
        client = api(agent)
        body = {"customer": {"name": "李娜"}, "text": "快递丢了一周没人管", "channel": "web"}
        first = client.post("/api/v1/complaints/", body, format="json", HTTP_IDEMPOTENCY_KEY="a")
        queue.append(first.json()["reference"])
        second = client.post(
            "/api/v1/complaints/",
            {**body, "text": "另一件事：扣费不对"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="b",
        )
        assert second.status_code == 201, second.content
        assert second.json()["reference"] == drawn[-1] != first.json()["reference"]
        again = client.post(
            "/api/v1/complaints/",
            {**body, "text": "另一件事：扣费不对"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="b",
        )
        assert again.status_code == 200 and again.json()["reference"] == second.json()["reference"]
        assert Complaint.objects.count() == 2

    def test_another_integrity_error_is_not_retried(self, make_complaint, draws):
        from django.db import IntegrityError

        _, drawn = draws
        make_complaint(external_ref="ROW-1")
        with pytest.raises(IntegrityError):
            make_complaint(external_ref="ROW-1")
        assert len(drawn) == 2  # one draw each: the second failed for its external reference


def test_the_amount_in_the_solutions_words_counts_against_authority(make_complaint, agent):
    """An agent (authority 500) cannot promise 5000 in words and leave the amount empty or low."""
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    for solution_type, amount in (("apology", None), ("compensation", Decimal("100")), ("other", None)):
        with pytest.raises(ComplaintError) as error:
            record_solution(
                complaint=complaint,
                actor=agent,
                solution_type=solution_type,
                text="赔偿客户现金5000元，24小时内到账",
                amount=amount,
            )
        assert error.value.code == "above_authority" and "5000" in error.value.message
    complaint.refresh_from_db()
    assert not complaint.solution_type  # nothing was recorded
    # words that only restate the customer's demand promise nothing
    complaint = record_solution(
        complaint=complaint,
        actor=agent,
        solution_type="explanation",
        text="您要求赔偿五千元，我已记录并向您解释了计费规则",
    )
    assert complaint.solution_type == "explanation"


def test_a_compensating_solution_states_its_amount(make_complaint, agent):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    for solution_type, extra in (("compensation", {}), ("refund", {"refund_method": "account"})):
        with pytest.raises(ComplaintError) as error:
            record_solution(complaint=complaint, actor=agent, solution_type=solution_type, text="全额退款", **extra)
        assert error.value.code == "amount_required"

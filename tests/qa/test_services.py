"""The acts of quality inspection: scoring a complaint's conversation, overrides with reasons,
completing, one appeal decided by a team lead, calibration, sampling, import, the trail."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kesu.append_only import AppendOnlyError
from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.complaints.models import Complaint
from kesu.escalation.models import Escalation
from kesu.followup.models import FollowUp
from kesu.qa import selectors, services
from kesu.qa.models import (
    Inspection,
    InspectionEvent,
    SamplingPlan,
    Scorecard,
    Transcript,
)
from tests.factories import CustomerFactory
from tests.qa.conftest import CUSTOMER_TEXT, close, finish


def test_a_closed_complaints_conversation_is_scored_with_evidence(inspection, closed_complaint, agent):
    assert inspection.agent == agent and inspection.team_id == closed_complaint.team_id
    assert inspection.status == "queued" and inspection.reason == "manual"
    assert inspection.month == timezone.localtime(closed_complaint.closed_at).date().replace(day=1)
    turns = inspection.transcript.turns
    assert turns[0]["speaker"] == "customer" and turns[0]["text"] == CUSTOMER_TEXT
    assert [t["speaker"] for t in turns] == ["customer", "agent", "customer", "agent"]
    results = {r.code: r for r in inspection.results.all()}
    assert results["empathy_apology"].score == 1.0
    evidence = results["empathy_apology"].evidence[0]
    assert turns[evidence["turn"]]["text"][slice(*evidence["span"])] == evidence["text"]
    assert results["response_time"].score == 1.0  # the complaint's clocks were met
    assert results["solution_fit"].score is None and results["solution_fit"].kind == "manual"
    assert inspection.auto_score == inspection.score > 80
    assert inspection.events.get().action == "scored"


def test_inspecting_the_same_complaint_again_returns_the_inspection(inspection, closed_complaint, qa):
    assert services.inspect_complaint(complaint=closed_complaint, actor=qa) == inspection


def test_an_override_needs_a_reason_and_is_in_the_trail(inspection, qa):
    with pytest.raises(ComplaintError) as error:
        services.inspection_score_item(inspection=inspection, actor=qa, code="ask_name", score=0.0)
    assert error.value.code == "reason_required"
    services.inspection_score_item(
        inspection=inspection, actor=qa, code="ask_name", score=0.0, reason="称呼是客户自己报的，坐席未询问"
    )
    result = inspection.results.get(code="ask_name")
    assert result.overridden and result.auto_score == 1.0 and result.score == 0.0 and result.scored_by == qa
    inspection.refresh_from_db()
    assert inspection.score < inspection.auto_score and inspection.inspector == qa
    event = inspection.events.get(action="item_overridden")
    assert event.changes["ask_name.score"] == [1.0, 0.0] and "score" in event.changes
    assert event.note.startswith("称呼")


def test_confirming_an_assisted_score_needs_no_reason(inspection, qa):
    auto = inspection.results.get(code="restating").auto_score
    services.inspection_score_item(inspection=inspection, actor=qa, code="restating", score=auto)
    assert not inspection.results.get(code="restating").overridden


def test_scores_are_checked(inspection, qa):
    for bad in (1.5, -0.1, float("nan"), None):
        with pytest.raises(ComplaintError) as error:
            services.inspection_score_item(inspection=inspection, actor=qa, code="solution_fit", score=bad)
        assert error.value.code == "invalid_score"
    with pytest.raises(ComplaintError) as error:
        services.inspection_score_item(inspection=inspection, actor=qa, code="nothing", score=1)
    assert error.value.code == "unknown_item"
    with pytest.raises(ComplaintError) as error:
        services.inspection_score_item(
            inspection=inspection, actor=qa, code="ask_name", score=None, not_applicable=True, reason="x"
        )
    assert error.value.code == "not_applicable_refused"


def test_completing_needs_every_manual_item(inspection, qa):
    with pytest.raises(ComplaintError) as error:
        services.inspection_complete(inspection=inspection, actor=qa)
    assert error.value.code == "items_pending"
    assert {d["item"] for d in error.value.details} == {"solution_fit", "voice_presence", "compliance"}
    services.inspection_score_item(
        inspection=inspection,
        actor=qa,
        code="voice_presence",
        score=None,
        not_applicable=True,
        reason="文字记录",
    )
    services.inspection_score_item(inspection=inspection, actor=qa, code="solution_fit", score=0.75)
    services.inspection_score_item(inspection=inspection, actor=qa, code="compliance", score=1)
    done = services.inspection_complete(inspection=inspection, actor=qa)
    assert done.status == "completed" and done.completed_at and done.inspector == qa
    with pytest.raises(PermissionRefused):  # a completed inspection is closed to scoring
        services.inspection_score_item(inspection=done, actor=qa, code="compliance", score=0)


def test_a_manual_critical_item_failing_fails_the_inspection(inspection, qa):
    done = finish(inspection, qa, compliance=0.0)
    assert done.failed and done.score == 0.0 and done.raw_score > 0


def test_one_appeal_decided_by_the_team_lead(completed, agent, lead, qa):
    appeal = services.appeal_raise(
        inspection=completed, actor=agent, reason="我已询问客户称呼", items=["restating"]
    )
    assert appeal.status == "pending" and appeal.score_before == completed.score
    with pytest.raises(ComplaintError) as error:
        services.appeal_raise(inspection=completed, actor=agent, reason="再申诉一次")
    assert error.value.code == "already_appealed"
    with pytest.raises(PermissionRefused):
        services.appeal_decide(appeal=appeal, actor=qa, upheld=True, note="x")
    with pytest.raises(ComplaintError) as error:
        services.appeal_decide(appeal=appeal, actor=lead, upheld=True, note="改判", scores={"ask_name": 1})
    assert error.value.code == "item_not_appealed"
    decided = services.appeal_decide(
        appeal=appeal, actor=lead, upheld=True, note="复核属实", scores={"restating": 1}
    )
    completed.refresh_from_db()
    assert decided.status == "upheld" and decided.decided_by == lead
    assert decided.score_after == completed.score >= decided.score_before
    result = completed.results.get(code="restating")
    assert result.score == 1.0 and result.overridden and "复核属实" in result.override_reason
    assert [e.action for e in completed.events.all()][-2:] == ["appeal_raised", "appeal_decided"]
    with pytest.raises(PermissionRefused):  # decided once
        services.appeal_decide(appeal=appeal, actor=lead, upheld=False, note="x")


def test_a_rejected_appeal_leaves_the_result(completed, agent, lead):
    appeal = services.appeal_raise(inspection=completed, actor=agent, reason="不同意", items=["ask_name"])
    decided = services.appeal_decide(appeal=appeal, actor=lead, upheld=False, note="评分无误")
    assert decided.status == "rejected" and decided.score_after == decided.score_before


def test_only_the_agent_appeals_and_only_a_completed_result(inspection, agent, agent2, lead):
    with pytest.raises(PermissionRefused):
        services.appeal_raise(inspection=inspection, actor=agent, reason="还没完成")
    with pytest.raises(PermissionRefused):
        services.appeal_raise(inspection=inspection, actor=agent2, reason="不是我的")


def test_a_lead_of_another_team_cannot_decide(completed, agent, other_lead):
    appeal = services.appeal_raise(inspection=completed, actor=agent, reason="请复核")
    with pytest.raises(PermissionRefused):
        services.appeal_decide(appeal=appeal, actor=other_lead, upheld=True, note="x")


def test_the_inspection_trail_is_append_only(inspection):
    event = inspection.events.get()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        InspectionEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE qa_inspectionevent SET note = 'x' WHERE id = %s", [event.pk])


def test_calibration_two_inspectors_and_their_agreement(inspection, qa, qa2):
    calibration = services.calibration_create(
        actor=qa, name="11月校准", transcripts=[inspection.transcript], first=qa, second=qa2
    )
    scorings = {i.inspector: i for i in calibration.inspections.all()}
    assert set(scorings) == {qa, qa2} and all(i.reason == "calibration" for i in scorings.values())
    # Calibration scorings are not official: they do not block the official one, nor count in roll-ups.
    assert Inspection.objects.filter(transcript=inspection.transcript).count() == 3
    with pytest.raises(PermissionRefused):  # each inspector scores only their own calibration scoring
        services.inspection_score_item(inspection=scorings[qa2], actor=qa, code="compliance", score=1)
    finish(scorings[qa], qa)
    services.inspection_score_item(
        inspection=scorings[qa2], actor=qa2, code="restating", score=1.0, reason="完整复述"
    )
    finish(scorings[qa2], qa2, solution_fit=0.5)
    view = selectors.calibration_view(calibration=calibration)
    assert view.done and view.agreement.pairs == 1
    assert view.agreement.by_item["solution_fit"] == (0, 1) and view.agreement.by_item["empathy_apology"] == (
        1,
        1,
    )
    assert 0 < view.agreement.share < 1
    with pytest.raises(ComplaintError):
        services.calibration_create(
            actor=qa, name="x", transcripts=[inspection.transcript], first=qa, second=qa
        )


@pytest.fixture
def month_of_complaints(make_complaint, agent, agent2):
    """Twelve complaints of twelve customers closed this month by two agents; four of them flagged."""
    made = []
    for i in range(12):
        owner = agent if i < 8 else agent2
        made.append(close(make_complaint(text=CUSTOMER_TEXT, customer=CustomerFactory()), owner))
    Complaint.objects.filter(pk=made[0].pk).update(source="regulator_miit")
    Complaint.objects.filter(pk=made[1].pk).update(bad_faith=True)
    Escalation.objects.create(complaint=made[2], level=1, level_code="team_lead", reason="manual")
    FollowUp.objects.create(
        complaint=made[3], method="call", result="very_dissatisfied", team_id=made[3].team_id
    )
    return made


def test_a_sampling_draw_is_reproducible_and_adds_only_what_is_new(
    month_of_complaints, qa, make_complaint, agent
):
    plan = SamplingPlan.objects.create(name="抽检", rate=10, seed="2026")
    month = selectors.parse_month(None)
    draw = services.sample_draw(plan=plan, month=month, actor=qa)
    reasons = dict(Inspection.objects.filter(draw=draw).values_list("complaint_id", "reason"))
    made = month_of_complaints
    assert reasons[made[0].pk] == "regulator" and reasons[made[1].pk] == "bad_faith"
    assert reasons[made[2].pk] == "escalated" and reasons[made[3].pk] == "dissatisfied"
    # ceil(10 % of 8) = 1 random pick for agent (4 of their 8 were flagged), ceil(10 % of 4) = 1 for agent2
    assert sorted(reasons.values()).count("random") == 2
    assert draw.candidates == 12 and draw.picked == 6
    again = services.sample_draw(plan=plan, month=month, actor=qa)
    assert again.pk == draw.pk and again.picked == 6
    assert Inspection.objects.count() == 6
    replay = selectors.sample_candidates(month=month)
    from kesu.core.qa import draw_sample

    assert {p.id for p in draw_sample(replay, rate=0.1, seed="2026")} == set(reasons)


def test_only_inspectors_draw(month_of_complaints, lead):
    plan = SamplingPlan.objects.create(name="抽检", rate=10)
    with pytest.raises(PermissionRefused):
        services.sample_draw(plan=plan, month=selectors.parse_month(None), actor=lead)


def test_complaints_closed_in_another_month_are_not_candidates(make_complaint, agent):
    close(make_complaint(), agent, closed_at=timezone.now() - timedelta(days=70))
    assert selectors.sample_candidates(month=selectors.parse_month(None)) == []


CALLS = {
    "transcripts": [
        {
            "external_ref": "CALL-9",
            "channel": "phone",
            "agent": "agent",
            "turns": [
                {"speaker": "customer", "start": 0, "end": 8, "text": "我的快递丢了，三天没消息！"},
                {"speaker": "agent", "start": 6, "end": 12, "text": "非常抱歉，能告诉我订单号吗？"},
                {"speaker": "customer", "start": 12.5, "end": 16, "text": "订单号 58213377。"},
                {
                    "speaker": "agent",
                    "start": 16.5,
                    "end": 25,
                    "text": "我马上为您申请补发，明天中午12点前发出。感谢您的耐心！",
                },
            ],
        },
        {"external_ref": "CALL-10", "agent": "nobody", "turns": [{"speaker": "agent", "text": "您好"}]},
    ]
}


def test_import_scores_each_call_and_skips_what_it_cannot_place(qa, agent):
    content = json.dumps(CALLS, ensure_ascii=False).encode()
    report = services.transcripts_import(actor=qa, name="calls.json", content=content)
    assert [t.external_ref for t in report.created] == ["CALL-9"]
    assert report.skipped == [
        {"ref": "CALL-10", "code": "unknown_agent", "message": "Unknown agent: nobody."}
    ]
    (inspection,) = report.inspections
    assert inspection.agent == agent and inspection.transcript.channel == "phone"
    assert inspection.results.get(code="interruptions").score == 0.5  # the agent spoke 2 s into the customer
    again = services.transcripts_import(actor=qa, name="calls.json", content=content)
    assert not again.created and again.skipped[0]["code"] == "duplicate"
    assert Transcript.objects.count() == 1


def test_import_of_a_gb18030_csv_attached_to_a_complaint(qa, closed_complaint):
    csv_text = "通话编号,角色,开始时间,结束时间,内容\nC-1,客户,0,5,宽带断了\nC-1,坐席,5.5,9,非常抱歉，我马上安排维修\n"
    report = services.transcripts_import(
        actor=qa,
        name="calls.csv",
        content=csv_text.encode("gb18030"),
        complaint=closed_complaint,
        inspect=False,
    )
    (transcript,) = report.created
    assert transcript.complaint == closed_complaint and transcript.agent == closed_complaint.owner
    assert not report.inspections


def test_import_refusals(qa, agent):
    with pytest.raises(ComplaintError) as error:
        services.transcripts_import(actor=qa, name="x.json", content=b"{oops")
    assert error.value.code == "invalid_json"
    with pytest.raises(PermissionRefused):
        services.transcripts_import(actor=agent, name="x.json", content=b"{}")


def test_a_transcript_file_is_read_in_the_encodings_a_complaint_file_is(qa):
    from kesu.core.imports import Limits, TableRefused, read_rows

    unreadable = b"\xff\xfe\xff call_id"  # neither UTF-8 nor GB18030
    with pytest.raises(ComplaintError) as error:
        services.transcripts_import(actor=qa, name="calls.csv", content=unreadable)
    with pytest.raises(TableRefused) as refused:
        list(read_rows("complaints.csv", io.BytesIO(unreadable), Limits()))
    assert error.value.code == refused.value.code == "bad_encoding"
    assert "GB18030" in error.value.message
    bom = "\ufeff通话编号,角色,开始时间,结束时间,内容\nC-9,客户,0,5,宽带断了\n".encode()  # UTF-8 with a BOM
    (transcript,) = services.transcripts_import(actor=qa, name="calls.csv", content=bom, inspect=False).created
    assert transcript.external_ref == "C-9" and transcript.turns[0]["text"] == "宽带断了"


def test_scorecard_versions_freeze_once_used_and_a_new_version_takes_over(completed):
    first = Scorecard.objects.get(code="default", status="active")
    assert first.in_use
    draft = services.scorecard_new_version(scorecard=first)
    assert draft.version == 2 and draft.status == "draft" and draft.items.count() == first.items.count()
    draft.items.filter(code="next_time").update(weight=0)
    services.scorecard_activate(scorecard=draft)
    first.refresh_from_db()
    assert first.status == "retired" and services.scorecard_in_use() == draft
    assert completed.scorecard == first  # old results stay read against the version that scored them

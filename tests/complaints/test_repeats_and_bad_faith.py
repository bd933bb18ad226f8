"""Repeat complaints are linked and raise priority; only a team lead marks bad faith."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kesu.complaints import services
from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.complaints.models import AuditEvent, Priority

pytestmark = pytest.mark.django_db

FIRST = "宽带断网三天了，打了五次电话都说在处理，到现在也没人上门修。"


def test_the_same_matter_again_is_linked_counted_and_more_urgent(make_complaint):
    first = make_complaint(text=FIRST, received_at=timezone.now() - timedelta(days=6))
    second = make_complaint(text="这是我第二次投诉了，宽带还是断网，上次说三天修好到现在也没修好")
    assert second.repeat_of == first and second.repeat_count == 1
    assert second.priority > first.priority
    third = make_complaint(text="第三次了！宽带断网的问题还是没修好，你们到底管不管")
    assert third.repeat_count == 2 and third.priority == Priority.URGENT
    assert "repeat" in {t["code"] for t in third.analysis["escalation"]["triggers"]}
    event = AuditEvent.objects.get(complaint=third, action="linked_repeat")
    assert event.changes["repeat_count"] == [0, 2]


def test_another_matter_or_an_old_one_is_not_a_repeat(make_complaint):
    make_complaint(text=FIRST, received_at=timezone.now() - timedelta(days=40))
    other = make_complaint(text="信用卡年费没经过我同意就扣了300元，要求退还")
    again = make_complaint(text=FIRST)
    assert other.repeat_of is None and again.repeat_of is None and again.repeat_count == 0


def test_the_same_order_number_links(make_complaint):
    first = make_complaint(text="耳机左边没声音", order_number="2026031512345671")
    second = make_complaint(text="退货申请被拒绝了", order_number="2026031512345671")
    assert second.repeat_of == first


def test_only_a_team_lead_marks_bad_faith_with_a_reason(make_complaint, agent, lead, manager):
    complaint = make_complaint(text="不赔十万我就天天发抖音曝光你们")
    with pytest.raises(PermissionRefused):
        services.complaint_mark_bad_faith(complaint=complaint, actor=agent, reason="索赔过高")
    with pytest.raises(PermissionRefused):
        services.complaint_mark_bad_faith(complaint=complaint, actor=manager, reason="索赔过高")
    with pytest.raises(ComplaintError):
        services.complaint_mark_bad_faith(complaint=complaint, actor=lead, reason=" ")
    complaint = services.complaint_mark_bad_faith(
        complaint=complaint, actor=lead, reason="索赔金额远超标准且威胁曝光"
    )
    assert complaint.bad_faith and complaint.bad_faith_marked_by == lead
    # The mark never stops the handling.
    complaint = services.complaint_accept(complaint=complaint, actor=agent)
    assert complaint.stage == "listen"
    assert AuditEvent.objects.filter(complaint=complaint, action="bad_faith_marked").exists()


def test_bad_faith_signals_are_shown_to_team_leads_not_agents(api, make_complaint, agent, lead):
    complaint = make_complaint(text="不赔十万我就天天发抖音曝光你们，让你们身败名裂")
    url = f"/api/v1/complaints/{complaint.reference}/"
    assert "bad_faith" in api(lead).get(url).json()["analysis"]
    assert "bad_faith" not in api(agent).get(url).json()["analysis"]
    response = api(lead).post(f"{url}bad-faith/", {"reason": "威胁传播负面信息"}, format="json")
    assert response.status_code == 200 and response.json()["bad_faith"] is True
    assert api(agent).post(f"{url}bad-faith/", {"reason": "x"}, format="json").status_code == 403


def test_analysing_again_keeps_the_repeat_count(make_complaint):
    """A third complaint on the same matter keeps its ``repeat`` trigger when analysed again."""
    make_complaint(text=FIRST, received_at=timezone.now() - timedelta(days=6))
    make_complaint(text="这是我第二次投诉了，宽带还是断网，上次说三天修好到现在也没修好")
    third = make_complaint(text="第三次了！宽带断网的问题还是没修好，你们到底管不管")
    assert "repeat" in {t["code"] for t in third.analysis["escalation"]["triggers"]}
    services.complaint_reanalyse(complaint_id=third.pk)
    third.refresh_from_db()
    assert "repeat" in {t["code"] for t in third.analysis["escalation"]["triggers"]}
    assert not AuditEvent.objects.filter(complaint=third, action="reanalysed").exists()

"""The loop's acts as a user meets them: a due review holds the closing (never the solution), the
owner drafts and submits, a team lead approves; offers are never pushed on an unhappy customer."""

from __future__ import annotations

import pytest

from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.complaints.models import Complaint
from kesu.core.errors import ErrorCode
from kesu.handling.follow_up import record_follow_up
from kesu.handling.stages import move
from kesu.reviews import selectors, services
from kesu.reviews.models import ComplaintTouchpoint, ReviewEvent, ReviewPolicy
from tests.factories import UserFactory
from tests.followup.conftest import walk_to
from tests.reviews.conftest import STAR_L, complete

pytestmark = pytest.mark.django_db


def test_a_regulator_referral_cannot_close_until_its_review_is_submitted(at_follow_up_referral, agent, lead):
    complaint = at_follow_up_referral
    # Solve first: the solution, the agreement and the follow-up stage were all reached.
    assert complaint.stage == "follow_up" and complaint.solution_type
    with pytest.raises(ComplaintError) as refused:
        move(complaint=complaint, actor=agent, to="closed")
    assert refused.value.code == ErrorCode.REVIEW_REQUIRED
    assert "Escalated complaint" in refused.value.message
    assert Complaint.objects.get(pk=complaint.pk).stage == "follow_up"  # nothing half-done

    review = complete(services.review_start(complaint=complaint, actor=agent), agent)
    with pytest.raises(ComplaintError):  # a draft is not enough
        move(complaint=complaint, actor=agent, to="closed")
    services.review_submit(review=review, actor=agent)
    assert move(complaint=complaint, actor=agent, to="closed").stage == "closed"
    # Approval may follow the closing.
    assert services.review_decide(review=review, actor=lead, approve=True).status == "approved"


def test_an_ordinary_complaint_closes_without_a_review(make_complaint, agent):
    from kesu.complaints import services as complaint_services

    complaint = walk_to(make_complaint(), agent, "follow_up")
    complaint_services.complaint_set_close_reason(complaint=complaint, actor=agent, reason="客户不需要回访")
    assert selectors.review_reasons(complaint) == []
    assert move(complaint=complaint, actor=agent, to="closed").stage == "closed"


def test_the_rules_are_admin_configuration(at_follow_up_referral, agent):
    ReviewPolicy.objects.filter(pk=1).update(escalated_complaint=False, triggers=["legal"])
    selectors.forget_policy()
    assert move(complaint=at_follow_up_referral, actor=agent, to="closed").stage == "closed"


def test_a_dissatisfied_follow_up_reopens_and_then_needs_a_review(make_complaint, agent):
    complaint = walk_to(make_complaint(), agent, "follow_up")
    record_follow_up(complaint=complaint, actor=agent, result="dissatisfied", comment="还是经常断")
    complaint.refresh_from_db()
    assert complaint.stage == "listen" and complaint.reopen_count == 1  # the pass-through close ran
    assert [r.value for r in selectors.review_reasons(complaint)] == ["reopened", "dissatisfied"]
    assert complaint in [c for c, _reasons in selectors.reviews_due(user=agent)]


def test_reopening_sends_a_submitted_review_back_to_draft(at_follow_up_referral, agent):
    review = complete(services.review_start(complaint=at_follow_up_referral, actor=agent), agent)
    services.review_submit(review=review, actor=agent)
    complaint = move(complaint=at_follow_up_referral, actor=agent, to="closed")
    move(complaint=complaint, actor=agent, to="listen", reason="客户再次来电")
    review.refresh_from_db()
    assert review.status == "draft"
    assert list(review.events.values_list("action", flat=True)) == [
        "started",
        "saved",
        "submitted",
        "reopened",
    ]


def test_the_review_is_prefilled_from_the_trail_and_suggests_touchpoints(at_follow_up_referral, agent):
    review = services.review_start(complaint=at_follow_up_referral, actor=agent)
    assert review.required and review.reasons == ["escalated_complaint", "trigger"]  # 工信部
    assert "工信部转来" in review.chain["trigger"]["text"]
    assert any(row["kind"] == "event" for row in review.chain["behaviour"])
    assert review.situation.startswith(at_follow_up_referral.customer.name)
    codes = set(
        ComplaintTouchpoint.objects.filter(complaint=at_follow_up_referral).values_list(
            "touchpoint__code", flat=True
        )
    )
    assert {"listen_soothe", "negotiate", "usage"} <= codes  # 态度冷淡, 拒绝解释, 断网


def test_submitting_needs_all_of_star_l_and_a_root_cause(at_follow_up_referral, agent):
    review = services.review_start(complaint=at_follow_up_referral, actor=agent)
    services.review_save(review=review, actor=agent, fields={**STAR_L, "lesson": ""})
    with pytest.raises(ComplaintError) as refused:
        services.review_submit(review=review, actor=agent)
    assert refused.value.code == ErrorCode.REVIEW_INCOMPLETE
    services.review_save(review=review, actor=agent, fields=STAR_L)
    with pytest.raises(ComplaintError) as refused:
        services.review_submit(review=review, actor=agent)
    assert refused.value.code == ErrorCode.ROOT_CAUSE_REQUIRED
    with pytest.raises(ComplaintError) as refused:
        services.review_save(review=review, actor=agent, fields={}, root_causes=["no_such_cause"])
    assert refused.value.code == ErrorCode.UNKNOWN_ROOT_CAUSE


def test_who_may_draft_and_approve(at_follow_up_referral, agent, agent2, lead, other_lead, manager):
    with pytest.raises(PermissionRefused):  # a colleague who does not own it
        services.review_start(complaint=at_follow_up_referral, actor=agent2)
    review = complete(services.review_start(complaint=at_follow_up_referral, actor=agent), agent)
    with pytest.raises(ComplaintError) as refused:
        services.review_decide(review=review, actor=lead, approve=True)
    assert refused.value.code == ErrorCode.REVIEW_NOT_SUBMITTED
    services.review_submit(review=review, actor=agent)
    with pytest.raises(ComplaintError) as refused:
        services.review_decide(review=review, actor=agent, approve=True)  # never one's own
    assert refused.value.code == ErrorCode.OWN_REVIEW
    for outsider in (agent2, other_lead):
        with pytest.raises(PermissionRefused):
            services.review_decide(review=review, actor=outsider, approve=True)
    with pytest.raises(ComplaintError) as refused:
        services.review_decide(review=review, actor=lead, approve=False)
    assert refused.value.code == ErrorCode.REASON_REQUIRED
    returned = services.review_decide(review=review, actor=lead, approve=False, note="根因再具体些")
    assert returned.status == "draft" and returned.return_note == "根因再具体些"
    services.review_submit(review=review, actor=agent)
    assert services.review_decide(review=review, actor=manager, approve=True).approved_by == manager


def test_reviews_are_read_within_the_team(at_follow_up_referral, agent, other_agent, manager):
    review = services.review_start(complaint=at_follow_up_referral, actor=agent)
    trainer = UserFactory(username="trainer", team=None, role="trainer")
    assert selectors.review_get(user=agent, pk=review.pk) == review
    assert selectors.review_get(user=manager, pk=review.pk) == review
    assert selectors.review_get(user=trainer, pk=review.pk) == review
    assert selectors.review_get(user=other_agent, pk=review.pk) is None
    assert list(selectors.review_list(user=other_agent)) == []


def test_the_trail_is_append_only(at_follow_up_referral, agent):
    from kesu.append_only import AppendOnlyError

    services.review_start(complaint=at_follow_up_referral, actor=agent)
    with pytest.raises(AppendOnlyError):
        ReviewEvent.objects.all().update(note="x")


# --- opportunities: 服务不过度 ---------------------------------------------------------------------------


def test_no_business_offer_to_an_angry_customer_or_without_consent(make_complaint, agent):
    complaint = make_complaint(text="你们乱扣话费，我非常生气！太过分了！")
    with pytest.raises(ComplaintError) as refused:
        services.opportunity_record(
            complaint=complaint, actor=agent, kind="business_value", description="推荐融合套餐", consent=True
        )
    assert refused.value.code == ErrorCode.OFFER_NEGATIVE_EMOTION
    # A product improvement is always welcome.
    found = services.opportunity_record(
        complaint=complaint, actor=agent, kind="product_improvement", description="账单增加扣费明细"
    )
    assert found.owner == agent


def test_a_bad_faith_complaint_gets_no_offer(make_complaint, agent):
    complaint = make_complaint(text="请帮我查询一下套餐情况。")
    Complaint.objects.filter(pk=complaint.pk).update(bad_faith=True)
    complaint.refresh_from_db()
    with pytest.raises(ComplaintError) as refused:
        services.opportunity_record(
            complaint=complaint, actor=agent, kind="business_value", description="升级套餐", consent=True
        )
    assert [d["code"] for d in refused.value.details] == [ErrorCode.OFFER_BAD_FAITH]
    with pytest.raises(ComplaintError) as refused:
        services.opportunity_record(
            complaint=make_complaint(text="请帮我查询一下套餐情况。"),
            actor=agent,
            kind="business_value",
            description="升级套餐",
        )
    assert refused.value.code == ErrorCode.OFFER_NO_CONSENT


def test_the_refusal_speaks_chinese_first(at_follow_up_referral, agent):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ComplaintError) as refused:
        move(complaint=at_follow_up_referral, actor=agent, to="closed")
    assert refused.value.message == "此投诉需要复盘（升级投诉、监管/法律/曝光风险）：请提交复盘后再关闭。"


def test_the_api_answers_the_same_refusal_code(api, at_follow_up_referral, agent):
    url = f"/api/v1/complaints/{at_follow_up_referral.reference}/transition/"
    refused = api(agent).post(url, {"to": "closed"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "review_required"


def test_the_review_stages_ticks_are_the_case_reviews_own(make_complaint, agent, client, api):
    """复盘 (the method's last, optional stage): 完成 STAR-L 复盘 and 记录根本原因 are ticked by the
    recorded case review, not by hand, and the stage's checklist links the review."""
    from kesu.complaints import services as complaint_services

    complaint = walk_to(make_complaint(), agent, "follow_up")
    complaint_services.complaint_set_close_reason(complaint=complaint, actor=agent, reason="客户不需要回访")
    complaint = move(complaint=move(complaint=complaint, actor=agent, to="closed"), actor=agent, to="review")
    for item in ("star_l", "root_cause"):
        with pytest.raises(ComplaintError) as refused:
            complaint_services.complaint_check_item(complaint=complaint, actor=agent, item=item)
        assert refused.value.code == ErrorCode.CHECKLIST_ITEM_BY_REVIEW
    assert selectors.review_stage_ticks(complaint) == frozenset()
    client.force_login(agent)
    url = f"/complaints/{complaint.reference}/"
    assert "尚未开始复盘" in client.get(url).content.decode()

    review = services.review_start(complaint=complaint, actor=agent)
    services.review_save(review=review, actor=agent, fields={}, root_causes=["training_gap"])
    assert selectors.review_stage_ticks(complaint) == {"root_cause"}  # STAR-L not submitted yet
    services.review_submit(review=complete(review, agent), actor=agent)
    assert selectors.review_stage_ticks(complaint) == {"star_l", "root_cause"}
    assert list(review.events.values_list("action", flat=True)) == ["started", "saved", "saved", "submitted"]

    html = client.get(url).content.decode()
    assert f'href="/reviews/{review.pk}/"' in html and "由复盘记录完成" in html
    assert 'value="star_l"' not in html  # no tick button for the review's items
    checklist = api(agent).get(f"/api/v1/complaints/{complaint.reference}/").json()["checklist"]
    assert [(row["item"], row["done"], row["by_review"]) for row in checklist] == [
        ("star_l", True, True),
        ("root_cause", True, True),
    ]

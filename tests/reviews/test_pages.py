"""The loop's pages as their users meet them: who sees what, the forms that act, the dashboard's
panel and the report's section, and a bounded number of queries on the list pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from kesu.reviews import services
from kesu.reviews.models import ImprovementAction, Review
from tests.factories import UserFactory
from tests.reviews.conftest import STAR_L

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_owner_drafts_and_submits_from_the_page(at_follow_up_referral, agent):
    client = client_for(agent)
    assert at_follow_up_referral.reference in client.get("/reviews/").content.decode()
    response = client.post(f"/reviews/start/{at_follow_up_referral.reference}/")
    review = Review.objects.get(complaint=at_follow_up_referral)
    assert response.url == f"/reviews/{review.pk}/"
    page = client.get(response.url).content.decode()
    assert "工信部转来" in page and "STAR-L" in page
    client.post(
        f"/reviews/{review.pk}/submit/", {**STAR_L, "root_causes": ["training_gap"], "touchpoints": ["usage"]}
    )
    review.refresh_from_db()
    assert review.status == "submitted"
    assert list(review.root_causes.values_list("code", flat=True)) == ["training_gap"]


def test_an_incomplete_review_is_refused_with_its_message(at_follow_up_referral, agent):
    review = services.review_start(complaint=at_follow_up_referral, actor=agent)
    response = client_for(agent).post(f"/reviews/{review.pk}/submit/", {"situation": "x"}, follow=True)
    assert "请先完成复盘" in response.content.decode()  # the pages speak Chinese first
    review.refresh_from_db()
    assert review.status == "draft"


def test_the_team_lead_approves_and_outsiders_cannot(at_follow_up_referral, agent, lead, other_agent):
    review = services.review_save(
        review=services.review_start(complaint=at_follow_up_referral, actor=agent),
        actor=agent,
        fields=STAR_L,
        root_causes=["training_gap"],
    )
    services.review_submit(review=review, actor=agent)
    assert client_for(other_agent).get(f"/reviews/{review.pk}/").status_code == 404
    client_for(other_agent).post(f"/reviews/{review.pk}/decide/", {"decision": "approve"})
    page = client_for(lead).get(f"/reviews/{review.pk}/").content.decode()
    assert 'id="review-decide"' in page
    client_for(lead).post(f"/reviews/{review.pk}/decide/", {"decision": "approve"})
    review.refresh_from_db()
    assert review.status == "approved" and review.approved_by == lead


def test_actions_are_created_by_leads_and_managers_only(agent, lead, manager):
    body = {
        "title": "沟通培训覆盖到80%",
        "owner": lead.pk,
        "department": "培训部",
        "due_date": "2026-12-31",
        "root_cause": "training_gap",
        "measure_rate": "escalation_rate",
        "measure_root_cause": "training_gap",
    }
    assert client_for(agent).post("/reviews/actions/new/", body).status_code == 403
    response = client_for(manager).post("/reviews/actions/new/", body)
    action = ImprovementAction.objects.get()
    assert response.url == f"/reviews/actions/{action.pk}/"
    assert action.root_cause.code == "training_gap" and action.measure_rate == "escalation_rate"
    client_for(lead).post(f"/reviews/actions/{action.pk}/status/", {"status": "done"})
    action.refresh_from_db()
    assert action.status == "done" and action.done_at is not None
    page = client_for(manager).get(f"/reviews/actions/{action.pk}/").content.decode()
    assert "数据尚不足" in page  # not enough data yet


def test_the_list_pages_answer_in_a_bounded_number_of_queries(
    at_follow_up_referral, agent, manager, django_assert_max_num_queries
):
    services.review_start(complaint=at_follow_up_referral, actor=agent)
    for n in range(3):
        services.action_create(
            actor=manager, title=f"措施{n}", owner=manager, department="x", due_date=date(2026, 12, 1)
        )
    client = client_for(manager)
    client.get("/reviews/journey/")  # warm the per-process configuration
    for url in [
        "/reviews/journey/",
        "/reviews/causes/",
        "/reviews/actions/",
        "/reviews/teams/",
        "/reviews/panel/",
    ]:
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200, url


def test_the_dashboard_loads_the_loop_panel_and_the_report_the_reviews(at_follow_up_referral, agent, manager):
    review = services.review_save(
        review=services.review_start(complaint=at_follow_up_referral, actor=agent),
        actor=agent,
        fields=STAR_L,
        root_causes=["training_gap"],
    )
    client = client_for(manager)
    assert "/reviews/panel/" in client.get("/metrics/").content.decode()
    panel = client.get("/reviews/panel/").content.decode()
    assert "培训不足" in panel and 'id="dashboard-journey"' in panel
    report = client.get("/metrics/report/")
    assert 'id="month-on-month"' in report.content.decode() and "/reviews/report/" in report.content.decode()
    assert f"R-{review.pk}" in client.get("/reviews/report/").content.decode()


def test_an_agent_sees_only_the_own_teams_journey_drill_down(make_complaint, agent, other_agent):
    complaint = make_complaint(text="手机黑屏了")  # 使用
    mine = client_for(agent).get("/reviews/journey/usage/").content.decode()
    assert complaint.reference in mine
    assert complaint.reference not in client_for(other_agent).get("/reviews/journey/usage/").content.decode()


def test_people_outside_the_loop_are_refused(db):
    trainer = UserFactory(username="trainer", team=None, role="trainer")
    assert client_for(trainer).get("/reviews/journey/").status_code == 200  # trainers read the loop
    assert client_for(trainer).post("/reviews/actions/new/", {"title": "x"}).status_code == 403
    nobody = UserFactory(username="nobody", team=None)
    for url in ["/reviews/", "/reviews/journey/", "/reviews/actions/", "/reviews/panel/"]:
        assert client_for(nobody).get(url).status_code == 403, url


def test_opportunity_from_the_review_page_respects_the_guard(at_follow_up_referral, agent):
    review = services.review_start(complaint=at_follow_up_referral, actor=agent)
    response = client_for(agent).post(
        f"/reviews/complaints/{at_follow_up_referral.reference}/opportunities/",
        {"kind": "business_value", "description": "推荐千兆套餐", "next": f"/reviews/{review.pk}/"},
        follow=True,
    )
    assert "客户未同意接收业务推荐" in response.content.decode()


def test_the_pages_are_chinese_first(at_follow_up_referral, agent):
    from django.utils import translation

    review = services.review_start(complaint=at_follow_up_referral, actor=agent)
    with translation.override("zh-hans"):
        page = (
            client_for(agent).get(f"/reviews/{review.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        )
    assert "全链路还原" in page and "情绪曲线" in page and "提交审批" in page


def test_the_complaint_page_says_a_review_is_due(at_follow_up_referral, agent):
    page = client_for(agent).get(f"/complaints/{at_follow_up_referral.reference}/").content.decode()
    assert "关闭前需要复盘" in page and "升级投诉" in page

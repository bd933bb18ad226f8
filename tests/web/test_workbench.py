"""The complaint page guides the agent: analysis with evidence, trajectory, STOP, scripts,
the reply checker as they type and before sending, the urgency-sorted queue, a home per role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kesu.complaints import services
from kesu.complaints.models import Message
from kesu.escalation import services as escalation
from kesu.handling.conversation import add_message

pytestmark = pytest.mark.django_db
ANGRY = "你们这是欺诈！气死我了，再不解决我就去12315投诉，还要找媒体曝光！"


def page(client, complaint):
    return client.get(reverse("web:complaint", args=[complaint.reference])).content.decode()


def test_the_analysis_panel_marks_the_evidence_in_the_customers_words(client, make_complaint, agent):
    complaint = make_complaint(text=ANGRY)
    client.force_login(agent)
    html = page(client, complaint)
    assert '<mark class="evidence">12315</mark>' in html
    assert "升级风险" in html and "愤怒" in html


def test_an_unsure_category_is_shown_as_uncertain(client, make_complaint, agent):
    client.force_login(agent)
    assert "待确认" in page(client, make_complaint(text="我要投诉"))  # nothing says what about
    assert "待确认" not in page(client, make_complaint(text="快递一周了还没送到，物流信息也不更新"))


def test_a_heated_conversation_shows_the_stop_reminder(client, make_complaint, agent):
    complaint = services.complaint_accept(complaint=make_complaint(text="请问我的订单到哪了？"), actor=agent)
    add_message(complaint=complaint, actor=agent, body=ANGRY, kind="customer")
    client.force_login(agent)
    html = page(client, complaint)
    assert "stop-reminder" in html and "<polyline" in html


def test_scripts_are_suggested_for_the_stage(client, make_complaint, agent):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    client.force_login(agent)
    assert "insert-script" in page(client, complaint)


def test_the_reply_checker_flags_blaming_and_suggests_rewrites(client, make_complaint, agent):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    client.force_login(agent)
    url = reverse("web:check-reply", args=[complaint.reference])
    blocked = client.post(
        url, {"body": "规定就是这样，这不是我们的问题"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "finding block" in blocked and "规定就是这样" in blocked
    rewrite = client.post(url, {"body": "很抱歉让您久等了"}, HTTP_HX_REQUEST="true").content.decode()
    assert "非常感谢您的耐心等候" in rewrite
    promise = client.post(url, {"body": "我们会尽快给您处理好"}, HTTP_HX_REQUEST="true").content.decode()
    assert "finding warn" in promise


def test_a_blocked_reply_is_not_sent(client, make_complaint, agent, api):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    client.force_login(agent)
    response = client.post(
        reverse("web:complaint-action", args=[complaint.reference, "message"]),
        {"body": "你自己看合同，规定就是这样", "kind": "agent"},
        follow=True,
    )
    assert "回复未发送" in response.content.decode()
    assert not Message.objects.filter(complaint=complaint, kind="agent").exists()
    via_api = api(agent).post(
        f"/api/v1/complaints/{complaint.reference}/messages/", {"body": "规定就是这样"}, format="json"
    )
    assert via_api.status_code == 400 and via_api.json()["code"] == "reply_blocked"


def test_the_queue_puts_the_nearest_deadline_first(client, make_complaint, agent):
    now = timezone.now()
    later = make_complaint(text="请问什么时候能退款", received_at=now - timedelta(hours=1))
    sooner = make_complaint(text="流量包扣费两次", received_at=now - timedelta(hours=40))
    client.force_login(agent)
    html = client.get(reverse("web:queue")).content.decode()
    assert html.index(sooner.reference) < html.index(later.reference)
    newest = client.get(reverse("web:queue"), {"sort": "received"}).content.decode()
    assert newest.index(later.reference) < newest.index(sooner.reference)


def test_a_team_lead_home_shows_escalations_waiting(client, make_complaint, agent, lead):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    escalation.escalate_complaint(complaint=complaint, actor=agent, reason="manual", note="客户要求见主管")
    client.force_login(lead)
    html = client.get(reverse("web:home")).content.decode()
    section = html[html.index('id="escalations-waiting"') :]
    assert complaint.reference in section[: section.index("</section>")]


def test_the_home_page_queries_are_bounded(client, make_complaint, agent, django_assert_max_num_queries):
    for _ in range(20):
        make_complaint()
    client.force_login(agent)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("web:home")).status_code == 200


def test_the_live_checker_leaves_a_very_long_draft_to_the_check_on_sending(client, make_complaint, agent):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    client.force_login(agent)
    url = reverse("web:check-reply", args=[complaint.reference])
    pasted = "规定就是这样。" + "1" * 6_000
    html = client.post(url, {"body": pasted}, HTTP_HX_REQUEST="true").content.decode()
    assert "5000" in html and "finding" not in html
    sent = client.post(
        reverse("web:complaint-action", args=[complaint.reference, "message"]),
        {"body": pasted[:5_000], "kind": "agent"},
        follow=True,
    )
    assert "回复未发送" in sent.content.decode()


def test_suggested_scripts_are_filled_from_the_complaint_and_scoped_by_team(
    client, make_complaint, agent, other_team
):
    from kesu.complaints import services
    from kesu.scripts.models import Script

    complaint = services.complaint_accept(
        complaint=make_complaint(order_number="DD778899", product="光宽带"), actor=agent
    )
    Script.objects.filter(stage="listen").delete()
    Script.objects.create(stage="listen", title="带占位符", text="{称呼}您好，我是{坐席}，订单{订单号}的{产品}问题{时限}答复您。")
    Script.objects.create(stage="listen", title="别的班组", text="只给二组", team=other_team)
    client.force_login(agent)
    scripts = client.get(reverse("web:complaint", args=[complaint.reference])).context["scripts"]
    assert [s["title"] for s in scripts] == ["带占位符"]
    text = scripts[0]["text"]
    assert text.startswith("张先生/女士您好，我是") and "订单DD778899的光宽带问题" in text
    assert "{" not in text and "前答复您" in text

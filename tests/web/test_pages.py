"""The web pages as a person uses them: Chinese first, permissions on the server, escaping."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kesu.complaints import services
from kesu.complaints.models import Complaint
from kesu.handling.conversation import add_message

pytestmark = pytest.mark.django_db


def test_the_login_page_is_chinese_by_default_and_english_when_chosen(client):
    page = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert page.status_code == 200 and "登录" in page.content.decode()  # Chinese first, even so
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    english = client.get(reverse("web:login"))
    assert "Log in" in english.content.decode() and "登录" not in english.content.decode()


def test_pages_need_a_login(client):
    response = client.get(reverse("web:queue"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_the_queue_shows_the_teams_complaints_with_names_masked(client, make_complaint, agent, other_agent):
    mine = make_complaint()
    theirs = make_complaint(actor=other_agent)
    client.force_login(agent)
    html = client.get(reverse("web:queue")).content.decode()
    assert mine.reference in html and theirs.reference not in html
    assert "张*" in html and "张伟" not in html


def test_queue_queries_are_bounded(client, make_complaint, agent, django_assert_max_num_queries):
    for _ in range(30):
        make_complaint()
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("web:queue"))
    assert response.status_code == 200 and response.context["page"].paginator.count == 30


def test_an_agent_takes_a_complaint_in_through_the_form(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("web:intake"),
        {
            "customer_name": "周杰",
            "phone": "13700000000",
            "channel": "phone",
            "source": "customer",
            "text": "套餐降档一直办不了，营业厅让我找客服，客服让我去营业厅。",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/complaints/{complaint.reference}/"
    )
    assert complaint.created_by == agent and complaint.team == agent.team


def test_an_invalid_form_says_why_in_chinese_and_saves_nothing(client, agent):
    client.force_login(agent)
    response = client.post(reverse("web:intake"), {"customer_name": "", "channel": "phone", "text": ""})
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_accepting_and_a_refused_transition_on_the_complaint_page(client, make_complaint, agent):
    complaint = make_complaint()
    client.force_login(agent)
    url = reverse("web:complaint-action", args=[complaint.reference, "accept"])
    client.post(url)
    complaint.refresh_from_db()
    assert complaint.owner == agent and complaint.stage == "listen"
    response = client.post(
        reverse("web:complaint-action", args=[complaint.reference, "transition"]),
        {"to": "confirm"},
        follow=True,
    )
    assert "必做的检查项尚未完成" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.stage == "listen"


def test_other_teams_complaints_are_not_found_and_qa_cannot_act(client, make_complaint, other_agent, qa):
    complaint = make_complaint()
    client.force_login(other_agent)
    assert client.get(reverse("web:complaint", args=[complaint.reference])).status_code == 404
    client.force_login(qa)
    assert client.get(reverse("web:complaint", args=[complaint.reference])).status_code == 200
    response = client.post(reverse("web:complaint-action", args=[complaint.reference, "accept"]))
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.owner is None


def test_customer_text_is_escaped_everywhere(client, make_complaint, agent):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    complaint = make_complaint(text=f"投诉{attack}")
    add_message(
        complaint=services.complaint_accept(complaint=complaint, actor=agent),
        actor=agent,
        body=attack,
        kind="customer",
    )
    client.force_login(agent)
    for url in (reverse("web:queue"), reverse("web:complaint", args=[complaint.reference])):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_agents_cannot_open_the_import_page(client, agent, lead):
    client.force_login(agent)
    assert client.get(reverse("web:import")).status_code == 403
    client.force_login(lead)
    assert client.get(reverse("web:import")).status_code == 200


def test_the_complaint_page_shows_the_clocks_and_the_queue_their_state(client, make_complaint, agent):
    from datetime import timedelta

    from django.utils import timezone

    from kesu.handling.sweep import sweep

    late = make_complaint(received_at=timezone.now() - timedelta(hours=50))
    sweep()
    client.force_login(agent)
    page = client.get(reverse("web:complaint", args=[late.reference])).content.decode()
    assert "首次回复" in page and "已超时" in page
    queue = client.get(reverse("web:queue")).content.decode()
    assert "sla breached" in queue


def test_pause_escalate_and_bad_faith_from_the_page(client, make_complaint, agent, lead):
    from kesu.escalation.models import Escalation

    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    client.force_login(agent)
    action = lambda name, **data: client.post(  # noqa: E731
        reverse("web:complaint-action", args=[complaint.reference, name]), data, follow=True
    )
    assert "等待客户回复" in action("wait", reason="等客户补充发票").content.decode()
    action("escalate", reason="客户要求见主管")
    assert Escalation.objects.get(complaint=complaint).assigned_to == lead
    assert action("bad_faith", reason="x").status_code == 403
    client.force_login(lead)
    action("bad_faith", reason="索赔远超标准")
    complaint.refresh_from_db()
    assert complaint.bad_faith


def test_the_owner_corrects_intakes_details_audited_with_the_contact_masked(
    client, make_complaint, agent, agent2, lead
):
    from kesu.complaints.models import Category

    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    Complaint.objects.filter(pk=complaint.pk).update(stage="propose")
    fee = Category.objects.get(code="price_fee")
    tariff = Category.objects.get(code="tariff")
    data = {"category": fee.pk, "subcategory": tariff.pk, "priority": 3, "product": "5G套餐"}
    data["email"] = complaint.customer.email
    url = reverse("web:complaint-action", args=[complaint.reference, "details"])
    client.force_login(agent2)  # same team, not the owner
    assert client.post(url, {**data, "phone": "13900000000"}).status_code == 403
    client.force_login(agent)
    page = client.post(url, {**data, "phone": "13900000000"}, follow=True).content.decode()
    assert "退还多收费用" in page  # the catalogue follows the corrected category
    complaint.refresh_from_db()
    assert (complaint.category, complaint.subcategory, complaint.priority) == (fee, tariff, 3)
    assert complaint.product == "5G套餐" and complaint.customer.phone == "13900000000"
    assert not complaint.category_by_analysis
    event = complaint.audit_events.get(action="details_changed")
    assert event.actor == agent and event.changes["category"][1] == "price_fee"
    assert event.changes["customer.phone"][1] == "139****0000" and "customer.email" not in event.changes
    # A sub-category of another category is refused beside the field, the values kept.
    wrong = Category.objects.get(code="slow_response")
    response = client.post(url, {**data, "subcategory": wrong.pk, "product": "宽带"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "该子类不属于所选分类" in html and 'value="宽带"' in html


def test_an_uncertain_category_is_flagged_to_be_confirmed(client, make_complaint, agent):
    complaint = make_complaint(text="你好，我想问一下。")
    Complaint.objects.filter(pk=complaint.pk).update(
        category_by_analysis=True,
        analysis={**complaint.analysis, "category": {"code": "other", "confidence": 0.2, "uncertain": True}},
    )
    client.force_login(agent)
    page = client.get(reverse("web:complaint", args=[complaint.reference])).content.decode()
    assert "待确认" in page


def test_a_refused_reply_or_solution_keeps_what_was_typed_beside_the_field(client, make_complaint, agent):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    client.force_login(agent)
    url = lambda name: reverse("web:complaint-action", args=[complaint.reference, name])  # noqa: E731
    blocked = client.post(url("message"), {"body": "规定就是这样，我也没办法。", "kind": "agent"})
    assert blocked.status_code == 400
    html = blocked.content.decode()
    assert "规定就是这样，我也没办法。</textarea>" in html and "未发送" in html
    Complaint.objects.filter(pk=complaint.pk).update(stage="propose")
    cash = {"solution_type": "refund", "text": "退款200元", "amount": "200", "refund_method": "cash"}
    refused = client.post(url("solution"), cash).content.decode()
    assert 'value="200"' in refused and "退款200元</textarea>" in refused
    assert 'id="id_solution_cash_reason"' in refused and "话费" in refused


def test_search_finds_names_phones_orders_references_and_words_in_messages(
    client, make_complaint, agent, customer
):
    complaint = services.complaint_accept(
        complaint=make_complaint(order_number="DD20261203"), actor=agent
    )
    add_message(complaint=complaint, actor=agent, body="光猫指示灯一直闪红灯", kind="customer")
    from tests.factories import CustomerFactory

    other = make_complaint(customer=CustomerFactory(name="李娜", phone="13911112222"))
    client.force_login(agent)
    found = lambda q: [  # noqa: E731
        c.reference for c in client.get(reverse("web:queue"), {"q": q}).context["page"].object_list
    ]
    assert found("张伟") == [complaint.reference]
    assert found("闪红灯") == [complaint.reference]
    assert found("DD20261203") == [complaint.reference]
    assert found(other.reference) == [other.reference]
    assert found("2222") == [other.reference]


def test_home_badges_count_everything_and_link_to_the_whole_list(client, make_complaint, agent):
    for _ in range(12):
        make_complaint()
    client.force_login(agent)
    page = client.get(reverse("web:home"))
    unaccepted = page.context["sections"]["unaccepted"]
    assert unaccepted["total"] == 12 and len(unaccepted["rows"]) == 10
    html = page.content.decode()
    assert "查看全部" in html and "owner=none&amp;open=true" in html


def test_queue_filters_show_as_chips_and_a_view_is_saved_per_person(client, make_complaint, agent, agent2):
    urgent = make_complaint(priority=4)
    make_complaint()
    client.force_login(agent)
    page = client.get(reverse("web:queue"), {"priority": "4", "owner": "none"})
    assert [r["complaint"] for r in page.context["rows"]] == [urgent]
    chips = page.context["chips"]
    assert [(c["label"], c["value"]) for c in chips] == [("优先级", "紧急"), ("负责人", "待受理")]
    assert "priority" not in chips[0]["remove"] and "owner=none" in chips[0]["remove"]
    client.post(reverse("web:save-view"), {"name": "紧急未受理", "priority": "4", "owner": "none"})
    html = client.get(reverse("web:queue")).content.decode()
    assert "紧急未受理" in html and "owner=none&amp;priority=4" in html
    client.force_login(agent2)
    assert "紧急未受理" not in client.get(reverse("web:queue")).content.decode()


def test_a_team_lead_assigns_several_complaints_at_once(client, make_complaint, agent, agent2, lead, other_agent):
    first, second = make_complaint(), make_complaint()
    theirs = make_complaint(actor=other_agent)
    data = {"complaints": [first.reference, second.reference, theirs.reference], "to_user": agent2.pk}
    client.force_login(agent)
    assert client.post(reverse("web:bulk-transfer"), {**data, "reason": "x"}).status_code == 403
    client.force_login(lead)
    page = client.post(reverse("web:bulk-transfer"), {**data, "reason": "平衡工作量"}, follow=True)
    html = page.content.decode()
    assert "已将 2 件投诉分配给" in html and theirs.reference in html
    for complaint in (first, second):
        complaint.refresh_from_db()
        assert complaint.owner == agent2
        assert complaint.audit_events.filter(action="transferred", actor=lead).exists()
    theirs.refresh_from_db()
    assert theirs.owner is None


def test_the_customers_profile_lists_their_complaints_masked_by_role(client, make_complaint, agent, qa, other_agent):
    from kesu.complaints.models import Complaint as Row

    first = make_complaint()
    second = make_complaint()
    Row.objects.filter(pk=second.pk).update(repeat_of=first, repeat_count=1)
    client.force_login(agent)
    page = client.get(reverse("web:complaint", args=[second.reference])).content.decode()
    assert "重复投诉" in page and f'class="repeat-of">{first.reference}' in page
    profile = client.get(reverse("web:customer", args=[first.customer_id])).content.decode()
    assert first.reference in profile and second.reference in profile and "张伟" in profile
    client.force_login(qa)  # sees every complaint, not the personal data
    profile = client.get(reverse("web:customer", args=[first.customer_id])).content.decode()
    assert "张*" in profile and "张伟" not in profile and first.customer.phone not in profile
    client.force_login(other_agent)  # another team: no complaint of theirs to see
    assert client.get(reverse("web:customer", args=[first.customer_id])).status_code == 404


def test_refusals_and_missing_pages_are_branded_not_debug_pages(client, make_complaint, other_agent, qa):
    client.force_login(other_agent)
    missing = client.get(reverse("web:complaint", args=["KS0000"]))
    assert missing.status_code == 404 and "Kesu 客诉" in missing.content.decode()
    assert "页面不存在" in missing.content.decode()
    client.force_login(qa)
    refused = client.post(reverse("web:complaint-action", args=[make_complaint().reference, "accept"]))
    assert refused.status_code == 403 and 'data-status="403"' in refused.content.decode()


def _rich(make_complaint, agent, n: int):
    """A complaint with n messages, approvals and work orders, and n other complaints of its customer."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from kesu.escalation.services import approval_request
    from kesu.followup.services import work_order_open

    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    for i in range(n):
        make_complaint()
        add_message(complaint=complaint, actor=agent, body=f"客户补充说明{i}", kind="customer")
        approval_request(
            complaint=complaint, actor=agent, solution_type="compensation", text="补偿", amount=Decimal(600 + i)
        )
        work_order_open(
            complaint=complaint, actor=agent, department="网络部", description="检修",
            due_at=timezone.now() + timedelta(days=1),
        )
    return complaint


@pytest.mark.parametrize("page", ["complaint", "approvals", "customer", "notifications"])
def test_page_queries_do_not_grow_with_the_rows(client, make_complaint, agent, lead, page, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(complaint, user) -> int:
        client.force_login(user)
        url = {
            "complaint": reverse("web:complaint", args=[complaint.reference]),
            "approvals": reverse("web:approvals"),
            "customer": reverse("web:customer", args=[complaint.customer_id]),
            "notifications": reverse("web:notifications"),
        }[page]
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    user = lead if page in ("approvals", "notifications") else agent
    few = count(_rich(make_complaint, agent, 1), user)
    many = count(_rich(make_complaint, agent, 6), user)
    assert many <= few + 2, (few, many)
    assert many <= 45

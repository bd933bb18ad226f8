"""相似投诉 on the complaint page: earlier complaints that read alike (the semantic tier's embedding),
loaded after the page (HTMX), scoped and masked like the rest of the page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kesu.complaints.models import Category, Complaint
from tests.factories import unit_embedding

pytestmark = pytest.mark.django_db


@pytest.fixture
def alike_pair(make_complaint, other_agent, customer):
    """A new complaint, an earlier one like it that was solved and closed, one less alike and
    still open, one unlike it, and one like it in another team."""
    target = make_complaint(text="宽带又断网了，报修三天没人来")
    solved = make_complaint(text="家里宽带断网，师傅一直不上门")
    less = make_complaint(text="宽带网速慢")
    unlike = make_complaint(text="书的内容很好")
    elsewhere = make_complaint(actor=other_agent, text="宽带断网")
    for c, vector in (
        (target, unit_embedding(1, 0.1)),
        (solved, unit_embedding(1, 0.15)),
        (less, unit_embedding(1, 0.45)),
        (unlike, unit_embedding(0, 1)),
        (elsewhere, unit_embedding(1, 0.1)),
    ):
        Complaint.objects.filter(pk=c.pk).update(embedding=vector)
    Complaint.objects.filter(pk=solved.pk).update(
        stage="closed",
        category=Category.objects.get(code="process", parent=None),
        solution_type="repair",
        solution_text="当天派师傅上门更换光猫，回电13912345678确认已恢复",
        follow_up_result="satisfied",
    )
    return target, solved, less, unlike, elsewhere


def panel(client, complaint) -> str:
    response = client.get(reverse("web:similar", args=[complaint.reference]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_loads_the_panel_after_itself(client, agent, alike_pair):
    target = alike_pair[0]
    client.force_login(agent)
    html = client.get(reverse("web:complaint", args=[target.reference])).content.decode()
    assert f'hx-get="{reverse("web:similar", args=[target.reference])}"' in html and 'hx-trigger="load"' in html
    assert "similar-list" not in html  # the search itself is not part of the page's own request


def test_the_panel_lists_alike_complaints_with_how_they_were_solved(client, agent, alike_pair):
    target, solved, less, unlike, elsewhere = alike_pair
    client.force_login(agent)
    html = panel(client, target)
    assert "相似投诉" in html
    assert html.index(solved.reference) < html.index(less.reference)  # most alike first
    assert unlike.reference not in html and elsewhere.reference not in html  # unlike / another team's
    assert "关闭" in html and "满意" in html and "维修" in html and "更换光猫" in html
    assert "13912345678" not in html and "139****5678" in html  # a list: personal data masked
    # the cosine of the embeddings, in whole percent: (1, 0.1)·(1, 0.15) = 1.015 / √(1.01 × 1.0225) ≈ 0.999,
    # (1, 0.1)·(1, 0.45) = 1.045 / √(1.01 × 1.2025) ≈ 0.948
    shown = dict(re.findall(r'<tr data-reference="([^"]+)">.*?<td class="similarity">([^<]*)</td>', html, re.S))
    assert shown == {solved.reference: "100%", less.reference: "95%"}


def test_the_panel_says_so_while_the_semantic_result_is_not_there(client, agent, make_complaint):
    complaint = make_complaint()
    client.force_login(agent)
    assert "语义分析" in panel(client, complaint)


def test_nothing_alike_reads_as_an_empty_state(client, agent, make_complaint):
    complaint = make_complaint()
    Complaint.objects.filter(pk=complaint.pk).update(embedding=unit_embedding(1))
    client.force_login(agent)
    assert "没有" in panel(client, complaint)


def test_another_teams_complaint_is_not_found(client, other_agent, alike_pair):
    client.force_login(other_agent)
    response = client.get(reverse("web:similar", args=[alike_pair[0].reference]))
    assert response.status_code == 404


def test_the_panels_queries_are_bounded(client, agent, alike_pair, django_assert_max_num_queries):
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        panel(client, alike_pair[0])


def test_a_number_at_the_excerpts_cut_is_masked_whole_not_half_shown(client, agent, alike_pair):
    """The excerpt is masked, then cut: a number that crosses the cut shows none of its digits."""
    target, solved = alike_pair[0], alike_pair[1]
    text = "家里宽带断网" + "，" * 50 + "身份证110101199003071234"
    Complaint.objects.filter(pk=solved.pk).update(text=text)
    client.force_login(agent)
    html = panel(client, target)
    assert "11010119" not in html

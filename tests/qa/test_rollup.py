"""Roll-ups per agent, team and month (in SQL), the item heat-map, trend, exports, the selectors
other apps use (communication sub-score, weak items), and bounded queries on every list page."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from kesu.qa import selectors, services
from kesu.qa.models import Inspection
from tests.factories import CustomerFactory
from tests.qa.conftest import close, finish

POOR = ("你先别着急，这个我也没办法。", "那怎么办？", "我们会帮你反馈一下，应该会退吧。")


@pytest.fixture
def month(make_complaint, agent, agent2, other_agent, other_team, qa):
    """Completed inspections this month: agent twice (one poor, failed), agent2 once, another
    team's agent once; and one inspection still queued."""
    done = []
    for owner, replies, team in (
        (agent, None, None),
        (agent, POOR, None),
        (agent2, None, None),
        (other_agent, None, other_team),
        (agent2, POOR, None),
    ):
        extra = {"team": team, "actor": other_agent} if team else {}
        complaint = make_complaint(customer=CustomerFactory(), **extra)
        complaint = close(complaint, owner, **({"replies": replies} if replies else {}))
        done.append(services.inspect_complaint(complaint=complaint, actor=qa))
    for inspection in done[:4]:
        finish(inspection, qa)
    return [Inspection.objects.get(pk=i.pk) for i in done]


def test_the_rollup_per_agent_and_team(month, agent, agent2, team, other_team):
    rollup = selectors.rollup(month=month[0].month)
    by_agent = {row["agent_id"]: row for row in rollup.by_agent}
    assert by_agent[agent.pk]["inspections"] == 2 and by_agent[agent.pk]["failed"] == 1
    assert by_agent[agent.pk]["score"] == pytest.approx((month[0].score + month[1].score) / 2, abs=0.05)
    assert by_agent[agent2.pk]["inspections"] == 1  # the queued one is not counted
    by_team = {row["team_id"]: row for row in rollup.by_team}
    assert by_team[team.pk]["inspections"] == 3 and by_team[other_team.pk]["inspections"] == 1
    assert rollup.trend[-1]["inspections"] == 4 and rollup.trend[-1]["month"] == month[0].month.strftime(
        "%Y-%m"
    )
    assert len(rollup.trend) == 12 and rollup.trend[0]["inspections"] == 0


def test_the_heatmap_shows_the_weak_items(month, agent):
    rollup = selectors.rollup(month=month[0].month, team_id=agent.team_id)
    cells = rollup.heatmap[agent.pk]
    assert cells["no_forbidden"] == 50.0  # one of the agent's two calls had 我也没办法
    assert cells["empathy_apology"] == 50.0
    assert "no_forbidden" in rollup.items and rollup.labels["no_forbidden"][0] == "无禁用语"
    assert set(rollup.heatmap) == {row["agent_id"] for row in rollup.by_agent}


def test_service_kpis_beside_the_qa_score(month, agent):
    kpis = selectors.rollup(month=month[0].month, team_id=agent.team_id, with_kpis=True).kpis
    assert kpis[agent.pk]["complaints"] == 2 and kpis[agent.pk]["first_reply_rate"] == 100.0


def test_the_teams_communication_sub_score_for_appraisal(month, team, other_team):
    scores = selectors.team_communication_scores(month=month[0].month)
    own = [i.communication_score for i in month[:3]]
    assert scores[team.pk] == pytest.approx(sum(own) / 3, abs=0.01)
    assert selectors.team_communication_score(team=team, month=month[0].month) == scores[team.pk]
    assert (
        selectors.team_communication_score(team=other_team.pk, month=month[0].month) == scores[other_team.pk]
    )
    assert (
        selectors.team_communication_score(team=team, month=selectors.add_months(month[0].month, -1)) is None
    )


def test_an_agents_weak_items_for_training(month, agent, agent2):
    weak = selectors.agent_weak_items(agent=agent, until=month[0].month, limit=20)
    assert len(selectors.agent_weak_items(agent=agent, until=month[0].month)) == 5  # the five weakest
    codes = [w.code for w in weak]
    assert "no_forbidden" in codes and weak == sorted(weak, key=lambda w: (w.mean, w.code))
    item = next(w for w in weak if w.code == "no_forbidden")
    assert (
        item.mean == 50.0
        and item.inspections == 2
        and item.label == "无禁用语"
        and item.group == "compliance"
    )
    assert all(w.mean < 70 for w in weak)
    assert selectors.agent_weak_items(agent=agent.pk, until=selectors.add_months(month[0].month, -3)) == []


def test_the_report_page_and_its_queries(client, month, lead, django_assert_max_num_queries):
    client.force_login(lead)
    url = f"/qa/report/?month={month[0].month:%Y-%m}"
    client.get(url)
    with django_assert_max_num_queries(14):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "薄弱项热力图" in html
    assert 'class="num cell weak"' in html and "投诉二组" not in html  # a team lead sees their team only


def test_the_export_in_csv_and_xlsx(client, month, manager):
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    response = client.get(f"/qa/report/export.csv?month={month[0].month:%Y-%m}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header = next(r for r in rows if r and r[0] == "Agent")
    assert "QA score" in header and "No forbidden phrases" in header
    assert any(r and r[0] == "agent" and r[3] == "2" for r in rows)
    xlsx = client.get(f"/qa/report/export.xlsx?month={month[0].month:%Y-%m}")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_list_pages_have_bounded_queries(client, month, qa, agent, lead, django_assert_max_num_queries):
    for user, url, limit in (
        (qa, "/qa/", 16),
        (agent, "/qa/mine/", 10),
        (lead, "/qa/", 16),
        (lead, "/qa/appeals/", 10),
    ):
        client.force_login(user)
        client.get(url)
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url


def test_the_inspection_page_marks_the_evidence(client, month, qa, django_assert_max_num_queries):
    inspection = month[1]
    client.force_login(qa)
    client.get(f"/qa/inspections/{inspection.pk}/")
    with django_assert_max_num_queries(16):
        html = client.get(f"/qa/inspections/{inspection.pk}/").content.decode()
    assert '<mark class="evidence ev-no_forbidden"' in html
    assert "我也没办法" in html and "关键项不合格" in html  # Chinese first
    assert "→ 我理解您很着急" in html  # the positive rewrite of 别着急 beside its quote
    assert "longest_agent_turn" not in html and "→ hedged" not in html  # notes that are codes stay out


def test_the_running_item_sums_equal_a_rebuild_from_the_results(month, agent, lead, qa):
    from kesu.qa.models import ItemMonth

    appeal = services.appeal_raise(inspection=month[1], actor=agent, reason="请复核", items=["no_forbidden"])
    services.appeal_decide(
        appeal=appeal, actor=lead, upheld=True, note="转述客户原话", scores={"no_forbidden": 1}
    )
    kept = {
        (r.month, r.team_key, r.agent_key, r.code): (round(r.total, 6), r.n) for r in ItemMonth.objects.all()
    }
    assert kept[(month[1].month, agent.team_id, agent.pk, "no_forbidden")] == (2.0, 2)
    call_command("qa_rebuild_rollup", stdout=io.StringIO())
    rebuilt = {
        (r.month, r.team_key, r.agent_key, r.code): (round(r.total, 6), r.n) for r in ItemMonth.objects.all()
    }
    assert rebuilt == kept
    assert services.rebuild_item_months(months=[month[0].month]) == len(kept)

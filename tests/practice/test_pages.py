"""The training pages as each role meets them: permissions on the server, the agent's workbench
panels in practice, the persona card for the customer only, progress with weak items, and coverage."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kesu.practice import selectors, services
from kesu.qa.models import ItemMonth

pytestmark = pytest.mark.django_db


def page(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def test_agents_see_the_four_scenarios_and_practise_solo(client, agent, scenario):
    home = page(client, agent, "/training/").content.decode()
    assert home.count("start-solo") == 4
    response = client.post("/training/sessions/start/", {"scenario": scenario.code})
    session = agent.practice_sessions.get()
    assert response.url == f"/training/sessions/{session.pk}/"
    shown = client.get(response.url).content.decode()
    assert scenario.persona["opening"] in shown
    assert 'id="workbench"' in shown and 'id="analysis-panel"' in shown and 'id="reply-form"' in shown
    assert 'class="scripts"' in shown and 'id="stop-reminder"' in shown  # an angry customer: STOP
    assert 'id="persona-card"' not in shown  # the agent does not see the customer's hidden facts
    check = client.post(f"/training/sessions/{session.pk}/check/", {"text": "规定就是这样"}).content.decode()
    assert "规定就是这样" in check and "blocked" in check
    client.post(f"/training/sessions/{session.pk}/reply/", {"text": "非常抱歉，能告诉我茶具是多少钱买的吗？"})
    assert "运费是20元" in client.get(response.url).content.decode()
    client.post(f"/training/sessions/{session.pk}/finish/")
    finished = client.get(response.url).content.decode()
    assert 'id="practice-score"' in finished and 'id="criterion-solution"' in finished


def test_trainer_only_pages_and_acts_are_refused_to_agents(client, agent, scenario):
    client.force_login(agent)
    assert client.get("/training/scenarios/new/").status_code == 403
    assert client.get(f"/training/scenarios/{scenario.code}/edit/").status_code == 403
    assert client.get("/training/weights/").status_code == 403
    assert (
        client.post("/training/groups/", {"scenario": scenario.pk, "members": "agent,agent2"}).status_code
        == 403
    )
    assert client.post("/training/cases/propose/", {"reference": "x", "kind": "exemplary"}).status_code == 403
    assert client.get("/training/progress/team/").status_code == 403


def test_the_trainer_edits_a_scenario_on_the_page(client, trainer, scenario):
    client.force_login(trainer)
    form = client.get(f"/training/scenarios/{scenario.code}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(tolerance=2, acceptable=["compensation", "refund"], active="on")
    response = client.post(f"/training/scenarios/{scenario.code}/edit/", data)
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.persona["tolerance"] == 2
    assert [f["code"] for f in scenario.persona["facts"]] == ["fact1", "fact2"]
    assert scenario.persona["facts"][0]["key"] is True


def test_in_a_group_the_customer_reads_the_persona_card_and_the_observer_the_sheet(
    client, trainer, agent, agent2, agent3, scenario
):
    group = services.group_create(trainer=trainer, scenario=scenario, members=[agent, agent2, agent3])
    session = group.sessions.get()
    url = f"/training/sessions/{session.pk}/"
    as_customer = page(client, agent3, url).content.decode()
    assert 'id="persona-card"' in as_customer and "茶具是我在网上买的" in as_customer
    assert 'id="customer-form"' in as_customer and 'hx-trigger="every 2s"' in as_customer
    services.session_customer_says(session=session, actor=agent3, text="茶具全碎了！")
    services.session_reply(session=session, actor=agent, text="非常抱歉，能告诉我茶具是多少钱买的吗？")
    as_observer = page(client, agent2, url).content.decode()
    assert 'id="score-sheet"' in as_observer and 'id="persona-card"' not in as_observer
    assert 'id="live-sheet"' in as_observer  # the automatic scores so far, refreshed with the conversation
    as_agent = page(client, agent, url).content.decode()
    assert "茶具是我在网上买的" not in as_agent and 'id="reply-form"' in as_agent
    polled = client.get(f"{url}turns/", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="workbench" hx-swap-oob="true"' in polled  # the agent's panels follow the customer's words
    outsider = services.session_start_solo(trainee=agent, scenario=scenario)
    assert page(client, agent2, f"/training/sessions/{outsider.pk}/").status_code == 404


def test_progress_shows_weak_quality_items_and_the_scenarios_they_recommend(client, agent, agent2, lead):
    ItemMonth.objects.create(
        month=timezone.localdate().replace(day=1),
        agent_key=agent.pk,
        team_key=agent.team_id,
        code="open_question_first",
        group="communication",
        total=0.5,
        n=2,
    )
    progress = selectors.trainee_progress(trainee=agent)
    assert [w.code for w in progress.weak_items] == ["open_question_first"]
    assert {r.scenario.code for r in progress.recommended} == {
        "product_not_as_expected",
        "complicated_procedure",
    }
    assert 'id="recommended"' in page(client, agent, "/training/progress/").content.decode()
    assert page(client, agent2, f"/training/progress/{agent.pk}/").status_code == 403
    assert page(client, lead, f"/training/progress/{agent.pk}/").status_code == 200


def test_team_progress_and_the_training_coverage(client, lead, agent, agent2, other_agent, scenario):
    services.session_finish(
        session=services.session_start_solo(trainee=agent, scenario=scenario), actor=agent
    )
    since = timezone.localdate().replace(day=1)
    coverage = selectors.training_coverage(since=since, team_ids=[agent.team_id])
    assert (coverage.trained, coverage.agents, coverage.rate) == (1, 2, 50.0)
    assert selectors.training_coverage(since=since).agents == 3
    shown = page(client, lead, "/training/progress/team/").content.decode()
    assert "50.0" in shown and "agent2" in shown and "other_agent" not in shown
    assert 'id="team-months"' in shown  # the team's scores by criterion, per month


def test_the_training_pages_speak_chinese_first_and_english_second(client, agent):
    client.force_login(agent)
    shown = client.get(
        "/training/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()  # the browser's is not enough
    assert "与模拟客户练习" in shown and "案例库" in shown and "要求赔偿超出标准" in shown
    client.cookies["django_language"] = "en"  # the language switcher
    english = client.get("/training/").content.decode()
    assert (
        "Practise with the simulated customer" in english
        and "Compensation demanded beyond the standard" in english
    )


def test_the_home_page_costs_the_same_queries_for_more_sessions(client, agent, scenario, product):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client.force_login(agent)
    services.session_start_solo(trainee=agent, scenario=scenario)
    one = queries("/training/")
    for _ in range(3):
        services.session_start_solo(trainee=agent, scenario=product)
    assert queries("/training/") == one


def test_the_trainee_sees_the_assignment_and_when_it_is_overdue(client, trainer, agent, scenario):
    from datetime import timedelta

    from kesu.practice.models import Assignment

    services.assignment_create(
        trainer=trainer, trainee=agent, scenario=scenario, due_on=timezone.localdate() + timedelta(days=2)
    )
    shown = page(client, agent, "/training/").content.decode()
    assert 'id="assignments"' in shown and "已逾期" not in shown
    Assignment.objects.update(due_on=timezone.localdate() - timedelta(days=1))
    assert "已逾期" in client.get("/training/").content.decode()

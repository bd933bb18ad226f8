"""Who may see and do what in quality inspection, role by role, on the pages and the API — always
checked on the server (a forged form post is refused as a hidden button would be)."""

from __future__ import annotations

import pytest

from kesu.qa import services
from tests.factories import UserFactory


@pytest.fixture
def appealed(completed, agent):
    services.appeal_raise(inspection=completed, actor=agent, reason="请复核", items=["ask_name"])
    return completed


def get(client, user, url):
    client.force_login(user)
    return client.get(url).status_code


def test_the_agent_sees_their_own_completed_results_only(client, inspection, qa, agent, agent2):
    url = f"/qa/inspections/{inspection.pk}/"
    assert get(client, agent, url) == 404  # not completed yet
    from tests.qa.conftest import finish

    finish(inspection, qa)
    assert get(client, agent, url) == 200
    assert get(client, agent2, url) == 404  # a colleague's result
    assert get(client, agent, "/qa/mine/") == 200
    for page in ("/qa/report/", "/qa/appeals/", "/qa/calibrations/", "/qa/transcripts/import/"):
        assert get(client, agent, page) == 403, page


def test_the_agent_cannot_score_nor_decide(client, appealed, agent):
    client.force_login(agent)
    response = client.post(
        f"/qa/inspections/{appealed.pk}/decide/",
        {"decision": "uphold", "note": "自己改判", "score_ask_name": "1"},
    )
    assert response.status_code == 403
    response = client.post(f"/qa/inspections/{appealed.pk}/score/", {"code": "ask_name", "score": "1"})
    assert response.status_code == 403
    assert appealed.appeal.status == "pending"


def test_the_team_lead_reads_the_team_and_decides_its_appeals(client, appealed, lead, other_lead):
    assert get(client, lead, f"/qa/inspections/{appealed.pk}/") == 200
    assert get(client, lead, "/qa/report/") == 200
    assert get(client, lead, "/qa/appeals/") == 200
    assert get(client, other_lead, f"/qa/inspections/{appealed.pk}/") == 404
    assert get(client, lead, f"/qa/report/?team={other_lead.team_id}") == 403
    client.force_login(other_lead)
    response = client.post(f"/qa/inspections/{appealed.pk}/decide/", {"decision": "uphold", "note": "x"})
    assert response.status_code == 404  # another team's inspection is invisible
    client.force_login(lead)
    response = client.post(
        f"/qa/inspections/{appealed.pk}/decide/", {"decision": "reject", "note": "评分无误"}
    )
    assert response.status_code == 302
    appealed.appeal.refresh_from_db()
    assert appealed.appeal.status == "rejected"


def test_a_team_lead_never_decides_an_appeal_about_themselves(make_complaint, lead, qa):
    from kesu.qa.models import Appeal
    from tests.qa.conftest import close, finish

    complaint = close(make_complaint(), lead)
    inspection = finish(services.inspect_complaint(complaint=complaint, actor=qa), qa)
    appeal = services.appeal_raise(inspection=inspection, actor=lead, reason="请复核")
    second_lead = UserFactory(username="lead2", team=lead.team, role="team_lead")
    from kesu.qa import permissions

    assert not permissions.can_decide(lead, appeal) and permissions.can_decide(second_lead, appeal)
    assert Appeal.objects.count() == 1


def test_the_inspector_scores_but_does_not_appeal_nor_decide(client, appealed, qa, inspection):
    assert get(client, qa, "/qa/") == 200
    assert get(client, qa, "/qa/transcripts/import/") == 200
    client.force_login(qa)
    response = client.post(f"/qa/inspections/{appealed.pk}/decide/", {"decision": "uphold", "note": "x"})
    assert response.status_code == 403
    assert get(client, qa, "/qa/mine/") == 403


def test_the_manager_reads_everything_and_changes_nothing(client, completed, manager):
    assert get(client, manager, f"/qa/inspections/{completed.pk}/") == 200
    assert get(client, manager, "/qa/report/") == 200
    client.force_login(manager)
    response = client.post(f"/qa/inspections/{completed.pk}/appeal/", {"reason": "x"})
    assert response.status_code == 403


def test_the_trainer_reads_and_cannot_score(client, inspection, trainer):
    assert get(client, trainer, f"/qa/inspections/{inspection.pk}/") == 200
    assert get(client, trainer, "/qa/report/") == 200
    client.force_login(trainer)
    response = client.post(f"/qa/inspections/{inspection.pk}/score/", {"code": "solution_fit", "score": "1"})
    assert response.status_code == 403
    response = client.post("/qa/draw/", {"plan": "1", "month": "2026-11"})
    assert response.status_code == 403
    assert inspection.results.get(code="solution_fit").score is None


def test_personal_data_is_masked_for_inspectors_and_trainers(client, make_complaint, agent, qa, trainer):
    from tests.qa.conftest import close

    complaint = close(make_complaint(text="我的手机号13912345678一直收不到验证码，宽带也断了。"), agent)
    inspection = services.inspect_complaint(complaint=complaint, actor=qa)
    for user in (qa, trainer):
        client.force_login(user)
        page = client.get(f"/qa/inspections/{inspection.pk}/").content.decode()
        assert "13912345678" not in page and "139****5678" in page


def test_unauthenticated_users_are_sent_to_log_in(client, inspection):
    assert client.get("/qa/").status_code == 302
    assert client.get(f"/qa/inspections/{inspection.pk}/").status_code == 302


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("agent", 200),
        ("agent2", 404),
        ("lead", 200),
        ("other_lead", 404),
        ("manager", 200),
        ("qa", 200),
        ("trainer", 200),
    ],
)
def test_api_reads_follow_the_same_rules(api, completed, who, status, request):
    user = request.getfixturevalue(who)
    assert api(user).get(f"/api/v1/qa/inspections/{completed.pk}/").status_code == status


def test_api_writes_follow_the_same_rules(api, completed, agent, agent2, lead, manager, trainer):
    url = f"/api/v1/qa/inspections/{completed.pk}"
    assert api(agent2).post(f"{url}/appeal/", {"reason": "x"}, format="json").status_code == 404
    assert api(manager).post(f"{url}/appeal/", {"reason": "x"}, format="json").status_code == 403
    assert (
        api(trainer).post(f"{url}/items/", {"code": "ask_name", "score": 1}, format="json").status_code == 403
    )
    response = api(agent).post(f"{url}/appeal/", {"reason": "请复核", "items": ["ask_name"]}, format="json")
    assert response.status_code == 201
    appeal = response.json()["id"]
    assert (
        api(agent).post(f"{url}/appeal/", {"reason": "again"}, format="json").json()["code"]
        == "already_appealed"
    )
    decide = f"/api/v1/qa/appeals/{appeal}/decide/"
    assert api(manager).post(decide, {"upheld": True, "note": "x"}, format="json").status_code == 403
    assert api(lead).get("/api/v1/qa/appeals/").json()["count"] == 1
    response = api(lead).post(
        decide, {"upheld": True, "note": "属实", "scores": {"ask_name": 0.5}}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "upheld"
    assert api(trainer).get("/api/v1/qa/rollup/").status_code == 200
    assert api(agent).get("/api/v1/qa/rollup/").status_code == 403

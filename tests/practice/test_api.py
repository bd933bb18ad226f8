"""GET /api/v1/training/: practice sessions and the training coverage through the API, with the
pages' permissions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kesu.practice import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(agent, scenario):
    session = services.session_start_solo(trainee=agent, scenario=scenario)
    services.session_reply(session=session, actor=agent, text="非常抱歉给您添麻烦了，能告诉我具体情况吗？")
    return services.session_finish(session=session, actor=agent)


def test_a_trainee_reads_their_sessions_with_turns_and_scores(api, finished, agent):
    listed = api(agent).get("/api/v1/training/sessions/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [finished.pk]
    one = api(agent).get(f"/api/v1/training/sessions/{finished.pk}/").json()
    assert one["status"] == "finished" and one["observer"] is None
    assert [t["speaker"] for t in one["turns"]][:2] == ["customer", "agent"]
    assert {r["code"] for r in one["results"]} == {"last", "emotion", "solution", "satisfaction"}


def test_sessions_are_read_as_the_pages_allow(api, finished, agent2, lead, other_agent, trainer):
    assert api(agent2).get(f"/api/v1/training/sessions/{finished.pk}/").status_code == 404  # a colleague's
    assert api(agent2).get("/api/v1/training/sessions/").json()["results"] == []
    assert api(lead).get(f"/api/v1/training/sessions/{finished.pk}/").status_code == 200  # the team lead
    assert api(other_agent).get("/api/v1/training/sessions/").json()["results"] == []
    assert [r["id"] for r in api(trainer).get("/api/v1/training/sessions/").json()["results"]] == [finished.pk]
    assert api(trainer).get("/api/v1/training/sessions/99999999999999999999/").status_code == 404


def test_the_training_coverage(api, finished, agent, lead, trainer):
    since = timezone.localdate().replace(day=1).isoformat()
    mine = api(lead).get(f"/api/v1/training/coverage/?since={since}")
    assert mine.status_code == 200
    assert mine.json() == {"team": agent.team_id, "since": since, "trained": 1, "agents": 1, "rate": "100.0"}
    assert api(agent).get("/api/v1/training/coverage/").status_code == 403
    everyone = api(trainer).get(f"/api/v1/training/coverage/?since={since}").json()
    assert everyone["team"] is None and everyone["trained"] == 1
    far = api(trainer).get("/api/v1/training/coverage/?since=0001-01-01")
    assert far.status_code == 400 and far.json()["code"] == "invalid"

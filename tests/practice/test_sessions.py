"""Practice sessions through the services: solo against the simulated customer to a score, a group
rotating its roles, overrides with reasons, the peer rating, assignments, and the trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.practice import selectors, services
from kesu.practice.models import Assignment, TrainingEvent

pytestmark = pytest.mark.django_db

GOOD = (
    "非常抱歉，茶具碎了给您添麻烦了，我理解您的心情。能告诉我茶具是多少钱买的吗？",
    "按照标准，我为您赔偿茶具300元和运费20元，共320元，今天下午5点前退回到您的支付账户。",
    "谢谢您的理解和耐心！",
)


def test_the_material_scenarios_are_seeded(scenario):
    from kesu.practice.models import Scenario

    assert Scenario.objects.filter(active=True).count() == 4
    assert scenario.as_engine().persona.compensation_standard == 350


def test_a_solo_session_runs_to_the_customers_acceptance_and_a_score(agent, scenario):
    session = services.session_start_solo(trainee=agent, scenario=scenario)
    assert session.turns.get().text == scenario.persona["opening"]
    answer = services.session_reply(session=session, actor=agent, text=GOOD[0])
    assert "300元" in answer.text and answer.event == "reveal"
    assert answer.analysis["emotion"]["label"]  # the engine read the customer's words, as in live handling
    services.session_reply(session=session, actor=agent, text=GOOD[1])
    services.session_reply(session=session, actor=agent, text=GOOD[2])
    session.refresh_from_db()
    assert session.state["phase"] == "accepted"
    services.session_finish(session=session, actor=agent)
    session.refresh_from_db()
    assert session.total == 100 == session.auto_total
    assert {r.code for r in session.results.all()} == {"last", "emotion", "solution", "satisfaction"}
    assert session.turns.count() == 7
    assert [e.action for e in TrainingEvent.objects.filter(session=session)] == [
        "session_started",
        "session_finished",
    ]


def test_the_agent_authority_comes_from_the_trainee(agent, scenario, product):
    assert services.session_start_solo(trainee=agent, scenario=product).authority_limit == 500


def test_only_the_trainee_replies_and_not_after_the_end(agent, agent2, scenario):
    session = services.session_start_solo(trainee=agent, scenario=scenario)
    with pytest.raises(PermissionRefused):
        services.session_reply(session=session, actor=agent2, text="你好")
    with pytest.raises(ComplaintError) as blank:
        services.session_reply(session=session, actor=agent, text="  ")
    assert blank.value.code == ErrorCode.BODY_REQUIRED
    services.session_finish(session=session, actor=agent)
    with pytest.raises(ComplaintError) as finished:
        services.session_reply(session=session, actor=agent, text="你好")
    assert finished.value.code == ErrorCode.SESSION_FINISHED


def test_a_group_of_three_rotates_customer_agent_and_observer(trainer, agent, agent2, agent3, scenario):
    group = services.group_create(trainer=trainer, scenario=scenario, members=[agent, agent2, agent3])
    first = group.sessions.get()
    assert (first.trainee, first.customer_player, first.observer) == (agent, agent3, agent2)
    with pytest.raises(PermissionRefused):
        services.session_customer_says(session=first, actor=agent2, text="我要赔偿")  # the observer
    services.session_customer_says(session=first, actor=agent3, text=scenario.persona["opening"])
    services.session_reply(session=first, actor=agent, text=GOOD[0])
    assert first.turns.count() == 2  # no simulated customer in a group
    with pytest.raises(ComplaintError) as early:
        services.group_next_round(group=group, actor=agent)
    assert early.value.code == ErrorCode.ROUND_NOT_FINISHED
    services.session_finish(session=first, actor=agent2)
    first.refresh_from_db()
    assert first.results.get(code="satisfaction").score is None  # waits for the peer customer
    services.session_rate(session=first, actor=agent3, rating=4)
    first.refresh_from_db()
    assert first.results.get(code="satisfaction").score == 0.75
    group = services.group_next_round(group=group, actor=agent)
    second = group.sessions.get(round_no=2)
    assert (second.trainee, second.customer_player, second.observer) == (agent2, agent, agent3)
    services.session_finish(session=second, actor=agent2)
    services.group_next_round(group=group, actor=agent)
    services.session_finish(session=group.sessions.get(round_no=3), actor=agent3)
    group = services.group_next_round(group=group, actor=agent)
    assert group.finished
    assert sorted(s.trainee.username for s in group.sessions.all()) == ["agent", "agent2", "agent3"]


def test_groups_have_two_or_three_different_trainees(trainer, agent, scenario):
    for members in ([agent], [agent, agent]):
        with pytest.raises(ComplaintError) as refused:
            services.group_create(trainer=trainer, scenario=scenario, members=members)
        assert refused.value.code == ErrorCode.INVALID_GROUP


def test_the_observer_overrides_with_a_reason_the_trainee_cannot(trainer, agent, agent2, agent3, scenario):
    group = services.group_create(trainer=trainer, scenario=scenario, members=[agent, agent2, agent3])
    session = group.sessions.get()
    services.session_customer_says(session=session, actor=agent3, text="茶具全碎了！")
    services.session_reply(session=session, actor=agent, text=GOOD[0])
    with pytest.raises(PermissionRefused):
        services.criterion_override(session=session, actor=agent2, code="emotion", score=1, reason="早了")
    services.session_finish(session=session, actor=agent2)
    with pytest.raises(PermissionRefused):
        services.criterion_override(
            session=session, actor=agent, code="emotion", score=1, reason="我觉得很好"
        )
    with pytest.raises(ComplaintError) as no_reason:
        services.criterion_override(session=session, actor=agent2, code="emotion", score=1, reason=" ")
    assert no_reason.value.code == ErrorCode.REASON_REQUIRED
    before = session.results.get(code="last").score
    row = services.criterion_override(
        session=session, actor=agent2, code="last", score=1, reason="语气里有致谢，系统没识别"
    )
    assert row.overridden and row.auto_score == before and row.score == 1
    session.refresh_from_db()
    assert session.total > session.auto_total
    assert (
        TrainingEvent.objects.filter(session=session, action="score_overridden").get().note.startswith("语气")
    )


def test_changed_weights_apply_to_new_scores(trainer, agent, scenario):
    services.weights_update(
        actor=trainer, values={"last": 0, "emotion": 0, "solution": 0, "satisfaction": 100}
    )
    session = services.session_start_solo(trainee=agent, scenario=scenario)
    services.session_reply(session=session, actor=agent, text="规定就是这样。")
    session = services.session_finish(session=session, actor=agent)
    assert session.total == 50 * (1 - session.state["intensity"])  # only satisfaction counts now
    with pytest.raises(PermissionRefused):
        services.weights_update(actor=agent, values={"last": 1})


def test_an_assignment_is_done_by_the_next_session_of_its_scenario(trainer, agent, scenario):
    due = timezone.localdate() + timedelta(days=3)
    assignment = services.assignment_create(trainer=trainer, trainee=agent, scenario=scenario, due_on=due)
    assert list(selectors.open_assignments(agent)) == [assignment]
    session = services.session_start_solo(trainee=agent, scenario=scenario)
    services.session_finish(session=session, actor=agent)
    assert Assignment.objects.get(pk=assignment.pk).completed_by == session
    with pytest.raises(ComplaintError) as past:
        services.assignment_create(
            trainer=trainer, trainee=agent, scenario=scenario, due_on=due - timedelta(days=30)
        )
    assert past.value.code == ErrorCode.DUE_IN_PAST
    with pytest.raises(PermissionRefused):
        services.assignment_create(trainer=agent, trainee=agent, scenario=scenario, due_on=due)


def test_trainers_edit_scenarios_and_a_bad_persona_is_refused(trainer, agent, scenario):
    changed = services.scenario_save(
        actor=trainer, scenario=scenario, data={"persona": {**scenario.persona, "tolerance": 1}}
    )
    assert changed.as_engine().persona.tolerance == 1
    with pytest.raises(ComplaintError) as bad:
        services.scenario_save(
            actor=trainer, scenario=scenario, data={"persona": {**scenario.persona, "acceptable": ["magic"]}}
        )
    assert bad.value.code == ErrorCode.INVALID_SCENARIO
    with pytest.raises(PermissionRefused):
        services.scenario_save(actor=agent, scenario=scenario, data={"title": "x"})


def test_the_training_trail_is_append_only(agent, scenario):
    from django.db import connection

    services.session_start_solo(trainee=agent, scenario=scenario)
    event = TrainingEvent.objects.get()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE practice_trainingevent SET action = 'x'")


def test_a_scenario_edited_later_changes_no_practice_already_played(trainer, agent, scenario):
    session = services.session_start_solo(trainee=agent, scenario=scenario)
    services.scenario_save(
        actor=trainer, scenario=scenario, data={"persona": {**scenario.persona, "tolerance": 1}}
    )
    services.session_reply(session=session, actor=agent, text="规定就是这样。")
    session.refresh_from_db()
    assert session.state["phase"] != "escalated"  # still the tolerance of 3 it started with

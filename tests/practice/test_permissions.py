"""Who may do what in training, per role (kesu.accounts.roles), as the server decides it."""

from __future__ import annotations

import pytest

from kesu.practice import permissions as can
from kesu.practice import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_roles_of_training(trainer, agent, lead, manager, qa):
    legal = UserFactory(username="legal", team=None, role="legal_pr")
    admin = UserFactory(username="admin", team=None, role="admin")
    assert [can.can_practise(u) for u in (agent, lead, manager, legal, trainer)] == [True] * 5
    assert not can.can_practise(qa) and not can.can_practise(admin)
    assert [can.can_run(u) for u in (trainer, agent, lead, manager, qa)] == [True, False, False, False, False]
    assert can.sees_case_source(trainer) and can.sees_case_source(qa) and not can.sees_case_source(lead)
    assert (
        can.sees_all_progress(trainer) and can.sees_all_progress(manager) and not can.sees_all_progress(lead)
    )
    assert can.sees_team_progress(lead) and not can.sees_team_progress(agent)


def test_progress_is_read_by_oneself_the_team_lead_and_trainers(
    trainer, agent, agent2, lead, other_lead, manager
):
    assert can.can_view_progress(agent, agent)
    assert not can.can_view_progress(agent2, agent)
    assert can.can_view_progress(lead, agent) and not can.can_view_progress(other_lead, agent)
    assert can.can_view_progress(trainer, agent) and can.can_view_progress(manager, agent)


def test_a_session_is_seen_by_its_players_its_team_lead_and_trainers(
    trainer, agent, agent2, lead, other_lead, scenario
):
    session = services.session_start_solo(trainee=agent, scenario=scenario)
    assert can.can_view_session(agent, session) and can.can_view_session(trainer, session)
    assert can.can_view_session(lead, session) and not can.can_view_session(other_lead, session)
    assert not can.can_view_session(agent2, session)


def test_inactive_users_do_nothing(trainer):
    trainer.is_active = False
    trainer.save()
    assert not can.can_run(trainer) and not can.can_use_training(trainer)

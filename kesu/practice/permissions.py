"""Who may see and do what in training, checked on the server for every page and act.

- agents, team leads, managers and legal/PR practise 练习 (solo or in a group) and read published cases;
- trainers 培训师 run training: scenarios, groups, assignments, overrides of any score, the case library
  (propose, edit, publish, turn into a scenario), and read everyone's progress;
- a case's anonymisation is checked by a second person (a trainer or a QA inspector) who neither
  proposed nor last edited it; only QA and trainers see the complaint a case comes from;
- in a group session the agent replies, the customer speaks and rates, the observer (or, in a pair,
  the customer) may override the automatic scores with a reason — never the agent's own;
- team leads read their team's progress, managers everyone's.
"""

from __future__ import annotations

from kesu.accounts.models import User
from kesu.practice.models import Case, CaseStatus, PracticeSession


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_practise(user: User) -> bool:
    return _active(user) and user.has_perm("practice.practise")


def can_run(user: User) -> bool:
    return _active(user) and user.has_perm("practice.run_training")


def can_use_training(user: User) -> bool:
    return can_practise(user) or can_run(user) or sees_all_progress(user) or sees_case_source(user)


def sees_all_progress(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.has_perm("practice.view_all_progress"))


def sees_team_progress(user: User) -> bool:
    return _active(user) and user.team_id is not None and user.has_perm("practice.view_team_progress")


def can_view_progress(user: User, trainee: User) -> bool:
    if user.pk == trainee.pk and _active(user):
        return True
    if sees_all_progress(user):
        return True
    return sees_team_progress(user) and trainee.team_id == user.team_id


def sees_case_source(user: User) -> bool:
    return _active(user) and user.has_perm("practice.view_case_source")


def can_check_case(user: User, case: Case) -> bool:
    return (
        _active(user)
        and user.has_perm("practice.check_case")
        and case.status == CaseStatus.DRAFT
        and user.pk not in (case.proposed_by_id, case.edited_by_id)
    )


def can_read_case(user: User, case: Case) -> bool:
    """Published cases are for everyone who practises; drafts for those who build or check them."""
    if case.status == CaseStatus.PUBLISHED:
        return can_practise(user) or can_run(user) or sees_case_source(user)
    return can_run(user) or (_active(user) and user.has_perm("practice.check_case"))


def participants(session: PracticeSession) -> set[int]:
    return {pk for pk in (session.trainee_id, session.customer_player_id, session.observer_id) if pk}


def can_view_session(user: User, session: PracticeSession) -> bool:
    if not _active(user):
        return False
    if user.pk in participants(session) or can_run(user) or sees_all_progress(user):
        return True
    return sees_team_progress(user) and session.team_id == user.team_id


def role_in(user: User, session: PracticeSession) -> str | None:
    """The part ``user`` plays in ``session``: agent, customer, observer, or None (a watcher)."""
    if user.pk == session.trainee_id:
        return "agent"
    if user.pk == session.customer_player_id:
        return "customer"
    if user.pk == session.observer_id:
        return "observer"
    return None


def can_reply(user: User, session: PracticeSession) -> bool:
    return session.active and user.pk == session.trainee_id


def can_speak_as_customer(user: User, session: PracticeSession) -> bool:
    return session.active and not session.solo and user.pk == session.customer_player_id


def can_finish(user: User, session: PracticeSession) -> bool:
    return session.active and (user.pk in participants(session) or can_run(user))


def can_rate(user: User, session: PracticeSession) -> bool:
    return not session.solo and user.pk == session.customer_player_id


def can_override(user: User, session: PracticeSession) -> bool:
    """The observer (in a pair: the customer) or a trainer; never the trainee on their own session."""
    if session.active or user.pk == session.trainee_id:
        return False
    if can_run(user):
        return True
    scorer = session.observer_id or session.customer_player_id
    return scorer is not None and user.pk == scorer

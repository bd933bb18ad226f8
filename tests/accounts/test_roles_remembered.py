"""A user's roles are read once per process and remembered like their permissions (every API call
and intake reads them); a change of roles takes effect at once where it was made."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from kesu.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # as the next request has it


def test_roles_are_read_once_and_a_new_role_counts_at_once(django_assert_num_queries):
    user = UserFactory(username="li", role="agent")
    assert fresh(user).role_codes == {"agent"}
    again = fresh(user)
    with django_assert_num_queries(0):
        assert again.role_codes == {"agent"}
    user.groups.add(Group.objects.get(name="team_lead"))  # the admin gives a role
    assert fresh(user).role_codes == {"agent", "team_lead"}
    Group.objects.get(name="agent").user_set.remove(user)  # ... or takes one, from the group's side
    assert fresh(user).role_codes == {"team_lead"}


def test_a_role_renamed_is_read_again():
    user = UserFactory(username="wang", role="agent")
    assert fresh(user).role_codes == {"agent"}
    group = Group.objects.create(name="night_desk")
    user.groups.add(group)
    group.name = "night_shift"
    group.save()
    assert fresh(user).role_codes == {"agent", "night_shift"}


def test_roles_read_by_another_request_before_the_change_commits_are_forgotten_on_commit(
    django_capture_on_commit_callbacks,
):
    from kesu import memo
    from kesu.accounts.backends import PREFIX, TTL

    user = UserFactory(username="zhao", role="agent")
    assert fresh(user).role_codes == {"agent"}
    assert not fresh(user).has_perm("accounts.change_user")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        user.groups.add(Group.objects.get(name="admin"))  # the admin gives a role, not yet committed
        # Meanwhile a request in another thread reads the rights committed so far and remembers them.
        memo.remember(f"{PREFIX}roles:{user.pk}", lambda: frozenset({"agent"}), TTL)
        memo.remember(f"{PREFIX}{user.pk}:0", lambda: set(), TTL)
    assert callbacks  # the change is forgotten again when it commits
    assert fresh(user).role_codes == {"agent", "admin"}
    assert fresh(user).has_perm("accounts.change_user")


def test_a_role_authority_limit_changed_is_forgotten_again_on_commit(django_capture_on_commit_callbacks):
    from decimal import Decimal

    from kesu import memo
    from kesu.accounts.models import RoleAuthorityLimit
    from kesu.accounts.roles import ROLE_LIMITS_CACHE_KEY, forget_role_authority_limits, role_authority_limits

    assert role_authority_limits()["agent"] == Decimal("500")
    with django_capture_on_commit_callbacks(execute=True):
        RoleAuthorityLimit.objects.create(role="agent", limit=Decimal("800"))
        forget_role_authority_limits()  # as the admin's save does
        memo.remember(ROLE_LIMITS_CACHE_KEY, lambda: {"agent": Decimal("500")}, 30)  # another request
    assert role_authority_limits()["agent"] == Decimal("800")

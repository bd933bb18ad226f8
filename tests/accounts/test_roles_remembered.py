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

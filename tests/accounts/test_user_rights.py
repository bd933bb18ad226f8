"""The admin role manages users in the Django admin, but cannot make itself (or anyone) superuser
or staff, cannot hand out single permissions, change its own roles, touch a superuser's account,
or set an authority limit above its own. Every change of rights, by anyone, is recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kesu.accounts.models import User, UserRightsEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return UserFactory(
        username="admin1", team=None, role="admin", is_staff=True, authority_limit=Decimal("1000")
    )


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", team=None, is_staff=True, is_superuser=True)


def change_form(user: User, **overrides) -> dict:
    """The admin's change form for ``user`` as a browser posts it, with ``overrides``."""
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "display_name": "",
        "team": user.team_id or "",
        "authority_limit": "" if user.authority_limit is None else str(user.authority_limit),
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
    }
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post(client, actor: User, user: User, **overrides):
    client.force_login(actor)
    return client.post(f"/admin/accounts/user/{user.pk}/change/", change_form(user, **overrides))


def test_the_admin_cannot_make_itself_superuser(client, admin_user):
    post(client, admin_user, admin_user, is_superuser="on", groups=[])
    admin_user.refresh_from_db()
    assert not admin_user.is_superuser
    assert admin_user.groups.filter(name="admin").exists()  # nor drop or pick its own roles


def test_the_admin_cannot_grant_staff(client, admin_user, agent):
    post(client, admin_user, agent, is_staff="on")
    agent.refresh_from_db()
    assert not agent.is_staff


def test_the_admin_cannot_set_an_authority_limit_above_its_own(client, admin_user, agent):
    for user in (admin_user, agent):
        response = post(client, admin_user, user, authority_limit="100000")
        assert response.status_code == 200  # the form again, with the refusal
        assert "只有超级管理员可以设置高于您本人权限（1000.00 元）" in response.content.decode()  # 中文在先
        user.refresh_from_db()
        assert user.authority_limit != Decimal("100000")
    assert not UserRightsEvent.objects.exists()


def test_within_its_own_limit_the_admin_sets_limits_and_the_change_is_recorded(client, admin_user, agent):
    response = post(client, admin_user, agent, authority_limit="800")
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.authority_limit == Decimal("800")
    event = UserRightsEvent.objects.get(user=agent)
    assert event.actor == admin_user and event.changes == {"authority_limit": [None, "800.00"]}


def test_a_superusers_account_and_password_are_for_superusers(client, admin_user, superuser):
    client.force_login(admin_user)
    assert client.post(f"/admin/accounts/user/{superuser.pk}/password/", {}).status_code == 403
    response = post(client, admin_user, superuser, is_superuser=None, is_staff=None)
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_superuser and superuser.is_staff


def test_a_superuser_grants_staff_and_it_is_recorded(client, superuser, agent):
    assert post(client, superuser, agent, is_staff="on", authority_limit="50000").status_code == 302
    agent.refresh_from_db()
    assert agent.is_staff and agent.authority_limit == Decimal("50000")
    changes = UserRightsEvent.objects.get(user=agent).changes
    assert changes["is_staff"] == [False, True] and changes["authority_limit"] == [None, "50000.00"]

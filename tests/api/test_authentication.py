"""Token authentication remembers a token's user for a few seconds per process, but never past
a revocation or a change of the user made in the same process, and never shares one user
object between requests."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kesu.api.authentication import TeamTokenAuthentication

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"


@pytest.fixture
def token(agent):
    return Token.objects.create(user=agent)


def client_with(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_user_is_read_once_and_remembered(token, django_assert_num_queries):
    auth = TeamTokenAuthentication()
    with django_assert_num_queries(1):
        first, _ = auth.authenticate_credentials(token.key)
    with django_assert_num_queries(0):
        second, _ = auth.authenticate_credentials(token.key)
        assert second.team.name == first.team.name  # the team came with the user
    assert first == second and first is not second


def test_what_a_request_caches_on_its_user_stays_with_that_request(token):
    auth = TeamTokenAuthentication()
    first, _ = auth.authenticate_credentials(token.key)
    assert first.has_perm("complaints.add_complaint")  # caches the permissions on this object
    second, _ = auth.authenticate_credentials(token.key)
    assert not hasattr(second, "_perm_cache")


def test_a_revoked_token_is_refused_at_once(token):
    client = client_with(token)
    assert client.get(URL).status_code == 200
    token.delete()
    assert client.get(URL).status_code == 401


def test_a_deactivated_user_is_refused_at_once(token, agent):
    client = client_with(token)
    assert client.get(URL).status_code == 200
    agent.is_active = False
    agent.save()
    assert client.get(URL).status_code == 401


def test_a_team_change_is_seen_at_once(token, agent, other_team):
    auth = TeamTokenAuthentication()
    assert auth.authenticate_credentials(token.key)[0].team.name == agent.team.name
    agent.team = other_team
    agent.save()
    assert auth.authenticate_credentials(token.key)[0].team == other_team


def test_an_unknown_token_is_refused(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(URL).status_code == 401

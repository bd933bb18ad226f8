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


# --- tokens expire, can be revoked, and die with a password change -------------------------------


def _token_client(api, user):
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client, token


def test_an_old_token_expires_and_a_new_one_is_issued(api, agent, settings):
    from datetime import timedelta

    from django.utils import timezone

    client, token = _token_client(api, agent)
    assert client.get("/api/v1/complaints/").status_code == 200
    token.created = timezone.now() - timedelta(days=settings.KESU_TOKEN_TTL_DAYS + 1)
    token.save()
    expired = client.get("/api/v1/complaints/")
    assert expired.status_code == 401 and expired.json()["code"] == "authentication_failed"
    fresh = api().post("/api/v1/auth/token/", {"username": "agent", "password": "pw-kesu-123"}, format="json")
    assert fresh.status_code == 200 and fresh.json()["token"] != token.key


def test_a_token_is_revoked_by_its_holder(api, agent):
    client, _ = _token_client(api, agent)
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/complaints/").status_code == 401


def test_a_password_change_ends_the_users_tokens(api, agent):
    client, _ = _token_client(api, agent)
    agent.set_password("a-new-long-passphrase-9")
    agent.save()
    assert client.get("/api/v1/complaints/").status_code == 401
    agent.display_name = "王小雨"  # any other change leaves a new token alone
    client, _ = _token_client(api, agent)
    agent.save()
    assert client.get("/api/v1/complaints/").status_code == 200


def test_a_user_deactivated_is_refused_even_if_another_request_read_them_before_the_commit(
    token, agent, django_capture_on_commit_callbacks
):
    from kesu import memo
    from kesu.api.authentication import PREFIX, TTL

    client = client_with(token)
    active = Token.objects.select_related("user", "user__team").get(key=token.key)
    with django_capture_on_commit_callbacks(execute=True):
        agent.is_active = False
        agent.save()  # not yet committed: another request still reads the user as active...
        memo.remember(PREFIX + token.key, lambda: active, TTL)  # ... and remembers them
    assert client.get(URL).status_code == 401

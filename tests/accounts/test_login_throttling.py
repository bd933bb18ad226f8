"""Guessing passwords: after five failed logins for one username from one address, that pair is
locked out for a while on the login page, the admin's login and the API's token endpoint alike
(429, in Chinese first; the API in its error shape) — even with the right password."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"


def test_the_token_endpoint_locks_out_after_five_failures(api, agent):
    client = api()
    for _ in range(4):
        assert client.post(TOKEN, {"username": "agent", "password": "guess"}, format="json").status_code == 400
    assert client.post(TOKEN, {"username": "agent", "password": "guess"}, format="json").status_code == 429
    locked = client.post(TOKEN, {"username": "agent", "password": "pw-kesu-123"}, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "rate_limited" and "登录失败次数过多" in locked.json()["message"]


def test_the_login_page_and_the_admin_login_lock_out_too(client, agent):
    for _ in range(5):
        client.post("/login/", {"username": "agent", "password": "guess"})
    locked = client.post("/login/", {"username": "agent", "password": "pw-kesu-123"})
    assert locked.status_code == 429 and "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    admin = client.post("/admin/login/", {"username": "agent", "password": "pw-kesu-123"})
    assert admin.status_code == 429


def test_other_users_and_a_success_before_the_limit_are_not_affected(api, agent, agent2):
    client = api()
    for _ in range(4):
        client.post(TOKEN, {"username": "agent", "password": "guess"}, format="json")
    assert client.post(TOKEN, {"username": "agent", "password": "pw-kesu-123"}, format="json").status_code == 200
    for _ in range(4):  # the success cleared the count
        client.post(TOKEN, {"username": "agent", "password": "guess"}, format="json")
    assert client.post(TOKEN, {"username": "agent2", "password": "pw-kesu-123"}, format="json").status_code == 200
    assert client.post(TOKEN, {"username": "agent", "password": "pw-kesu-123"}, format="json").status_code == 200

from __future__ import annotations

import os
import socket

# The semantic tier (the encoder, ~35 ms a text) is off unless a test asks for it (tests/core/analysis/
# test_semantic.py loads it explicitly): rules and the product's flows are tested on the fast tier.
os.environ.setdefault("KESU_SEMANTIC", "0")

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from kesu.complaints import services
from tests.factories import CustomerFactory, TeamFactory, UserFactory


def service_reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def require_service(port: int, name: str) -> None:
    """Skip locally when a service is down; in CI (KESU_REQUIRE_SERVICES=1) fail instead."""
    if service_reachable(port):
        return
    if os.environ.get("KESU_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} on 127.0.0.1:{port} is required in CI but not reachable")
    pytest.skip(f"{name} on 127.0.0.1:{port} is not running")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached configuration must not leak from one test's (rolled back) database to the next."""
    from django.core.cache import cache

    from kesu import memo

    cache.clear()
    memo.clear()
    yield
    cache.clear()
    memo.clear()


@pytest.fixture(autouse=True)
def _outbox_in_tmp(settings, tmp_path):
    """No test writes SMS files into the project's var/ or delivers unless it asks to."""
    settings.KESU_SMS_DIR = tmp_path / "sms"
    settings.KESU_OUTBOX_DELIVER_ON_COMMIT = False


@pytest.fixture(autouse=True)
def _english_messages():
    """Tests read refusal messages in English unless they switch language themselves."""
    with translation.override("en"):
        yield


@pytest.fixture
def team(db):
    return TeamFactory(name="投诉一组")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="投诉二组")


@pytest.fixture
def agent(team):
    return UserFactory(username="agent", team=team, role="agent")


@pytest.fixture
def agent2(team):
    return UserFactory(username="agent2", team=team, role="agent")


@pytest.fixture
def other_agent(other_team):
    return UserFactory(username="other_agent", team=other_team, role="agent")


@pytest.fixture
def lead(team):
    return UserFactory(username="lead", team=team, role="team_lead")


@pytest.fixture
def other_lead(other_team):
    return UserFactory(username="other_lead", team=other_team, role="team_lead")


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", team=None, role="manager")


@pytest.fixture
def qa(db):
    return UserFactory(username="qa", team=None, role="qa_inspector")


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def make_complaint(agent, customer):
    def make(actor=None, **overrides):
        fields = {
            "customer": customer,
            "text": "手机买了一周就黑屏了，客服一直推脱，我要求换新机。",
            "channel": "phone",
        }
        fields.update(overrides)
        return services.complaint_create(actor=actor or agent, **fields)

    return make


@pytest.fixture
def api():
    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for

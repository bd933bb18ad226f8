"""The Django side's fixtures (users per role, a customer, complaints, an API client), a pytest
plugin that :mod:`tests.conftest` loads when pytest-django runs."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from kesu.handling.intake import take_in
from tests.factories import CustomerFactory, TeamFactory, UserFactory


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
    settings.KESU_SEMANTIC_TIER = False  # no complaint waits for the encoder unless a test asks
    settings.STORAGES = {  # uploaded import files too
        **settings.STORAGES,
        "imports": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "imports")}},
    }


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
        return take_in(actor=actor or agent, **fields)

    return make


@pytest.fixture
def api():
    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def scripts_encoder(monkeypatch, real_encoder):
    """Scripts are embedded with the real encoder as they are saved (the session keeps it off)."""
    from kesu.scripts import encoding

    monkeypatch.setattr(encoding, "get_semantic_model", lambda: real_encoder)
    return real_encoder

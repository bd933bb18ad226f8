"""The OpenAPI schema tells the truth: schemathesis (pinned in the dev extra) generates requests,
valid and invalid, for every operation of the schema the app serves, sends them through the app
in-process, and fails on any 5xx and any response whose status code or body the schema does not
declare (nullable fields, pagination, error responses).

Bounded and reproducible: a few examples per operation, derandomised, no example database. Each
operation is one test inside the test database's transaction, so whatever its requests write is
rolled back after it (attachments go to a temporary folder). The writes run as a team lead with a
token (who may act on the team's complaints); the reads run again as a QA inspector (read-only,
personal data masked).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from kesu.api.schema import ERROR_COMPONENT
from kesu.handling.intake import take_in
from kesu.wsgi import application
from tests.factories import CustomerFactory

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
BOUNDED = {
    "derandomize": True,
    "deadline": None,
    "database": None,
    # The fixtures (users, tokens, complaints) are made once per operation, on purpose; the
    # requests of one operation may change them (a complaint accepted, a token revoked), as a
    # client's would.
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
}

SPEC = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(SPEC)
schema.app = application
reads = schemathesis.openapi.from_dict(SPEC).include(method="GET")
reads.app = application


@pytest.fixture(autouse=True)
def _in_the_test_transaction(settings, tmp_path):
    """The app is called as a WSGI app in this thread: like Django's test client, keep a request
    from closing the connection the test's transaction lives on; files go to a temporary folder."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # The token endpoint hashes every password it is sent: a fast hasher keeps the run short.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        },
    }
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, team, agent, lead, qa):
    """Two complaints of the lead's team to act on, and a token each for the lead and QA."""
    complaints = [
        take_in(actor=agent, customer=CustomerFactory(), text=text, channel="phone")
        for text in ("宽带断网三天了，维修一直不上门。", "手机买了一周就黑屏了，我要求换新机。")
    ]
    return {
        "lead": Token.objects.create(user=lead).key,
        "qa": Token.objects.create(user=qa).key,
        "reference": complaints[0].reference,
    }


def _call(case, world, who):
    """Cases name a real complaint: a made-up reference would only ever meet the 404."""
    if "reference" in (case.path_parameters or {}):
        case.path_parameters["reference"] = world["reference"]
    case.call_and_validate(headers={"Authorization": f"Token {world[who]}"}, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=5, **BOUNDED)
def test_every_operation_keeps_to_the_schema(case, world):
    _call(case, world, "lead")


@pytest.mark.django_db
@reads.parametrize()
@settings(max_examples=2, **BOUNDED)
def test_every_read_keeps_to_the_schema_for_a_read_only_role(case, world):
    _call(case, world, "qa")


def test_every_operation_documents_its_refusals_in_the_error_shape():
    error = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    operations = [
        (path, method, operation)
        for path, item in SPEC["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) >= 45
    for path, method, operation in operations:
        responses = operation["responses"]
        if path != "/api/v1/auth/token/" or method != "post":
            assert responses["401"]["content"]["application/json"]["schema"] == error, (path, method)
        if "{" in path:
            assert "404" in responses, (path, method)
        if method == "post":
            assert {"400", "409"} <= set(responses), (path, method)
    assert set(SPEC["components"]["schemas"][ERROR_COMPONENT]["required"]) == {"code", "message"}

"""Bad input is a 400 in the API's error shape (JSON with a stable code), never a 500 or an HTML
page: ids too large for the database, dates of year 1 or 9999, JSON nested too deep, a CSV field
over the csv module's limit; and a complaint received before 2000 is refused in Chinese first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db
HUGE = "9" * 30
NESTED = "[" * 5000 + "]" * 5000


@pytest.fixture
def call(api):
    def client(user):
        c = api(user)
        c.raise_request_exception = False
        return c

    return client


def error(response, status: int = 400) -> str:
    assert response.status_code == status, (response.status_code, response.content[:200])
    assert response["Content-Type"].startswith("application/json")
    return response.json()["code"]


def test_ids_too_large_for_the_database(call, manager):
    assert error(call(manager).get("/api/v1/complaints/", {"team": HUGE})) == "invalid"
    assert error(call(manager).get("/api/v1/kpis/", {"team": HUGE})) == "invalid_team"
    assert error(call(manager).get(f"/api/v1/escalations/{HUGE}/"), 404) == "not_found"


def test_far_dates_in_lists_and_figures(call, manager):
    for params in ({"received_after": "0001-01-01"}, {"received_before": "9999-12-31T23:59:59Z"}):
        assert error(call(manager).get("/api/v1/complaints/", params)) == "invalid"
    for params in ({"month": "0001-01"}, {"month": "9999-12"}, {"from": "0001-01-01", "to": "0002-01-01"}):
        assert error(call(manager).get("/api/v1/kpis/", params)) == "invalid_period"


def test_the_metrics_pages_refuse_far_months_with_a_400(client, manager):
    client.force_login(manager)
    for params in ({"month": "0001-01"}, {"team": HUGE}):
        assert client.get("/metrics/", params).status_code == 400


def test_json_nested_too_deep(call, agent, qa):
    for user, url in ((agent, "/api/v1/complaints/"), (qa, "/api/v1/qa/transcripts/")):
        response = call(user).generic("POST", url, NESTED, content_type="application/json")
        assert error(response) in {"parse_error", "invalid_json"}


def test_a_csv_field_over_the_limit(call, qa):
    big = "ref,agent,speaker,start,end,text\nR1,agent,agent,0,1," + "x" * 200_000 + "\n"
    upload = SimpleUploadedFile("calls.csv", big.encode(), content_type="text/csv")
    assert error(call(qa).post("/api/v1/qa/transcripts/", {"file": upload}, format="multipart")) == "text_too_long"


def test_a_complaint_received_before_2000_is_refused_in_chinese(call, agent, settings):
    body = {"customer": {"name": "李娜"}, "text": "宽带坏了", "channel": "phone", "received_at": "1900-01-01T00:00:00Z"}
    response = call(agent).post("/api/v1/complaints/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert error(response) == "received_too_long_ago" and "受理时间不能早于2000年" in response.json()["message"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=st.just(dt.UTC)))
def test_any_time_received_is_taken_in_or_refused_never_a_500(call, agent, received):
    body = {"customer": {"name": "李娜"}, "text": "宽带坏了", "channel": "phone", "received_at": received.isoformat()}
    response = call(agent).post("/api/v1/complaints/", body, format="json")
    assert response.status_code in (201, 400) and response["Content-Type"].startswith("application/json")
    if response.status_code == 400:
        assert response.json()["code"] in {"received_too_long_ago", "received_in_future", "invalid"}

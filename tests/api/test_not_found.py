"""An /api/ URL that matches no operation answers in the API's error shape (JSON with a stable
code), not the site's HTML 404 page; the trailing-slash redirect still works."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/nothing/", "/api/v1/nothing/", "/api/v1/nothing", "/api/v2/complaints/"])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_url_is_a_json_404(path, method):
    response = getattr(Client(HTTP_ACCEPT_LANGUAGE="zh-hans"), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_found", "message": "没有这个接口。"}


@pytest.mark.django_db
def test_an_api_url_without_its_slash_still_redirects_and_pages_keep_their_404(client):
    assert client.get("/api/v1/complaints")["Location"] == "/api/v1/complaints/"
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")



BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.django_db
@pytest.mark.parametrize("accept", [BROWSER, "application/json"])
def test_an_unknown_complaint_is_not_found_not_an_unknown_operation(api, agent, accept):
    """A 404 of an operation that exists says the complaint was not found, whatever the client
    accepts (a browser gets the browsable API's HTML 404 rewritten); an unknown URL still says there
    is no such operation."""
    client = api(agent)
    for path in ("/api/v1/complaints/KS0000000000/", "/api/v1/complaints/KS0000000000/follow-ups/"):
        response = client.get(path, HTTP_ACCEPT=accept, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
        assert response.json() == {"code": "not_found", "message": "未找到。"}, path
    unknown = client.get("/api/v1/nothing/", HTTP_ACCEPT=accept, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert unknown.json() == {"code": "not_found", "message": "没有这个接口。"}

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


"""Every page carries a Content-Security-Policy that its own scripts pass (each inline script
has the response's nonce; no inline handlers or styles), and nothing with personal data is
cached by a browser or a proxy; static files keep their caching."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kesu.complaints import services

pytestmark = pytest.mark.django_db


def nonce_of(response) -> str:
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    return re.search(r"'nonce-([^']+)'", policy).group(1)


def assert_passes_its_policy(response) -> None:
    html = response.content.decode()
    nonce = nonce_of(response)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or f'nonce="{nonce}"' in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=\"", html)  # no inline event handlers
    assert not re.search(r"\sstyle=\"", html) and "<style" not in html  # no inline styles


def test_the_pages_pass_their_content_security_policy(client, make_complaint, agent, manager):
    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    assert_passes_its_policy(client.get(reverse("web:login")))
    client.force_login(agent)
    for url in (
        reverse("web:home"),
        reverse("web:queue"),
        reverse("web:complaint", args=[complaint.reference]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert_passes_its_policy(response)
    assert_passes_its_policy(client.get("/training/"))
    client.force_login(manager)
    assert_passes_its_policy(client.get("/metrics/"))
    assert_passes_its_policy(client.get("/metrics/report/"))
    for url in ("/reviews/", "/reviews/journey/", "/reviews/causes/", "/reviews/actions/", "/reviews/teams/",
                "/reviews/panel/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_passes_its_policy(response)
    # each response its own nonce
    assert nonce_of(client.get("/metrics/")) != nonce_of(client.get("/metrics/"))


def test_responses_with_personal_data_are_not_stored(client, api, make_complaint, agent):
    complaint = make_complaint()
    client.force_login(agent)
    page = client.get(reverse("web:complaint", args=[complaint.reference]))
    assert page["Cache-Control"] == "no-store"
    assert api(agent).get(f"/api/v1/complaints/{complaint.reference}/")["Cache-Control"] == "no-store"


def test_the_referrer_stays_on_the_site(client):
    assert client.get(reverse("web:login"))["Referrer-Policy"] == "same-origin"

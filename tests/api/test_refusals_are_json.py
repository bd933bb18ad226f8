"""Under /api/ a refusal is JSON in the API's error shape, in the request's language, even for a
browser (``Accept: text/html``), which DRF would otherwise answer with its browsable HTML page."""

from __future__ import annotations

import json

import pytest
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, HttpResponseGone
from django.test import Client, RequestFactory
from django.utils import translation

from kesu.api.errors import JsonErrorsMiddleware

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def assert_json(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json"), response.content[:80]
    return json.loads(response.content)


@pytest.mark.django_db
def test_a_signed_in_browsers_write_without_its_csrf_header_is_refused_in_json(agent):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    response = browser.post(
        "/api/v1/complaints/", {"text": "宽带断了"}, HTTP_ACCEPT=BROWSER, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert assert_json(response, 403) == {
        "code": "permission_denied",
        "message": "CSRF 校验失败：已登录的浏览器提交修改时须带 X-CSRFToken 请求头（值取自 csrftoken Cookie）；脚本请改用令牌。",
    }
    english = browser.post("/api/v1/complaints/", {"text": "x"}, HTTP_ACCEPT=BROWSER, HTTP_ACCEPT_LANGUAGE="en")
    assert assert_json(english, 403)["message"].startswith("The CSRF check failed")


@pytest.mark.django_db
@pytest.mark.parametrize("accept", [BROWSER, "application/json"])
def test_a_role_that_may_not_is_refused_in_json_whatever_the_client_accepts(api, agent, accept):
    response = api(agent).get("/api/v1/kpis/", HTTP_ACCEPT=accept, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert assert_json(response, 403) == {"code": "permission_denied", "message": "只有主管和班组长可以查看指标看板。"}


@pytest.mark.django_db
def test_an_unauthenticated_browser_is_answered_in_json(db):
    response = Client().get("/api/v1/complaints/", HTTP_ACCEPT=BROWSER, HTTP_ACCEPT_LANGUAGE="en")
    assert assert_json(response, 401) == {"code": "not_authenticated", "message": "Authentication credentials were not provided."}


def test_a_403_page_from_outside_drf_is_rewritten_as_json_under_api_only():
    """Django's own 403 (its CSRF page, a PermissionDenied in a plain view) under /api/ says the user
    may not, in JSON; the site's pages keep theirs."""
    page = HttpResponseForbidden("<h1>403 Forbidden</h1>", content_type="text/html")
    middleware = JsonErrorsMiddleware(lambda request: page)
    with translation.override("zh-hans"):
        response = middleware(RequestFactory().post("/api/v1/anything/", HTTP_ACCEPT=BROWSER))
    assert assert_json(response, 403) == {"code": "permission_denied", "message": "您没有执行此操作的权限。"}
    assert middleware(RequestFactory().post("/complaints/1/", HTTP_ACCEPT=BROWSER)) is page


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh-hans", "此接口不接受 GET 请求，可用的方法：POST。"),
        ("en", "This operation does not accept GET; it accepts POST."),
    ],
)
def test_a_plain_views_405_is_json_in_the_users_language_and_keeps_its_allow_header(db, language, message):
    """The inbound mail webhook is a plain Django view (``require_POST``): a browser's GET on it
    was Django's empty HTML 405."""
    response = Client().get("/api/v1/inbound/mail/", HTTP_ACCEPT=BROWSER, HTTP_ACCEPT_LANGUAGE=language)
    assert assert_json(response, 405) == {"code": "method_not_allowed", "message": message}
    assert response["Allow"] == "POST"


@pytest.mark.parametrize(
    ("page", "body"),
    [
        (HttpResponseBadRequest("<h1>Bad Request (400)</h1>"), {"code": "bad_request", "message": "请求无效。"}),
        (HttpResponseGone("<p>gone</p>"), {"code": "bad_request", "message": "请求被拒绝（HTTP 410）。"}),
        (HttpResponse("<p>busy</p>", status=503), {"code": "server_error", "message": "系统出错了，请稍后再试。"}),
    ],
)
def test_any_other_html_error_page_under_api_is_rewritten_as_json(page, body):
    middleware = JsonErrorsMiddleware(lambda request: page)
    with translation.override("zh-hans"):
        response = middleware(RequestFactory().get("/api/v1/anything/", HTTP_ACCEPT=BROWSER))
    assert assert_json(response, page.status_code) == body
    assert middleware(RequestFactory().get("/complaints/1/", HTTP_ACCEPT=BROWSER)) is page

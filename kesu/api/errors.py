"""One error shape for the whole API: ``{"code", "message", "details"?, "fields"?}``, never a 500
for bad input, and never an HTML page, whatever the client accepts (a browser's ``Accept:
text/html`` too). Messages are in the request's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.core.errors import ErrorCode

#: DRF's refusal of a signed-in browser's write without the CSRF header ("CSRF Failed: <reason>",
#: untranslated): answered in the request's language.
CSRF_FAILED = "CSRF Failed:"


def csrf_refused_message() -> str:
    return _(
        "The CSRF check failed: a signed-in browser's write must send the X-CSRFToken header "
        "(the csrftoken cookie's value); scripts use a token instead."
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The refusal in the API's error shape, rendered as JSON: a browser asking for HTML would
    otherwise get DRF's browsable page for it."""
    response = _error_response(exc, context)
    request = context.get("request")
    if response is not None and request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


def _error_response(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ComplaintError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"code": "payload_too_large", "message": _("The request is too large.")},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Http404):
        return Response({"code": "not_found", "message": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "message": _("Some fields are not valid."),
            "fields": response.data,
        }
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith(CSRF_FAILED):
        response.data = {"code": ErrorCode.PERMISSION_DENIED, "message": csrf_refused_message()}
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else response.data
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        response.data = {"code": code, "message": str(detail)}
    return response


#: Headers of the refused response the JSON answer keeps: which methods would do, when to retry,
#: how to authenticate.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class JsonErrorsMiddleware:
    """Under ``/api/``, every 4xx or 5xx answer that is not JSON already — a plain Django view's
    405 (``require_POST``), 400 or 404, Django's CSRF page — is rewritten in the API's error shape
    ``{"code", "message"}``, in the request's language, whatever the client accepts; a 500 is
    rewritten with DEBUG off only (with it on, the developer gets Django's page). A 403 that is not
    the API's own says the user may not. A 404 of a URL that matched no operation says there is no
    such operation; one of an operation that exists (an unknown complaint, answered as HTML when the
    client asked for it, as a browser does) says the thing was not found. A 405 keeps its ``Allow``
    header and names the methods it lists. The trailing-slash redirect still happens first (this
    runs outside ``CommonMiddleware``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if response.status_code == 500 and settings.DEBUG:
            return response
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        if content_type == "application/json" or content_type.endswith("+json"):
            return response
        answer = JsonResponse(
            _error_body(request, response),
            status=response.status_code,
            json_dumps_params={"ensure_ascii": False},
        )
        for header in _KEPT_HEADERS:
            if header in response:
                answer[header] = response[header]
        answer.cookies = response.cookies  # a CSRF or session cookie set on the way out still goes
        return answer


def _error_body(request: HttpRequest, response: HttpResponse) -> dict[str, str]:
    status_code = response.status_code
    if status_code == 403:
        return PermissionRefused().as_dict()
    if status_code == 404 and getattr(request, "resolver_match", None) is None:
        return {"code": ErrorCode.NOT_FOUND, "message": _("No such API operation.")}
    if status_code == 404:
        return {"code": ErrorCode.NOT_FOUND, "message": _("Not found.")}
    if status_code == 405:
        allowed = ", ".join(
            method.strip() for method in response.get("Allow", "").split(",") if method.strip()
        )
        if allowed:
            message = _("This operation does not accept %(method)s; it accepts %(allowed)s.") % {
                "method": request.method,
                "allowed": allowed,
            }
        else:
            message = _("This operation does not accept %(method)s.") % {"method": request.method}
        return {"code": ErrorCode.METHOD_NOT_ALLOWED, "message": message}
    if status_code == 413:
        return {"code": ErrorCode.PAYLOAD_TOO_LARGE, "message": _("The request is too large.")}
    if status_code == 429:
        return {"code": ErrorCode.RATE_LIMITED, "message": _("Too many requests. Please try again later.")}
    if status_code >= 500:
        return {"code": ErrorCode.SERVER_ERROR, "message": _("Something went wrong; please try again later.")}
    if status_code == 400:
        return {"code": ErrorCode.BAD_REQUEST, "message": _("The request is not valid.")}
    return {
        "code": ErrorCode.BAD_REQUEST,
        "message": _("The request was refused (HTTP %(status)s).") % {"status": status_code},
    }

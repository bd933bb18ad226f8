"""Refuse oversize request bodies with 413 before any view reads them (no 500, nothing half-read);
pages in Chinese first; the security headers of every response."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _


class RequestTooBigMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
        limit = settings.KESU_MAX_IMPORT_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            message = _("The request is too large.")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "payload_too_large", "message": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are in Chinese unless the user chose another language (the language switcher's
    cookie); the browser's Accept-Language is not enough to leave Chinese. The API still honours
    Accept-Language, so integrations get messages in the language they ask for."""

    def process_request(self, request: HttpRequest) -> None:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every page (scripts only from here or with this response's
    nonce, ``request.csp_nonce``; no inline styles), and ``Cache-Control: no-store`` on every
    response that does not set its own caching: pages and API answers carry personal data, so no
    browser or proxy keeps them. Static files are served before this runs (WhiteNoise) and keep
    their long caching. The admin's and the API documentation's own pages need inline code and get
    :data:`settings.KESU_CSP_THIRD_PARTY`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            third_party = request.path.startswith(settings.KESU_CSP_THIRD_PARTY_PATHS)
            policy = settings.KESU_CSP_THIRD_PARTY if third_party else settings.KESU_CSP.format(nonce=nonce)
            response["Content-Security-Policy"] = policy
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response


class UserLanguageMiddleware:
    """A signed-in user's stored language (``User.language``, set by the language menu) wins over
    the cookie, so the choice follows them to any browser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language and language in dict(settings.LANGUAGES) and not request.path.startswith("/api/"):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

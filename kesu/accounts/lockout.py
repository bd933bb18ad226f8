"""What a client locked out for too many failed logins gets (django-axes calls :func:`locked_out`):
the API's error shape under ``/api/``, the login page's look elsewhere, both with status 429."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kesu.core.errors import ErrorCode


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("Too many failed logins. Try again in %(minutes)s minutes, or ask an administrator.") % {
        "minutes": minutes
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"code": ErrorCode.RATE_LIMITED, "message": message}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)

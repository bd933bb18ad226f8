"""Paths the API answered at before it lived under one root: each answers ``308 Permanent
Redirect`` to its new place under ``/api/v1/`` (method, body and query kept), with a
``Deprecation`` header and a ``Link`` to the successor. Documented in the README; to be removed
in a later version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.views.decorators.csrf import csrf_exempt


def moved(target: str) -> Callable[..., HttpResponse]:
    """A view that sends every method to ``target`` (``{name}`` filled from the path)."""

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        location = target.format(**kwargs)
        if request.META.get("QUERY_STRING"):
            location = f"{location}?{request.META['QUERY_STRING']}"
        response = HttpResponsePermanentRedirect(location, preserve_request=True)
        response["Deprecation"] = "true"
        response["Link"] = f'<{target.format(**kwargs)}>; rel="successor-version"'
        return response

    return view

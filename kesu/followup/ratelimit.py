"""A small fixed-window rate limit on the cache, for the public follow-up page."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

log = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    """The customer's address. Behind the TLS proxy (KESU_BEHIND_TLS_PROXY) REMOTE_ADDR is the proxy's
    for everyone, so the address the proxy appended to X-Forwarded-For (its rightmost entry, the one a
    client cannot forge) is used; otherwise every customer would share one bucket."""
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:64]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(key: str, *, limit: int, window_s: int) -> bool:
    """Count one hit on ``key``; ``False`` once more than ``limit`` came within the window."""
    cache_key = f"kesu:ratelimit:{key}"
    try:
        cache.add(cache_key, 0, window_s)
        try:
            hits = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, window_s)
            hits = 1
    except Exception:  # the shared cache is down: the customer's answer matters more than the limit
        log.warning("follow-up rate limit: the cache did not answer; the request is let through", exc_info=True)
        return True
    return hits <= limit

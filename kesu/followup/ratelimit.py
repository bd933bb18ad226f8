"""A small fixed-window rate limit on the cache, for the public follow-up page."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(key: str, *, limit: int, window_s: int) -> bool:
    """Count one hit on ``key``; ``False`` once more than ``limit`` came within the window."""
    cache_key = f"kesu:ratelimit:{key}"
    cache.add(cache_key, 0, window_s)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, window_s)
        hits = 1
    return hits <= limit

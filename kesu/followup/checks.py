"""Deploy checks of the follow-up page: its rate limit counts in the cache, so production needs a
cache every process shares (``KESU_CACHE_URL`` or the Redis broker)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

PER_PROCESS = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG or settings.CACHES["default"]["BACKEND"] not in PER_PROCESS:
        return []
    return [
        checks.Warning(
            "The cache is per process, so the follow-up link rate limit is counted per worker.",
            hint="Set KESU_CACHE_URL (redis://…) or a Redis CELERY_BROKER_URL.",
            id="kesu.W001",
        )
    ]

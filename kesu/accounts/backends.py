"""Django's model backend with each user's permission set remembered for 30 s per process:
every request checks permissions, and loading them costs two joined queries. A change of
groups or permissions clears the memo at once in the process that made it; other processes
follow within 30 s (documented in the README)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from kesu import memo

PREFIX = "kesu:perms:"
TTL = 30.0


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            key = f"{PREFIX}{user_obj.pk}:{int(user_obj.is_superuser)}"
            user_obj._perm_cache = memo.remember(
                key, lambda: super(CachedPermissionsBackend, self).get_all_permissions(user_obj), TTL
            )
        return user_obj._perm_cache


def forget_permissions(**_: Any) -> None:
    memo.forget_prefix(PREFIX)

"""Django's model backend with each user's permission set remembered for 30 s per process:
every request checks permissions, and loading them costs two joined queries. A change of
groups or permissions clears the memo at once in the process that made it, and again when the
change commits; other processes follow within 30 s (documented in the README)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import transaction

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


def _forget() -> None:
    memo.forget_prefix(PREFIX)


def forget_permissions(using: str | None = None, **_: Any) -> None:
    """Forget every user's remembered roles and permissions: now, for the rest of the changing
    transaction, and again once it commits — until then another request reads the rights last
    committed and would remember the old ones for the TTL."""
    _forget()
    transaction.on_commit(_forget, using=using)

"""Token authentication for the API: every call authenticates, and an integration sends many a
second, so the token's user (with their team, which every call checks for visibility) is read in
one query and remembered per process for a few seconds.

Revoking a token, or changing or deactivating its user or their team, clears the memo at once in
the process that saved the change (signals in ``kesu.api.apps``); the other processes refuse a
revoked token or an inactive user within ``TTL`` seconds.
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from kesu import memo

PREFIX = "kesu:token:"
TTL = 10.0


class TeamTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        remembered = memo.remember(PREFIX + key, lambda: _load(key), TTL)
        # Each request gets its own copies, so what a request caches on its user (permissions,
        # related objects) never outlives the request.
        token = copy.copy(remembered)
        token.user = copy.copy(remembered.user)
        return token.user, token


def _load(key: str) -> Token:
    try:
        token = Token.objects.select_related("user", "user__team").get(key=key)
    except Token.DoesNotExist:
        raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
    if not token.user.is_active:
        raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
    return token


def forget_tokens(**_: Any) -> None:
    memo.forget_prefix(PREFIX)

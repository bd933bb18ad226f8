"""Token authentication for the API: every call authenticates, and an integration sends many a
second, so the token's user (with their team, which every call checks for visibility) is read in
one query and remembered per process for a few seconds.

A token expires ``KESU_TOKEN_TTL_DAYS`` after it was issued, is revoked by ``DELETE`` on the token
endpoint, and dies when its user's password changes. Revoking a token, or changing or deactivating its user or their team, clears the memo at once in
the process that saved the change, and again when it commits (signals in ``kesu.api.apps``); the other processes refuse a
revoked token or an inactive user within ``TTL`` seconds.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
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
        if token_expired(remembered):
            raise exceptions.AuthenticationFailed(_("The token has expired; ask for a new one."))
        token = copy.copy(remembered)
        token.user = copy.copy(remembered.user)
        return token.user, token


def token_expired(token: Token) -> bool:
    """A token lives ``KESU_TOKEN_TTL_DAYS`` from its creation (a new one is issued on request)."""
    return token.created < timezone.now() - timedelta(days=settings.KESU_TOKEN_TTL_DAYS)


def token_issue(user: Any) -> Token:
    """The user's token, a new one in place of an expired one."""
    token, _created = Token.objects.get_or_create(user=user)
    if token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


def token_revoke(key: str) -> None:
    Token.objects.filter(key=key).delete()


def revoke_tokens_on_password_change(sender: Any, instance: Any, update_fields: Any = None, **_: Any) -> None:
    """A changed password ends the user's tokens: whoever knew the old one loses the API too."""
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        Token.objects.filter(user_id=instance.pk).delete()


def _load(key: str) -> Token:
    try:
        token = Token.objects.select_related("user", "user__team").get(key=key)
    except Token.DoesNotExist:
        raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
    if not token.user.is_active:
        raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
    return token


def _forget() -> None:
    memo.forget_prefix(PREFIX)


def forget_tokens(using: str | None = None, **_: Any) -> None:
    """Forget the remembered tokens now and again once the change commits: a request in between
    reads the token and user last committed (still active, not yet revoked) and would remember them."""
    _forget()
    transaction.on_commit(_forget, using=using)

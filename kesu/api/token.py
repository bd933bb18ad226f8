"""The token endpoint (apart from :mod:`kesu.api.authentication`, which DRF's settings import)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from kesu.api.authentication import TeamTokenAuthentication, token_issue, token_revoke


class ObtainToken(ObtainAuthToken):
    """``POST /api/v1/auth/token/``: a token for a username and password, throttled like every
    login (django-axes sees the attempt on the Django request, not DRF's wrapper, and a success
    counts as a login: it clears the failures and stamps the last login)."""

    authentication_classes = [TeamTokenAuthentication]

    def get_permissions(self) -> list[Any]:
        """Anyone may ask for a token; revoking one needs it."""
        return [IsAuthenticated()] if self.request.method == "DELETE" else []

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        django_request = request._request
        serializer = self.serializer_class(data=request.data, context={"request": django_request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        return Response({"token": token_issue(user).key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Revoke the token this request was made with."""
        if not isinstance(request.auth, Token):
            raise exceptions.NotAuthenticated()
        token_revoke(request.auth.key)
        return Response(status=status.HTTP_204_NO_CONTENT)

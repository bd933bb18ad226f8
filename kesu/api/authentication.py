from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


class TeamTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, loading the user's team in the same query: every request
    checks team visibility, so this saves a round trip on each call."""

    def authenticate_credentials(self, key):
        try:
            token = Token.objects.select_related("user", "user__team").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)

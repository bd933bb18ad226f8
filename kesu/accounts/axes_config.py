"""django-axes (login throttling) under a name the admin shows in the user's language. A module of
its own: ``kesu.accounts.apps`` must keep a single AppConfig for Django to pick it."""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _


class LoginThrottlingConfig(AxesConfig):
    verbose_name = _("Login throttling")

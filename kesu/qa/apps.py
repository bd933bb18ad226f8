from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QaConfig(AppConfig):
    name = "kesu.qa"
    label = "qa"
    verbose_name = _("Quality inspection")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "kesu.metrics"
    verbose_name = _("KPIs and reports")

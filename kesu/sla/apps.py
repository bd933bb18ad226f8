from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "kesu.sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from kesu.sla import policies
        from kesu.sla.models import BusinessCalendarConfig, SlaPolicyConfig

        for model in (SlaPolicyConfig, BusinessCalendarConfig):
            post_save.connect(policies.invalidate, sender=model, dispatch_uid=f"sla-save-{model.__name__}")
            post_delete.connect(policies.invalidate, sender=model, dispatch_uid=f"sla-del-{model.__name__}")

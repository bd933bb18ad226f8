from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kesu.customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kesu.customers import tiers
        from kesu.customers.models import Tier

        post_save.connect(tiers.invalidate, sender=Tier, dispatch_uid="tiers-save")
        post_delete.connect(tiers.invalidate, sender=Tier, dispatch_uid="tiers-del")

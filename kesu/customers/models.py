from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.core import privacy


class Tier(models.Model):
    """Customer tier (VIP / high / standard by default). Configurable by admins; SLA and KPI
    targets are set per tier."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=100, help_text=_("Lower ranks are more important (VIP = 0).")
    )

    class Meta:
        verbose_name = _("customer tier")
        verbose_name_plural = _("customer tiers")
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    external_id = models.CharField(_("customer id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    id_card = models.CharField(_("ID card number"), max_length=32, blank=True)
    tier = models.ForeignKey(Tier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="customers")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(fields=["phone"], name="customer_phone_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"

    def masked(self) -> dict[str, str]:
        return {
            "name": privacy.mask_name(self.name),
            "phone": privacy.mask_phone(self.phone),
            "email": privacy.mask_email(self.email),
            "id_card": privacy.mask_id_card(self.id_card),
        }

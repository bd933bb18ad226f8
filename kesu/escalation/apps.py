from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "kesu.escalation"
    verbose_name = _("Escalation")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from kesu.escalation.models import EscalationLevel
        from kesu.escalation.services import invalidate_ladder

        post_save.connect(invalidate_ladder, sender=EscalationLevel, dispatch_uid="ladder-save")
        post_delete.connect(invalidate_ladder, sender=EscalationLevel, dispatch_uid="ladder-del")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "kesu.escalation"
    verbose_name = _("Escalation")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from kesu.accounts.models import User
        from kesu.escalation.ladder import forget_role_holders, invalidate_ladder
        from kesu.escalation.models import EscalationLevel

        post_save.connect(invalidate_ladder, sender=EscalationLevel, dispatch_uid="ladder-save")
        post_delete.connect(invalidate_ladder, sender=EscalationLevel, dispatch_uid="ladder-del")
        # Who holds a role: users joining or leaving groups, or being deactivated.
        m2m_changed.connect(forget_role_holders, sender=User.groups.through, dispatch_uid="holders-groups")
        post_save.connect(forget_role_holders, sender=User, dispatch_uid="holders-user-save")
        post_delete.connect(forget_role_holders, sender=User, dispatch_uid="holders-user-del")

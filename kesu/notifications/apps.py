from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "kesu.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from kesu.notifications.models import WebhookEndpoint
        from kesu.notifications.services import forget_endpoints

        for signal in (post_save, post_delete):
            signal.connect(forget_endpoints, sender=WebhookEndpoint, dispatch_uid="notifications-endpoints")

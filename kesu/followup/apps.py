from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "kesu.followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        from kesu.followup import checks  # noqa: F401  (registers the deploy check)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "kesu.complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        # Make the project's Celery app the current one, so @shared_task binds to it.
        import kesu.celery  # noqa: F401

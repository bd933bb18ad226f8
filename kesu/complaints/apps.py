from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "kesu.complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        # Make the project's Celery app the current one, so @shared_task binds to it.
        import kesu.celery  # noqa: F401
        from kesu import inserts
        from kesu.complaints import taxonomy, workflow_config
        from kesu.complaints.models import Category, ChecklistItemConfig, StageConfig

        # Cached configuration is dropped as soon as an admin changes it (cache upkeep only;
        # no business flow hangs on signals).
        for model in (StageConfig, ChecklistItemConfig):
            post_save.connect(
                workflow_config.invalidate, sender=model, dispatch_uid=f"wfc-save-{model.__name__}"
            )
            post_delete.connect(
                workflow_config.invalidate, sender=model, dispatch_uid=f"wfc-del-{model.__name__}"
            )
        post_save.connect(taxonomy.invalidate, sender=Category, dispatch_uid="taxonomy-save")
        post_delete.connect(taxonomy.invalidate, sender=Category, dispatch_uid="taxonomy-del")
        inserts.cache_wide_statements()  # a complaint's INSERT has more parameters than psycopg caches

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kesu.accounts"
    verbose_name = _("Users and teams")

    def ready(self) -> None:
        from kesu.accounts.roles import sync_role_groups

        # Groups and their permissions are configuration that must exist after every migrate.
        post_migrate.connect(sync_role_groups, dispatch_uid="kesu.accounts.sync_role_groups")

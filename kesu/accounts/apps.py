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

        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from kesu.accounts.backends import forget_permissions
        from kesu.accounts.models import User

        for relation in (User.groups.through, User.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(
                forget_permissions, sender=relation, dispatch_uid=f"perms-{relation.__name__}"
            )
        post_save.connect(forget_permissions, sender=User, dispatch_uid="perms-user-save")
        # A group's name is a role code: renaming or deleting one changes the users' roles.
        post_save.connect(forget_permissions, sender=Group, dispatch_uid="perms-group-save")
        post_delete.connect(forget_permissions, sender=Group, dispatch_uid="perms-group-delete")

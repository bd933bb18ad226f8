from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.append_only import AppendOnlyModel


class Team(models.Model):
    """A complaint-handling team (班组). Agents and team leads see their team's complaints."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. Roles are Django groups (see ``kesu.accounts.roles``)."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    #: The in-app notifications by e-mail as well (the bell always shows them).
    notify_by_email = models.BooleanField(
        _("notifications by e-mail too"),
        default=False,
        help_text=_("Escalations and transfers to me, approvals waiting, deadlines at risk, customers' replies."),
    )
    #: The language the pages are shown in; empty follows the browser (Chinese first).
    language = models.CharField(_("language"), max_length=10, blank=True)
    #: Compensation/refund authority in yuan; null means "the role's default" (see roles).
    authority_limit = models.DecimalField(
        _("authority limit (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True))
            self._role_codes = cached
        return cached

    def effective_authority_limit(self) -> Decimal:
        from kesu.accounts.roles import default_authority_limit

        if self.authority_limit is not None:
            return self.authority_limit
        return default_authority_limit(self.role_codes)


class UserRightsEvent(AppendOnlyModel):
    """One change to who a user is allowed to be: superuser, staff, active, roles, permissions or
    authority limit — who changed it, when, before and after. Append-only, like the complaints'
    audit trail (``kesu.accounts.services.user_rights_record`` writes it)."""

    append_only_message = "A change of user rights, once recorded, is neither changed nor deleted."

    actor = models.ForeignKey(
        User, verbose_name=_("changed by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="rights_events"
    )
    changes = models.JSONField(_("changes"), default=dict)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("change of user rights")
        verbose_name_plural = _("changes of user rights")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id}: {', '.join(self.changes)}"


class SavedView(models.Model):
    """A queue view a person keeps (我的视图): a name and the queue's filter parameters."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters"), max_length=500)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name")]

    def __str__(self) -> str:
        return self.name


class RoleAuthorityLimit(models.Model):
    """A role's default compensation/refund authority in yuan, as the admin sets it; a role
    without a row keeps the default of :data:`kesu.accounts.roles.DEFAULT_AUTHORITY_LIMITS`, and a
    user's own limit overrides both."""

    role = models.CharField(_("role"), max_length=50, unique=True)
    limit = models.DecimalField(_("authority limit (yuan)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("role authority limit")
        verbose_name_plural = _("role authority limits")
        ordering = ["limit", "role"]

    def __str__(self) -> str:
        return f"{self.role}: {self.limit}"

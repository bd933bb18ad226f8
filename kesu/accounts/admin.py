from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import RoleAuthorityLimit, Team, User
from kesu.accounts.roles import ROLE_LABELS, ROLES, forget_role_authority_limits


class RoleAuthorityLimitForm(forms.ModelForm):
    role = forms.ChoiceField(label=_("role"), choices=[(r, ROLE_LABELS[r]) for r in ROLES])

    class Meta:
        model = RoleAuthorityLimit
        fields = ["role", "limit"]


@admin.register(RoleAuthorityLimit)
class RoleAuthorityLimitAdmin(admin.ModelAdmin):
    """Each role's default authority (agent 500, team lead 5,000, manager 50,000 yuan unless set here)."""

    form = RoleAuthorityLimitForm
    list_display = ("role", "limit")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_role_authority_limits()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_role_authority_limits()


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "team", "is_active", "is_staff")
    list_filter = ("team", "groups", "is_active")
    list_select_related = ("team",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Kesu"), {"fields": ("display_name", "team", "authority_limit")}),
    )

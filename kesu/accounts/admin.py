from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kesu.accounts import services
from kesu.accounts.models import RoleAuthorityLimit, Team, User, UserRightsEvent
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

    # A role's default authority is authority handed out: like any authority limit above one's own,
    # only superusers change it (issue 12: the admin role cannot raise itself or anyone).
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

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
    """The user page; who may grant which rights is :mod:`kesu.accounts.services`' to decide."""

    list_display = ("username", "display_name", "team", "is_active", "is_staff")
    list_filter = ("team", "groups", "is_active")
    list_select_related = ("team",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Kesu"), {"fields": ("display_name", "team", "authority_limit")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        own = services.rights_fields_read_only(request.user, obj)  # type: ignore[arg-type]
        return (*super().get_readonly_fields(request, obj), *own)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and not services.may_edit_rights_of(request.user, obj):  # type: ignore[arg-type]
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and not services.may_edit_rights_of(request.user, obj):  # type: ignore[arg-type]
            return False
        return super().has_delete_permission(request, obj)

    def get_form(self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        actor = request.user

        class RightsCheckedForm(form):  # type: ignore[misc, valid-type]
            def clean_authority_limit(self):  # type: ignore[no-untyped-def]
                limit = self.cleaned_data.get("authority_limit")
                services.user_rights_check(actor=actor, user=self.instance, authority_limit=limit)
                return limit

        return RightsCheckedForm if "authority_limit" in form.base_fields else form

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        stored = User.objects.get(pk=obj.pk) if change else User()
        form._rights_before = services.user_rights(stored)  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.user_rights_record(actor=request.user, user=form.instance, before=form._rights_before)  # type: ignore[arg-type, attr-defined]


@admin.register(UserRightsEvent)
class UserRightsEventAdmin(admin.ModelAdmin):
    """The record of rights changes: read only, for everyone."""

    list_display = ("created_at", "user", "actor", "changes")
    list_select_related = ("user", "actor")
    list_filter = ("created_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from kesu.accounts.roles import ROLE_LABELS
from kesu.escalation.models import ApprovalRequest, Escalation, EscalationLevel


class EscalationLevelForm(forms.ModelForm):
    """The role that takes a level is picked from the roles (groups) there are, never typed."""

    role = forms.ChoiceField(label=_("role (group) that takes it"))

    class Meta:
        model = EscalationLevel
        fields = ["position", "code", "name", "name_en", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = list(Group.objects.order_by("name").values_list("name", flat=True))
        labels = {code: str(label) for code, label in ROLE_LABELS.items()}
        self.fields["role"].choices = [(name, f"{labels.get(name, name)}（{name}）") for name in names]


@admin.register(EscalationLevel)
class EscalationLevelAdmin(admin.ModelAdmin):
    form = EscalationLevelForm
    list_display = ("position", "code", "name", "name_en", "role")


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "complaint", "level_code", "reason", "assigned_to", "status")
    list_filter = ("level_code", "reason", "status")
    list_select_related = ("complaint", "assigned_to")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(EscalationAdmin):
    list_display = ("created_at", "complaint", "amount", "requested_by", "status", "decided_by")
    list_filter = ("status",)
    list_select_related = ("complaint", "requested_by", "decided_by")

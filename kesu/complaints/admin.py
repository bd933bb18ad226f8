"""Admin: configuration is editable (stages, checklists, taxonomy); complaints are read here and
changed only through the services; the audit trail is read-only for everyone."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import (
    AuditEvent,
    Category,
    ChecklistItemConfig,
    Complaint,
    EscalatedComplaintConfig,
    ReceivingUnit,
    StageConfig,
)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItemConfig
    extra = 1
    fields = ("position", "code", "label", "label_en", "required", "active")


@admin.register(StageConfig)
class StageConfigAdmin(admin.ModelAdmin):
    list_display = ("stage", "name", "name_en")
    inlines = [ChecklistItemInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "position")
    list_filter = ("parent",)
    list_select_related = ("parent",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ("reference", "stage", "channel", "team", "owner", "priority", "received_at")
    list_filter = ("stage", "channel", "team", "escalated_complaint")
    search_fields = ("reference", "order_number")
    list_select_related = ("team", "owner")
    date_hierarchy = "received_at"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "complaint", "action", "actor")
    list_filter = ("action",)
    list_select_related = ("complaint", "actor")
    search_fields = ("complaint__reference",)


class EscalatedComplaintConfigForm(forms.ModelForm):
    receiving_units = forms.MultipleChoiceField(
        label=_("receiving units that count"),
        choices=ReceivingUnit.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Walk-ins and letters count only when one of these units took them in."),
    )

    class Meta:
        model = EscalatedComplaintConfig
        fields = ("walk_ins", "letters", "receiving_units")


@admin.register(EscalatedComplaintConfig)
class EscalatedComplaintConfigAdmin(admin.ModelAdmin):
    """One row: which walk-ins and letters are escalated complaints 升级投诉 (SPEC §11)."""

    form = EscalatedComplaintConfigForm
    list_display = ("__str__", "walk_ins", "letters", "units", "updated_at")

    @admin.display(description=_("receiving units that count"))
    def units(self, obj: EscalatedComplaintConfig) -> str:
        names = dict(ReceivingUnit.choices)
        return "、".join(str(names.get(code, code)) for code in obj.receiving_units) or "—"

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not EscalatedComplaintConfig.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

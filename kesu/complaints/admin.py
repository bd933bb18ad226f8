"""Admin: configuration is editable (stages, checklists, taxonomy); complaints are read here and
changed only through the services; the audit trail is read-only for everyone."""

from django.contrib import admin

from kesu.complaints.models import AuditEvent, Category, ChecklistItemConfig, Complaint, StageConfig


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

from django.contrib import admin

from kesu.escalation.models import ApprovalRequest, Escalation, EscalationLevel


@admin.register(EscalationLevel)
class EscalationLevelAdmin(admin.ModelAdmin):
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

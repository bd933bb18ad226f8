from django.contrib import admin

from kesu.followup.models import FollowUp, FollowUpLink, WorkOrder


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the services only (they audit); the admin shows them."""

    def has_add_permission(self, request, obj=None):  # type: ignore[override]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[override]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[override]
        return False


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "cycle", "method", "result", "recorded_by", "created_at"]
    list_filter = ["method", "result"]
    list_select_related = ["complaint", "recorded_by"]
    search_fields = ["complaint__reference"]
    date_hierarchy = "created_at"


@admin.register(FollowUpLink)
class FollowUpLinkAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "cycle", "created_by", "created_at", "expires_at", "used_at", "retired_reason"]
    list_filter = ["retired_reason"]
    list_select_related = ["complaint", "created_by"]
    search_fields = ["complaint__reference"]
    exclude = ["token_hash"]


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "department", "created_at", "due_at", "completed_at"]
    list_filter = ["department"]
    list_select_related = ["complaint"]
    search_fields = ["complaint__reference", "department"]
    date_hierarchy = "due_at"

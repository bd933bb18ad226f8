from django.contrib import admin

from kesu.imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are created by the import page, the API and ``kesu import``."""

    list_display = ("filename", "started_by", "status", "rows_done", "rows_total", "created", "rejected", "created_at")
    list_filter = ("status",)
    search_fields = ("filename", "started_by__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

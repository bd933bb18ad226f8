"""Admin: scorecards (versioned: a version that has scored an inspection is read-only; copy it to a
new version, edit the draft, put it in use) and sampling plans. Inspections, appeals and the
inspection trail are read here, never edited — every change goes through the pages and the API."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from kesu.complaints.errors import ComplaintError
from kesu.qa import services
from kesu.qa.models import Appeal, Inspection, InspectionEvent, SamplingPlan, Scorecard, ScorecardItem


class ScorecardItemInline(admin.TabularInline):
    model = ScorecardItem
    extra = 0
    fields = [
        "position",
        "code",
        "label",
        "label_en",
        "kind",
        "check_name",
        "group",
        "weight",
        "critical",
        "channels",
        "params",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return (obj is None or not obj.in_use) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return (obj is None or not obj.in_use) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return (obj is None or not obj.in_use) and super().has_delete_permission(request, obj)


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "status", "created_at"]
    list_filter = ["code", "status"]
    readonly_fields = ["status"]
    inlines = [ScorecardItemInline]
    actions = ["copy_to_new_version", "put_in_use"]

    def has_change_permission(self, request, obj=None) -> bool:
        return (obj is None or not obj.in_use) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Copy to a new version (draft)"), permissions=["add"])
    def copy_to_new_version(self, request, queryset) -> None:
        for scorecard in queryset:
            copy = services.scorecard_new_version(scorecard=scorecard)
            self.message_user(request, _("Version %(v)s created as a draft.") % {"v": copy.version})

    @admin.action(description=_("Put in use (retires the version in use)"), permissions=["add"])
    def put_in_use(self, request, queryset) -> None:
        for scorecard in queryset:
            try:
                services.scorecard_activate(scorecard=scorecard)
            except ComplaintError as error:
                self.message_user(request, error.message, level=messages.ERROR)


@admin.register(SamplingPlan)
class SamplingPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "rate", "team", "scorecard_code", "active"]
    list_filter = ["active"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "agent", "team", "month", "status", "score", "failed", "reason"]
    list_filter = ["status", "reason", "month", "team"]
    list_select_related = ["agent", "team"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["inspection", "raised_by", "status", "decided_by", "score_before", "score_after"]
    list_filter = ["status"]
    list_select_related = ["inspection", "raised_by", "decided_by"]


@admin.register(InspectionEvent)
class InspectionEventAdmin(ReadOnlyAdmin):
    list_display = ["inspection", "action", "actor", "created_at"]
    list_filter = ["action"]
    list_select_related = ["inspection", "actor"]

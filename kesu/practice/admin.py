"""Admin: scenarios (the persona is validated by the core on save) and the criteria's weights.
Sessions, cases and the training trail are read here, never edited — every change goes through the
pages under /training/, which write the trail."""

from __future__ import annotations

from django.contrib import admin

from kesu.practice.models import CriterionWeight, PracticeSession, Scenario, TrainingEvent


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "category", "active", "updated_at"]
    list_filter = ["active", "category"]
    search_fields = ["title", "code"]
    readonly_fields = ["source_case", "created_by", "created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CriterionWeight)
class CriterionWeightAdmin(admin.ModelAdmin):
    list_display = ["code", "weight"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PracticeSession)
class PracticeSessionAdmin(ReadOnly):
    list_display = ["__str__", "scenario", "trainee", "mode", "status", "total", "started_at"]
    list_filter = ["mode", "status"]


@admin.register(TrainingEvent)
class TrainingEventAdmin(ReadOnly):
    list_display = ["created_at", "actor", "action", "session", "case", "group"]
    list_filter = ["action"]

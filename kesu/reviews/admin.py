"""Admin: what business people edit — the review policy (which complaints need a review, the
training benchmark, the effect windows), the root-cause tree, the journey map's touchpoints and
each team's practice figures. Reviews, actions, opportunities and the trail are read here, never
edited: every change goes through the pages."""

from __future__ import annotations

from django.contrib import admin

from kesu.reviews.models import (
    ImprovementAction,
    Opportunity,
    Review,
    ReviewEvent,
    ReviewPolicy,
    RootCause,
    TeamPractice,
    Touchpoint,
)


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "escalated_complaint", "min_escalation_level", "training_benchmark"]

    def has_add_permission(self, request) -> bool:
        return not ReviewPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RootCause)
class RootCauseAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "parent", "position", "active"]
    list_filter = ["active", "parent"]
    list_editable = ["position", "active"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # retire a cause (active = no): reviews keep pointing at it


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "phase", "position", "active"]
    list_filter = ["phase", "active"]
    list_editable = ["position", "active"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TeamPractice)
class TeamPracticeAdmin(admin.ModelAdmin):
    list_display = ["team", "agents", "agents_trained", "coverage", "appraisal_has_communication_score"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnly):
    list_display = ["__str__", "complaint", "team", "status", "required", "drafted_by", "approved_by"]
    list_filter = ["status", "required", "team"]


@admin.register(ImprovementAction)
class ImprovementActionAdmin(ReadOnly):
    list_display = ["title", "owner", "department", "due_date", "status", "root_cause"]
    list_filter = ["status"]


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnly):
    list_display = ["complaint", "kind", "owner", "status"]
    list_filter = ["kind", "status"]


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnly):
    list_display = ["created_at", "actor", "action", "review", "improvement", "opportunity"]
    list_filter = ["action"]

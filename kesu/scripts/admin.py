from django.contrib import admin

from kesu.scripts.models import Script, SolutionOption


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ("title", "stage", "category", "emotion", "active")
    list_filter = ("stage", "category", "emotion", "active")
    search_fields = ("title", "text")


@admin.register(SolutionOption)
class SolutionOptionAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "solution_type", "position", "active")
    list_filter = ("category", "solution_type", "active")
    list_editable = ("position", "active")
    search_fields = ("title", "text")

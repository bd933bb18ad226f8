from django.contrib import admin

from kesu.scripts.models import Script, SolutionOption
from kesu.scripts.services import EMBEDDED_FIELDS, script_embed


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ("title", "stage", "category", "emotion", "active")
    list_filter = ("stage", "category", "emotion", "active")
    search_fields = ("title", "text")

    def save_model(self, request, obj, form, change):
        """A new script, or one whose words changed, is embedded as it is saved (complaints find
        it by its words); one the encoder missed before is embedded now."""
        if not change or EMBEDDED_FIELDS & set(form.changed_data) or obj.embedding is None:
            script_embed(script=obj)
        super().save_model(request, obj, form, change)


@admin.register(SolutionOption)
class SolutionOptionAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "solution_type", "position", "active")
    list_filter = ("category", "solution_type", "active")
    list_editable = ("position", "active")
    search_fields = ("title", "text")

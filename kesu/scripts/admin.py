from django.contrib import admin

from kesu.scripts.models import Script


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ("title", "stage", "category", "emotion", "active")
    list_filter = ("stage", "category", "emotion", "active")
    search_fields = ("title", "text")

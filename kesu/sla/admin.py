from django.contrib import admin

from kesu.sla.forms import BusinessCalendarForm
from kesu.sla.models import BusinessCalendarConfig, SlaPolicyConfig


@admin.register(SlaPolicyConfig)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "tier",
        "priority",
        "first_reply_hours",
        "effective_reply_hours",
        "at_risk_ratio",
        "calendar",
    )
    list_select_related = ("tier", "calendar")


@admin.register(BusinessCalendarConfig)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ("name",)

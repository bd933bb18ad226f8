from django.contrib import admin

from kesu.metrics.models import CustomersServed, KpiTarget


@admin.register(CustomersServed)
class CustomersServedAdmin(admin.ModelAdmin):
    list_display = ["month", "tier", "count"]
    list_filter = ["tier"]
    list_select_related = ["tier"]
    date_hierarchy = "month"


@admin.register(KpiTarget)
class KpiTargetAdmin(admin.ModelAdmin):
    """Both target schemes (指标标准, 集团指标; SPEC §11), seeded with the SPEC's values."""

    list_display = ["kpi", "scheme", "tier", "value", "near_margin"]
    list_editable = ["value", "near_margin"]
    list_filter = ["scheme", "kpi", "tier"]
    list_select_related = ["tier"]
    ordering = ["kpi", "scheme", "tier__rank"]

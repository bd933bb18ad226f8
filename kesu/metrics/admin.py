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
    list_display = ["kpi", "tier", "value", "near_margin"]
    list_filter = ["kpi", "tier"]
    list_select_related = ["tier"]

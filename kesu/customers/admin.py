from django.contrib import admin

from kesu.customers.models import Customer, Tier


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "rank")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "name", "tier", "created_at")
    list_filter = ("tier",)
    search_fields = ("external_id", "name", "phone")
    list_select_related = ("tier",)

"""Admin: the inbox is read here (who wrote is masked; the mail itself is not shown), and a mail
that could not be handled can be handed back to the handling once its cause is fixed."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kesu.mailbox.models import InboundMail, Status


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = ("received_at", "source", "status", "complaint", "attempts", "reason")
    list_filter = ("status", "source")
    search_fields = ("mail_id", "complaint__reference")
    list_select_related = ("complaint",)
    date_hierarchy = "received_at"
    exclude = ("raw",)
    actions = ["handle_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_handle_again_permission(self, request) -> bool:
        return request.user.has_perm("mailbox.change_inboundmail")

    @admin.action(description=_("Handle the selected failed mails again"), permissions=["handle_again"])
    def handle_again(self, request, queryset):
        count = queryset.filter(status=Status.FAILED).exclude(raw=b"").update(status=Status.RECEIVED, attempts=0)
        self.message_user(
            request,
            ngettext("%(count)d mail will be handled again.", "%(count)d mails will be handled again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

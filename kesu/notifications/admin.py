"""Admin: webhook endpoints are configured here; the outbox is read-only but for "retry"."""

from string import Formatter

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kesu.core.privacy import mask_email, mask_phone
from kesu.notifications import services
from kesu.notifications.models import RETRYABLE, Channel, MessageTemplate, OutboxMessage, WebhookEndpoint
from kesu.notifications.templates import DEFAULTS, forget_template, template_findings


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "event_types", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "url")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "masked_recipient",
        "event_key",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "complaint",
    )
    list_filter = ("status", "channel")
    search_fields = ("event_key", "complaint__reference")
    list_select_related = ("complaint", "endpoint")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    actions = ["retry"]

    @admin.display(description=_("recipient"), ordering="recipient")
    def masked_recipient(self, obj: OutboxMessage) -> str:
        if obj.channel == Channel.SMS:
            return mask_phone(obj.recipient)
        if obj.channel == Channel.EMAIL:
            return mask_email(obj.recipient)
        return str(obj.endpoint or obj.recipient)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("notifications.change_outboxmessage")

    @admin.action(description=_("Retry the selected failed messages"), permissions=["retry"])
    def retry(self, request, queryset):
        chosen = list(queryset.filter(status__in=RETRYABLE))
        count = services.retry_messages(message_ids=[message.pk for message in chosen])
        for message in chosen:
            self.log_change(request, message, "retry")
        self.message_user(
            request,
            ngettext("%(count)d message will be sent again.", "%(count)d messages will be sent again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


class MessageTemplateForm(forms.ModelForm):
    """A template is saved only when it follows the reply rules (SPEC §5) and names no placeholder
    its sender does not fill."""

    class Meta:
        model = MessageTemplate
        fields = ("name", "subject", "body")

    def clean(self):
        data = super().clean()
        code = self.instance.code
        allowed = set(DEFAULTS[code].placeholders) if code in DEFAULTS else set()
        for field in ("subject", "body"):
            text = data.get(field) or ""
            try:
                names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
            except ValueError:
                self.add_error(field, _("Braces { } must come in pairs around a placeholder."))
                continue
            unknown = sorted(n for n in names if n not in allowed)
            if unknown:
                self.add_error(
                    field,
                    _("Unknown placeholder: %(names)s. This text can use: %(allowed)s.")
                    % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(allowed)) or "—"},
                )
            elif findings := template_findings(text):
                self.add_error(field, _("Against the reply rules: %(findings)s") % {"findings": "；".join(findings)})
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ("name", "code", "body", "updated_at")
    readonly_fields = ("code", "placeholders", "updated_at")
    fields = ("code", "name", "subject", "body", "placeholders", "updated_at")

    def has_add_permission(self, request):
        return False  # the senders name the templates they use; there is nothing to add

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_template(obj.code)

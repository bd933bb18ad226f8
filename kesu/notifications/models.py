"""The outbox (待发通知) and the webhook endpoints it delivers to.

An outbox row is written in the same transaction as the event that causes it, so a notification
exists exactly when its event committed. The worker in :mod:`kesu.notifications.delivery` sends
it later, retrying with back-off; the receiver de-duplicates on :attr:`OutboxMessage.idempotency_key`,
so a message sent twice (a worker died after sending, before recording it) reaches a person once.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Given up")


#: Rows the worker looks at; both partial indexes below cover only these, so they stay small
#: however many sent rows accumulate.
WAITING = (Status.PENDING, Status.FAILED)
#: Rows an admin may send again: never one that was sent or is being sent.
RETRYABLE = (*WAITING, Status.DEAD)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A receiver of signed event webhooks, e.g. a ticketing or CRM system."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    url = models.URLField(_("URL"), max_length=500, validators=[URLValidator(schemes=["http", "https"])])
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        default=new_secret,
        help_text=_("Shared with the receiver, which checks the X-Kesu-Signature header with it."),
    )
    event_types = models.JSONField(
        _("event types"),
        default=list,
        blank=True,
        help_text=_('Event types this endpoint receives, e.g. ["sla.first_reply_48h"]; empty receives all.'),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def subscribes_to(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class OutboxMessage(models.Model):
    event_key = models.CharField(
        _("event key"),
        max_length=200,
        help_text=_("Names the event this message announces; the same key is never sent twice."),
    )
    event_type = models.CharField(_("event type"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("webhook endpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True, editable=False, verbose_name=_("lease token"))
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "channel", "recipient"], name="notifications_outbox_once"
            ),
        ]
        indexes = [
            # The worker's two questions: what is due, and whose lease has run out.
            models.Index(
                fields=["next_attempt_at"],
                name="notifications_outbox_due",
                condition=Q(status__in=WAITING),
            ),
            models.Index(
                fields=["lease_until"],
                name="notifications_outbox_leased",
                condition=Q(status=Status.SENDING),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.event_key}"

    @property
    def idempotency_key(self) -> str:
        """What the receiver de-duplicates on. A webhook endpoint receives each event once, so the
        event key suffices; a gateway serves every phone or mailbox, so the recipient is part of it."""
        if self.channel == Channel.WEBHOOK:
            return self.event_key
        return f"{self.event_key}:{self.recipient}"


class MessageTemplate(models.Model):
    """A text the customer reads that no agent writes (the automatic SMS of the 48-hour rule, the
    follow-up link, the frame of a reply by e-mail), editable by an admin. ``{ref}``-style
    placeholders are filled in when it is sent; the reply rules of SPEC §5 are checked on save."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    subject = models.CharField(_("subject (e-mail)"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    placeholders = models.CharField(_("placeholders"), max_length=200, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer message template")
        verbose_name_plural = _("customer message templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class StaffNotificationKind(models.TextChoices):
    ESCALATION = "escalation", _("Escalated to me")
    TRANSFER = "transfer", _("Assigned to me")
    APPROVAL = "approval", _("Approval waiting")
    AT_RISK = "at_risk", _("Deadline at risk")
    BREACHED = "breached", _("Deadline breached")
    CUSTOMER_REPLIED = "customer_replied", _("Customer replied")


class StaffNotification(models.Model):
    """One thing a member of staff is told in the app (the bell in the header): written in the
    transaction of the event, once per event key, read when they open it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=StaffNotificationKind.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    event_key = models.CharField(_("event key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff notification")
        verbose_name_plural = _("staff notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="staffnote_unread_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}"

"""The inbox (来信): every mail that reached the complaint desk, kept as received.

A mail is stored first — by the IMAP poller or the inbound webhook, in one short transaction,
unique by its Message-ID — and handled after (:mod:`kesu.handling.inbound`): it joins its
complaint, opens a new one, or is set aside as an auto-reply. A poller killed between the two,
or two pollers fetching the same mail, lose nothing and duplicate nothing: the unique Message-ID
decides which copy is kept, and the handling claims each stored mail once.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    IMAP = "imap", _("Mailbox (IMAP)")
    WEBHOOK = "webhook", _("Inbound webhook")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received, not yet handled")
    THREADED = "threaded", _("Joined its complaint")
    NEW_COMPLAINT = "new_complaint", _("Opened a new complaint")
    IGNORED = "ignored", _("Ignored (automatic or bulk mail)")
    FAILED = "failed", _("Could not be handled")


class InboundMail(models.Model):
    mail_id = models.CharField(_("Message-ID"), max_length=250, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    raw = models.BinaryField(_("the mail as received"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    reason = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    message = models.ForeignKey(
        "complaints.Message",
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound mail")
        verbose_name_plural = _("inbound mail")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(
                fields=["received_at"], condition=Q(status="received"), name="mailbox_inbound_pending"
            ),
        ]

    def __str__(self) -> str:
        return self.mail_id

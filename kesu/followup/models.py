"""Follow-ups 回访 and back-office work orders 工单 (SPEC §6, §7).

A :class:`FollowUp` is one attempt to ask the customer how the complaint ended: by the agent on
a call, or by the customer through a signed, single-use link (:class:`FollowUpLink`). Each
attempt is kept, so the satisfaction rate of a month can be computed after a dissatisfied
answer has reopened the complaint (which clears ``Complaint.follow_up_result``).

A :class:`WorkOrder` is a request to another department (billing, logistics, engineering …)
that the complaint team cannot resolve alone; the work-order on-time rate and first-contact
resolution are computed from them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import FollowUpResult

#: Results that reopen the complaint to the owner's team lead.
DISSATISFIED_RESULTS = frozenset({FollowUpResult.DISSATISFIED, FollowUpResult.VERY_DISSATISFIED})
#: Ratings the customer can give through a link (being unreachable is for the agent to record).
CUSTOMER_RESULTS = [choice for choice in FollowUpResult.choices if choice[0] != FollowUpResult.UNREACHABLE]


class FollowUpMethod(models.TextChoices):
    CALL = "call", _("Call by the agent")
    LINK = "link", _("Link answered by the customer")


class FollowUp(models.Model):
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    method = models.CharField(_("method"), max_length=10, choices=FollowUpMethod.choices)
    result = models.CharField(_("result"), max_length=30, choices=FollowUpResult.choices)
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the customer answered through a link."),
    )
    created_at = models.DateTimeField(_("followed up at"), default=timezone.now)
    #: The complaint's team and the customer's tier when the follow-up was made, kept here so the
    #: satisfaction rate of a period, team and tier is counted from this table alone.
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    tier = models.ForeignKey(
        "customers.Tier", verbose_name=_("tier"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The satisfaction rate of a period: a range scan carrying the result.
            models.Index(fields=["created_at", "result"], name="followup_created_result_idx"),
            models.Index(fields=["complaint", "created_at"], name="followup_complaint_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.result}"

    @property
    def successful(self) -> bool:
        return self.result != FollowUpResult.UNREACHABLE


class FollowUpLink(models.Model):
    """A link the agent sends the customer. Only a hash of the token is stored: the token itself
    exists in the message to the customer and nowhere else."""

    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    follow_up = models.OneToOneField(
        FollowUp,
        verbose_name=_("answer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="link",
    )

    class Meta:
        verbose_name = _("follow-up link")
        verbose_name_plural = _("follow-up links")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.created_at:%Y-%m-%d}"


class WorkOrder(models.Model):
    """A back-office work order 工单 to another department, with the time it is due."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    department = models.CharField(_("department"), max_length=100)
    description = models.TextField(_("what is asked"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The work-order on-time rate of a period: work orders falling due in it.
            models.Index(fields=["due_at", "completed_at"], name="workorder_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}→{self.department}"

    @property
    def on_time(self) -> bool | None:
        if self.completed_at is None:
            return None if self.due_at > timezone.now() else False
        return self.completed_at <= self.due_at

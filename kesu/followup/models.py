"""Follow-ups 回访 and back-office work orders 工单 (SPEC §6, §7).

A :class:`FollowUp` is one attempt to ask the customer how the complaint ended: by the agent on
a call, or by the customer through a signed, single-use link (:class:`FollowUpLink`). Each
attempt is kept, so the satisfaction rate of a month can be computed after a dissatisfied
answer has reopened the complaint (which clears ``Complaint.follow_up_result``).

Attempts belong to a **follow-up cycle** 回访轮次: the complaint's reopen count when they were made
(:func:`current_cycle`), so a reopen starts a new cycle. A cycle has at most one live link (issuing
a new one retires the old one), at most one answer from a reached customer (any number of
unreachable attempts before it), and counts once in the satisfaction rate: by its last attempt.
Both "at most one" rules are database constraints as well as service checks.

A :class:`WorkOrder` is a request to another department (billing, logistics, engineering …)
that the complaint team cannot resolve alone; the work-order on-time rate and first-contact
resolution are computed from them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import FollowUpResult

#: Results that reopen the complaint to the owner's team lead.
DISSATISFIED_RESULTS = frozenset({FollowUpResult.DISSATISFIED, FollowUpResult.VERY_DISSATISFIED})
#: Ratings the customer can give through a link (being unreachable is for the agent to record).
CUSTOMER_RESULTS = [choice for choice in FollowUpResult.choices if choice[0] != FollowUpResult.UNREACHABLE]


def current_cycle(complaint: models.Model) -> int:
    """The complaint's follow-up cycle now: its reopen count (each reopen starts a new cycle)."""
    return int(complaint.reopen_count)  # type: ignore[attr-defined]


class LinkRetired(models.TextChoices):
    """Why a link stopped being valid before it was answered or expired."""

    REPLACED = "replaced", _("A newer link was sent")
    ANSWERED = "answered", _("The follow-up was answered")
    REOPENED = "reopened", _("The complaint was reopened")


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
    #: The complaint's reopen count when the follow-up was made. Empty only for a second answer
    #: in one cycle recorded before cycles existed (migration 0003), which no longer counts.
    cycle = models.PositiveSmallIntegerField(_("follow-up cycle"), null=True, blank=True, default=0)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The satisfaction rate of a period: a range scan carrying the result.
            models.Index(fields=["created_at", "result"], name="followup_created_result_idx"),
            models.Index(fields=["complaint", "created_at"], name="followup_complaint_idx"),
            # The cycle's last attempt (the one the satisfaction rate counts).
            models.Index(fields=["complaint", "cycle"], name="followup_cycle_idx"),
        ]
        constraints = [
            # One answer from a reached customer per cycle; unreachable attempts may precede it.
            models.UniqueConstraint(
                fields=["complaint", "cycle"],
                condition=~Q(result=FollowUpResult.UNREACHABLE),
                name="followup_one_result_per_cycle",
            ),
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
    cycle = models.PositiveSmallIntegerField(_("follow-up cycle"), default=0)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    retired_reason = models.CharField(
        _("why retired"), max_length=20, choices=LinkRetired.choices, blank=True
    )

    class Meta:
        verbose_name = _("follow-up link")
        verbose_name_plural = _("follow-up links")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live link (neither answered nor retired) per complaint and cycle.
            models.UniqueConstraint(
                fields=["complaint", "cycle"],
                condition=Q(used_at__isnull=True, retired_at__isnull=True),
                name="followuplink_one_live_per_cycle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.created_at:%Y-%m-%d}"

    @property
    def live(self) -> bool:
        return self.used_at is None and self.retired_at is None


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

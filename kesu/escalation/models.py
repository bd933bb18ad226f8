"""Escalation 升级 (SPEC §6) and approvals of solutions above an agent's authority."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EscalationLevel(models.Model):
    """The ladder, admin-editable: agent → team lead → manager → legal/PR by default. Each level
    names the role (group) whose members take escalations at that level."""

    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50, blank=True)
    role = models.CharField(_("role (group) that takes it"), max_length=50)

    class Meta:
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class Reason(models.TextChoices):
    SLA_BREACH = "sla_breach", _("Service level breached")
    SUPERVISOR_REQUEST = "supervisor_request", _("Customer asks for a supervisor")
    AUTHORITY = "authority", _("Beyond the agent's authority")
    LEGAL = "legal", _("Legal risk")
    PUBLIC_EXPOSURE = "public_exposure", _("Threat of going public")
    REGULATOR = "regulator", _("Threat of going to a regulator")
    EXTREME_EMOTION = "extreme_emotion", _("Extreme emotion")
    REPEAT = "repeat", _("Repeat complaint")
    VIP_URGENT = "vip_urgent", _("Important or urgent")
    MANUAL = "manual", _("Escalated by hand")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    DE_ESCALATED = "de_escalated", _("De-escalated")


class Escalation(models.Model):
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    level = models.PositiveSmallIntegerField(_("level"))
    level_code = models.SlugField(_("level code"), max_length=30)
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    triggers = models.JSONField(_("triggers"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    package = models.JSONField(_("escalation package"), default=dict, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations_assigned",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("escalated at"), default=timezone.now)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one open escalation per level: automatic triggers and concurrent sweeps
            # cannot escalate the same complaint twice to the same level.
            models.UniqueConstraint(
                fields=["complaint", "level"],
                condition=Q(status="open"),
                name="escalation_one_open_per_level",
            )
        ]
        indexes = [
            models.Index(fields=["assigned_to", "status"], name="escalation_assignee_idx"),
            models.Index(fields=["level_code", "status"], name="escalation_level_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}→{self.level_code}"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ApprovalRequest(models.Model):
    """A proposed solution above the proposer's authority, waiting for someone who has it."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        related_name="approvals",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    solution_type = models.CharField(_("solution"), max_length=20)
    text = models.TextField(_("solution details"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    refund_method = models.CharField(_("refund method"), max_length=20, blank=True)
    cash_reason = models.TextField(_("why cash rather than a credit"), blank=True)
    reason = models.TextField(_("why it is proposed"), blank=True)
    #: The lowest holder of enough authority on this complaint's ladder, and the escalation for
    #: authority that brought the request to them (None when someone with enough authority was
    #: already on the complaint); the decision closes that escalation.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("waiting for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approvals_assigned",
    )
    escalation = models.ForeignKey(
        Escalation,
        verbose_name=_("escalation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approvals",
    )
    status = models.CharField(_("status"), max_length=20, choices=ApprovalStatus.choices, default="pending")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "assigned_to"], name="approval_waiting_idx")]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.amount}"

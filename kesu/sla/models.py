"""Service levels (SPEC §7): admin-edited policies and calendars, and each complaint's clocks.

A complaint's clocks live in :class:`ComplaintSla` (one row per complaint) with their deadlines
and at-risk instants precomputed, so the periodic sweep finds what crossed a threshold with an
indexed range query instead of recomputing every open complaint."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kesu.core.sla import BusinessCalendar


class BusinessCalendarConfig(models.Model):
    """Working hours, holidays and make-up workdays 调休, as the JSON of
    :meth:`kesu.core.sla.BusinessCalendar.to_dict`."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    data = models.JSONField(
        _("calendar"),
        help_text=_(
            'e.g. {"timezone": "Asia/Shanghai", "week": {"mon": ["09:00-12:00", "13:00-18:00"], …}, '
            '"holidays": ["2026-10-01"], "makeup_workdays": ["2026-10-10"]}'
        ),
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            BusinessCalendar.from_dict(self.data or {})
        except (TypeError, ValueError, KeyError) as error:
            raise ValidationError({"data": str(error)}) from None

    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar.from_dict(self.data)


class SlaPolicyConfig(models.Model):
    """Targets for a customer tier, optionally for one priority (the more specific wins)."""

    tier = models.ForeignKey("customers.Tier", verbose_name=_("tier"), on_delete=models.CASCADE)
    priority = models.PositiveSmallIntegerField(
        _("priority"), null=True, blank=True, help_text=_("Empty: every priority of the tier.")
    )
    first_reply_hours = models.DecimalField(_("first reply target (hours)"), max_digits=7, decimal_places=2)
    effective_reply_hours = models.DecimalField(
        _("effective reply target (hours)"), max_digits=7, decimal_places=2
    )
    at_risk_ratio = models.DecimalField(
        _("at risk after this share of the target"), max_digits=3, decimal_places=2, default=0.75
    )
    calendar = models.ForeignKey(
        BusinessCalendarConfig,
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the clock runs around the clock (24×7)."),
    )

    class Meta:
        verbose_name = _("service-level policy")
        verbose_name_plural = _("service-level policies")
        constraints = [
            models.UniqueConstraint(fields=["tier", "priority"], name="sla_policy_tier_priority"),
            models.UniqueConstraint(
                fields=["tier"], condition=Q(priority__isnull=True), name="sla_policy_one_default_per_tier"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier} / {self.priority or '*'}"

    def clean(self) -> None:
        if self.first_reply_hours is not None and self.first_reply_hours <= 0:
            raise ValidationError({"first_reply_hours": _("Must be positive.")})
        if self.effective_reply_hours is not None and self.effective_reply_hours <= 0:
            raise ValidationError({"effective_reply_hours": _("Must be positive.")})
        if self.at_risk_ratio is not None and not 0 < self.at_risk_ratio <= 1:
            raise ValidationError({"at_risk_ratio": _("Between 0 and 1.")})


class Clock(models.TextChoices):
    """The two clocks of SPEC §7."""

    FIRST_REPLY = "first_reply", _("First reply")  # 首次回复
    EFFECTIVE = "effective", _("Effective reply")  # 有效回复


class ClockStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met in time")
    MET_LATE = "met_late", _("Met late")


RUNNING = (ClockStatus.ON_TRACK, ClockStatus.AT_RISK)


class ComplaintSla(models.Model):
    """The two clocks of one complaint: first reply 首次回复 and effective reply 有效回复."""

    complaint = models.OneToOneField(
        "complaints.Complaint", primary_key=True, on_delete=models.CASCADE, related_name="sla"
    )
    received_at = models.DateTimeField(_("received at"))
    first_reply_hours = models.DecimalField(max_digits=7, decimal_places=2)
    effective_reply_hours = models.DecimalField(max_digits=7, decimal_places=2)
    at_risk_ratio = models.DecimalField(max_digits=3, decimal_places=2)
    calendar = models.ForeignKey(BusinessCalendarConfig, null=True, blank=True, on_delete=models.PROTECT)
    #: Closed pauses as [[start, end], ...] (ISO 8601); the open one is ``paused_since``.
    pauses = models.JSONField(default=list, blank=True)
    paused_since = models.DateTimeField(_("waiting for the customer since"), null=True, blank=True)

    first_reply_due_at = models.DateTimeField(_("first reply due"))
    first_reply_risk_at = models.DateTimeField()
    first_reply_status = models.CharField(
        max_length=10, choices=ClockStatus.choices, default=ClockStatus.ON_TRACK
    )
    effective_due_at = models.DateTimeField(_("effective reply due"))
    effective_risk_at = models.DateTimeField()
    effective_status = models.CharField(
        max_length=10, choices=ClockStatus.choices, default=ClockStatus.ON_TRACK
    )

    first_reply_warned_at = models.DateTimeField(null=True, blank=True)
    effective_warned_at = models.DateTimeField(null=True, blank=True)
    first_reply_breached_at = models.DateTimeField(null=True, blank=True)
    effective_breached_at = models.DateTimeField(null=True, blank=True)
    customer_sms_at = models.DateTimeField(_("automatic SMS sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint clocks")
        verbose_name_plural = _("complaint clocks")
        # The sweep's four questions, each answered by a range scan over a partial index of
        # the running, unpaused clocks only.
        indexes = [
            models.Index(
                fields=["first_reply_risk_at"],
                name="sla_first_risk_idx",
                condition=Q(first_reply_status="on_track", paused_since__isnull=True),
            ),
            models.Index(
                fields=["first_reply_due_at"],
                name="sla_first_due_idx",
                condition=Q(first_reply_status__in=["on_track", "at_risk"], paused_since__isnull=True),
            ),
            models.Index(
                fields=["effective_risk_at"],
                name="sla_effective_risk_idx",
                condition=Q(effective_status="on_track", paused_since__isnull=True),
            ),
            models.Index(
                fields=["effective_due_at"],
                name="sla_effective_due_idx",
                condition=Q(effective_status__in=["on_track", "at_risk"], paused_since__isnull=True),
            ),
            # The KPIs count each deadline in the month it falls due (kesu.metrics.selectors):
            # a range over every clock's deadline, with its status beside it.
            models.Index(fields=["first_reply_due_at", "first_reply_status"], name="sla_first_due_kpi_idx"),
            models.Index(fields=["effective_due_at", "effective_status"], name="sla_effective_due_kpi_idx"),
        ]

    def __str__(self) -> str:
        return f"SLA {self.complaint_id}"

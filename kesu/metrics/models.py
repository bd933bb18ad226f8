"""What the KPIs need besides the complaints: customers served per month (the denominator of
the per-million figures) and the targets, both admin-edited (SPEC §7: all admin-editable); and the
XLSX exports of long complaint lists, written in the background."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.core import kpi as core
from kesu.imports.models import FINISHED, JobStatus, import_storage


class CustomersServed(models.Model):
    """Customers served in a month, for all tiers (tier empty) or one tier."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    tier = models.ForeignKey(
        "customers.Tier",
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: all customers."),
    )
    count = models.PositiveBigIntegerField(_("customers served"))

    class Meta:
        verbose_name = _("customers served")
        verbose_name_plural = _("customers served")
        ordering = ["-month", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["month", "tier"], name="customers_served_month_tier"),
            models.UniqueConstraint(
                fields=["month"], condition=Q(tier__isnull=True), name="customers_served_month_all"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.tier or '*'}: {self.count}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Use the first day of the month.")})


KPI_LABELS = {
    core.Kpi.FIRST_REPLY_TIMELINESS: _("First-reply timeliness"),
    core.Kpi.ON_TIME_EFFECTIVE_REPLY: _("On-time effective reply rate"),
    core.Kpi.WORK_ORDER_ON_TIME: _("Work-order on-time rate"),
    core.Kpi.FIRST_CONTACT_RESOLUTION: _("First-contact resolution"),
    core.Kpi.COMPLAINTS_PER_MILLION: _("Complaints per million customers"),
    core.Kpi.ESCALATED_COMPLAINTS_PER_MILLION: _("Escalated complaints per million customers"),
    core.Kpi.SATISFACTION: _("Satisfaction rate"),
}


SCHEME_LABELS = {
    core.TargetScheme.STANDARD: _("Provincial standard"),
    core.TargetScheme.GROUP: _("Group target"),
}


class KpiTarget(models.Model):
    """A KPI's target in one scheme (the provincial standard 指标标准 or the group target 集团指标,
    SPEC §11), for all tiers (tier empty) or one tier. The migration seeds the SPEC's values;
    without a row the scheme's default of :mod:`kesu.core.kpi` applies. Rates are fractions
    (0.96 is 96 %)."""

    scheme = models.CharField(
        _("target scheme"),
        max_length=20,
        choices=[(k.value, label) for k, label in SCHEME_LABELS.items()],
        default=core.TargetScheme.STANDARD.value,
    )
    kpi = models.CharField(
        _("KPI"), max_length=40, choices=[(k.value, label) for k, label in KPI_LABELS.items()]
    )
    tier = models.ForeignKey(
        "customers.Tier",
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: every tier without a target of its own."),
    )
    value = models.DecimalField(
        _("target"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "A rate as a fraction (0.96 = 96 %); per-million figures as a count. Empty: no target."
            " Work orders: the standard is 0.96, 0.98 where the end-to-end rate must reach 96 %."
        ),
    )
    near_margin = models.DecimalField(
        _("near margin"),
        max_digits=14,
        decimal_places=4,
        default=core.DEFAULT_NEAR_MARGIN,
        help_text=_("How far short of the target still counts as near (0.02 = two points)."),
    )

    class Meta:
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        ordering = ["scheme", "kpi", "tier"]
        permissions = [("view_kpi_dashboard", _("Can see every team's KPI dashboard"))]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "kpi", "tier"], name="kpi_target_scheme_kpi_tier"),
            models.UniqueConstraint(
                fields=["scheme", "kpi"], condition=Q(tier__isnull=True), name="kpi_target_scheme_kpi_all"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} · {self.get_kpi_display()} / {self.tier or _('all tiers')}"

    def clean(self) -> None:
        if self.near_margin is not None and self.near_margin < 0:
            raise ValidationError({"near_margin": _("Must not be negative.")})
        direction = core.DEFAULT_KPI_TARGETS[core.Kpi(self.kpi)].direction if self.kpi else None
        if (
            direction == core.Direction.HIGHER_IS_BETTER
            and self.value is not None
            and not 0 <= self.value <= 1
        ):
            raise ValidationError({"value": _("A rate's target is between 0 and 1.")})


class KpiMonth(models.Model):
    """The counts behind every KPI for one past month, team and tier (timeliness counted in the
    month its deadline fell in, see :func:`kesu.core.kpi.deadline_outcome`): a summary of the months
    before the one on screen, so the 12-month trend does not scan a year of complaints for
    every page view. Refreshed by ``refresh_kpi_months`` (nightly); the period on screen is
    always counted live."""

    month = models.DateField(_("month"))
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    tier = models.ForeignKey("customers.Tier", null=True, on_delete=models.CASCADE, related_name="+")
    complaints = models.PositiveIntegerField(default=0)
    first_reply_due = models.PositiveIntegerField(default=0)
    first_reply_in_time = models.PositiveIntegerField(default=0)
    first_reply_pending = models.PositiveIntegerField(default=0)
    first_reply_overdue = models.PositiveIntegerField(default=0)
    effective_due = models.PositiveIntegerField(default=0)
    effective_in_time = models.PositiveIntegerField(default=0)
    effective_pending = models.PositiveIntegerField(default=0)
    effective_overdue = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    first_contact = models.PositiveIntegerField(default=0)
    work_orders_due = models.PositiveIntegerField(default=0)
    work_orders_in_time = models.PositiveIntegerField(default=0)
    work_orders_pending = models.PositiveIntegerField(default=0)
    work_orders_overdue = models.PositiveIntegerField(default=0)
    #: Follow-ups made in the month by result (``{"satisfied": 12, "unreachable": 3, …}``).
    follow_ups = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("monthly KPI counts")
        verbose_name_plural = _("monthly KPI counts")
        constraints = [models.UniqueConstraint(fields=["month", "team", "tier"], name="kpi_month_team_tier")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.team_id}/{self.tier_id}"


class KpiMonthRun(models.Model):
    """A month whose :class:`KpiMonth` rows are complete (a month without complaints has none)."""

    month = models.DateField(_("month"), unique=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("monthly KPI summary")
        verbose_name_plural = _("monthly KPI summaries")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


#: A written export is kept this long for its requester to download, then deleted with the list's query
#: (its filters may hold a search for a customer's name or number); the job stays.
KEEP_FILES = timedelta(days=7)


class ExportJob(models.Model):
    """An XLSX export of a complaint list too long to write in the request (README "Bulk import and
    export"): written in the background to a file the person who asked for it downloads. Safe to run
    again: a run writes the whole file anew."""

    class Source(models.TextChoices):
        QUEUE = "queue", _("Complaint list")
        FIGURE = "figure", _("Complaints behind a figure")

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    #: The list's query (filters, period, scope), read again as ``started_by`` when the job runs.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    language = models.CharField(_("language"), max_length=16, default="zh-hans")
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    file = models.FileField(_("file"), storage=import_storage, upload_to="exports/%Y/%m/", max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    #: Who runs it now: a run claims the job with a fresh token, and every write it makes checks it
    #: (:mod:`kesu.imports.claims`, as for imports).
    claim = models.CharField(_("run token"), max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="export_job_pending")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def expires_at(self) -> datetime | None:
        """When a written export's file stops being offered (and is deleted): :data:`KEEP_FILES` after."""
        if self.status != JobStatus.DONE or self.finished_at is None:
            return None
        return self.finished_at + KEEP_FILES

    @property
    def expired(self) -> bool:
        """A written export whose file is past :data:`KEEP_FILES`, or already deleted."""
        if self.status != JobStatus.DONE:
            return False
        expires_at = self.expires_at
        return not self.file or (expires_at is not None and expires_at <= timezone.now())

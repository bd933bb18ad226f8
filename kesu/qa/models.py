"""Quality inspection 质检 (SPEC §10): scorecards, transcripts, inspections and their results,
appeals 申诉, calibration 校准 and sampling plans 抽检计划.

State changes go through :mod:`kesu.qa.services`; nothing here holds business rules beyond the
invariants a row keeps on its own. The scoring itself is :mod:`kesu.core.qa` (no Django).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.append_only import AppendOnlyModel
from kesu.core import qa as engine


class ItemKind(models.TextChoices):
    AUTOMATIC = engine.AUTOMATIC, _("Automatic")
    ASSISTED = engine.ASSISTED, _("Assisted (the inspector confirms)")
    MANUAL = engine.MANUAL, _("Manual")


class ItemGroup(models.TextChoices):
    METHOD = "method", _("Method")
    COMMUNICATION = "communication", _("Communication")
    SOLUTION = "solution", _("Solution and promises")
    COMPLIANCE = "compliance", _("Compliance")
    TIMELINESS = "timeliness", _("Timeliness")


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In use")
    RETIRED = "retired", _("Retired")


class Scorecard(models.Model):
    """One version of a scorecard 评分表. A version that has scored an inspection is frozen, so every
    result can be read against the items it was scored on; admins change a scorecard by copying it to
    a new version (a draft), editing that and putting it in use, which retires the one before."""

    code = models.SlugField(_("code"), max_length=50)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT
    )
    pass_below = models.FloatField(
        _("a critical item fails below"),
        default=0.5,
        help_text=_("A critical item scoring below this (0–1) fails the whole inspection."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="qa_scorecard_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(status="active"), name="qa_scorecard_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def in_use(self) -> bool:
        return self.pk is not None and self.inspections.exists()

    def as_engine(self) -> engine.Scorecard:
        """This version as the engine's :class:`kesu.core.qa.Scorecard`."""
        return engine.Scorecard(
            code=self.code,
            items=tuple(item.as_engine() for item in self.items.all()),
            name=self.name,
            name_en=self.name_en,
            version=self.version,
            pass_below=self.pass_below,
        )


CHECK_CHOICES = [("", "—")] + [(code, code) for code in sorted(engine.CHECKS)]
CHANNEL_CHOICES = [
    ("phone", _("Phone")),
    ("chat", _("Online chat")),
    ("social", _("Social media")),
    ("email", _("E-mail")),
    ("walk_in", _("Walk-in")),
    ("other", _("Other")),
]


class ScorecardItem(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(_("code"), max_length=50, help_text=_("Stable: results and reports use it."))
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    check_name = models.CharField(
        _("automatic check"), max_length=40, choices=CHECK_CHOICES, blank=True, db_column="check"
    )
    group = models.CharField(_("group"), max_length=20, choices=ItemGroup.choices)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    critical = models.BooleanField(
        _("critical (fails the inspection)"),
        default=False,
        help_text=_("e.g. a forbidden phrase or a promise beyond authority"),
    )
    label = models.CharField(_("label (Chinese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    channels = models.JSONField(
        _("channels"), default=list, blank=True, help_text=_("Only these channels (empty: all).")
    )
    params = models.JSONField(_("thresholds"), default=dict, blank=True)

    class Meta:
        verbose_name = _("scorecard item")
        verbose_name_plural = _("scorecard items")
        ordering = ["scorecard", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "code"], name="qa_item_code")]

    def __str__(self) -> str:
        return self.label

    def as_engine(self) -> engine.ItemSpec:
        return engine.ItemSpec(
            code=self.code,
            kind=self.kind,
            group=self.group,
            weight=float(self.weight),
            check=self.check_name,
            critical=self.critical,
            label=self.label,
            label_en=self.label_en,
            description=self.description,
            description_en=self.description_en,
            channels=tuple(self.channels or ()),
            params=dict(self.params or {}),
        )

    def clean(self) -> None:
        try:
            self.as_engine()
            engine.Scorecard("check", (self.as_engine(),))
        except engine.ScorecardError as error:
            raise ValidationError(str(error)) from None
        if not isinstance(self.params, dict):
            raise ValidationError({"params": _("Thresholds must be a JSON object.")})
        if not isinstance(self.channels, list) or any(c not in dict(CHANNEL_CHOICES) for c in self.channels):
            raise ValidationError(
                {"channels": _("A list of channels: phone, chat, social, email, walk_in, other.")}
            )


class TranscriptSource(models.TextChoices):
    IMPORT = "import", _("Imported (call or chat export)")
    COMPLAINT = "complaint", _("The complaint's conversation")


class Transcript(models.Model):
    """A call or chat transcript 通话/会话记录: turns of ``{"speaker", "text", "start", "end"}`` (seconds
    from the start; ``null`` where the export has no time), standalone or attached to a complaint."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="qa_transcripts",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=10, choices=TranscriptSource.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=CHANNEL_CHOICES, default="chat")
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    turns = models.JSONField(_("turns"), default=list)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Importing the same export twice does not duplicate its calls.
            models.UniqueConstraint(
                fields=["external_ref"], condition=~Q(external_ref=""), name="qa_transcript_external_ref"
            )
        ]

    def __str__(self) -> str:
        return self.external_ref or f"#{self.pk}"

    def as_engine(self) -> engine.Transcript:
        return engine.Transcript.of(self.turns, channel=self.channel)


class InspectionStatus(models.TextChoices):
    QUEUED = "queued", _("To inspect")
    COMPLETED = "completed", _("Completed")


class InspectionReason(models.TextChoices):
    RANDOM = "random", _("Random sample")
    ESCALATED = "escalated", _("Escalated")
    REGULATOR = "regulator", _("Referred by a regulator")
    DISSATISFIED = "dissatisfied", _("Dissatisfied follow-up")
    BAD_FAITH = "bad_faith", _("Marked bad-faith")
    MANUAL = "manual", _("Chosen by an inspector")
    CALIBRATION = "calibration", _("Calibration")


class Inspection(models.Model):
    """One scoring of one transcript on one scorecard version. ``score`` is final (after the
    inspector's overrides and a decided appeal); ``auto_score`` is what the engine gave."""

    transcript = models.ForeignKey(
        Transcript, verbose_name=_("transcript"), on_delete=models.PROTECT, related_name="inspections"
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="qa_inspections",
    )
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="inspections"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="qa_inspections",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: The month the handling counts in (first day, local time): the complaint's closing, or the call.
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.QUEUED
    )
    reason = models.CharField(_("why inspected"), max_length=20, choices=InspectionReason.choices)
    draw = models.ForeignKey(
        "SampleDraw",
        verbose_name=_("sample"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    calibration = models.ForeignKey(
        "Calibration",
        verbose_name=_("calibration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    auto_score = models.FloatField(_("automatic score"), null=True, blank=True)
    raw_score = models.FloatField(_("score before critical items"), null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    failed = models.BooleanField(_("failed on a critical item"), default=False)
    communication_score = models.FloatField(_("communication sub-score"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("inspect", _("Can score inspections, draw samples and run calibrations")),
            ("import_transcripts", _("Can import call and chat transcripts")),
            ("view_all_inspections", _("Can read every team's inspection results")),
            ("view_team_inspections", _("Can read the own team's inspection results")),
            ("view_own_inspections", _("Can read the own inspection results")),
            ("appeal_inspection", _("Can appeal the own inspection result")),
            ("decide_appeal", _("Can decide the team's appeals")),
        ]
        constraints = [
            # One official inspection per transcript; calibration scorings come on top.
            models.UniqueConstraint(
                fields=["transcript"],
                condition=Q(calibration__isnull=True),
                name="qa_one_official_inspection",
            )
        ]
        indexes = [
            # Roll-ups: a month's completed official inspections, by team and agent, carrying the scores.
            models.Index(
                fields=["month", "team", "agent", "score", "communication_score", "failed"],
                condition=Q(status="completed", calibration__isnull=True),
                name="qa_inspection_rollup_idx",
            ),
            models.Index(fields=["status", "-created_at"], name="qa_inspection_queue_idx"),
            models.Index(fields=["agent", "-created_at"], name="qa_inspection_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"QA-{self.pk}"

    @property
    def official(self) -> bool:
        return self.calibration_id is None


class ItemResult(models.Model):
    """One item of one inspection. Kind, group, weight and criticality are copied from the scorecard
    item; ``score`` is final, ``auto_score`` the engine's."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.SlugField(max_length=50)
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    group = models.CharField(max_length=20, choices=ItemGroup.choices)
    weight = models.FloatField()
    critical = models.BooleanField(default=False)
    applicable = models.BooleanField(default=True)
    auto_score = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    reason_zh = models.TextField(blank=True)
    reason_en = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    overridden = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("item result")
        verbose_name_plural = _("item results")
        ordering = ["inspection", "position"]
        constraints = [models.UniqueConstraint(fields=["inspection", "code"], name="qa_result_code")]

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.code}"

    @property
    def pending(self) -> bool:
        """A manual item not scored yet (or an assisted one not confirmed is still scored)."""
        return self.applicable and self.score is None


class ItemMonth(models.Model):
    """The running sum of the final item scores of completed official inspections, per month, team,
    agent and item: what the heat-map, the item means and the weak items read (a month of 100,000
    inspections holds two million item results; this holds one row per agent and item). Kept exact
    in the transaction of each act that changes a counted score (completing an inspection, deciding
    an appeal) by :func:`kesu.qa.services.count_items`; :func:`kesu.qa.services.rebuild_item_months`
    recomputes it from the item results. ``team_key``/``agent_key`` are ids, 0 for none."""

    month = models.DateField()
    team_key = models.PositiveBigIntegerField(default=0)
    agent_key = models.PositiveBigIntegerField(default=0)
    code = models.SlugField(max_length=50)
    group = models.CharField(max_length=20, choices=ItemGroup.choices)
    total = models.FloatField(default=0)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("item roll-up")
        verbose_name_plural = _("item roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "team_key", "agent_key", "code"], name="qa_item_month_key"
            )
        ]
        indexes = [models.Index(fields=["agent_key", "month"], name="qa_item_month_agent_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}:{self.agent_key}:{self.code}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the team lead")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class Appeal(models.Model):
    """The agent's one appeal 申诉 against a completed inspection, decided by a team lead."""

    inspection = models.OneToOneField(
        Inspection, on_delete=models.PROTECT, related_name="appeal", verbose_name=_("inspection")
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    reason = models.TextField(_("reason"))
    items = models.JSONField(_("items disputed"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision"), blank=True)
    score_before = models.FloatField(_("score before"), null=True, blank=True)
    score_after = models.FloatField(_("score after"), null=True, blank=True)
    created_at = models.DateTimeField(_("appealed at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="qa_appeal_status_idx")]

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.status}"


class Calibration(models.Model):
    """A calibration round 校准: the same transcripts scored by two inspectors, to see how far they agree."""

    name = models.CharField(_("name"), max_length=100)
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="+")
    first_inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    second_inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calibration")
        verbose_name_plural = _("calibrations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class SamplingPlan(models.Model):
    """x % of each agent's closed complaints per month, drawn reproducibly from ``seed``, plus the
    complaints every plan includes (escalated, regulator-sourced, dissatisfied, bad-faith)."""

    name = models.CharField(_("name"), max_length=100)
    rate = models.DecimalField(_("random share per agent (%)"), max_digits=5, decimal_places=2, default=5)
    seed = models.CharField(_("seed"), max_length=50, default="kesu")
    scorecard_code = models.SlugField(_("scorecard"), max_length=50, default="default")
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: every team."),
    )
    always_escalated = models.BooleanField(_("always: escalated"), default=True)
    always_regulator = models.BooleanField(_("always: referred by a regulator"), default=True)
    always_dissatisfied = models.BooleanField(_("always: dissatisfied follow-up"), default=True)
    always_bad_faith = models.BooleanField(_("always: marked bad-faith"), default=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sampling plan")
        verbose_name_plural = _("sampling plans")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def always(self) -> list[str]:
        flags = {
            "escalated": self.always_escalated,
            "regulator": self.always_regulator,
            "dissatisfied": self.always_dissatisfied,
            "bad_faith": self.always_bad_faith,
        }
        return [flag for flag, on in flags.items() if on]


class SampleDraw(models.Model):
    """A plan drawn for a month. Drawing again adds what is new (complaints closed since) and never
    withdraws an inspection already made."""

    plan = models.ForeignKey(SamplingPlan, on_delete=models.PROTECT, related_name="draws")
    month = models.DateField(_("month"))
    candidates = models.PositiveIntegerField(_("complaints closed"), default=0)
    picked = models.PositiveIntegerField(_("inspections"), default=0)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    class Meta:
        verbose_name = _("sample drawn")
        verbose_name_plural = _("samples drawn")
        ordering = ["-month", "plan"]
        constraints = [models.UniqueConstraint(fields=["plan", "month"], name="qa_draw_plan_month")]

    def __str__(self) -> str:
        return f"{self.plan} {self.month:%Y-%m}"


class InspectionEvent(AppendOnlyModel):
    """One change to an inspection (scored, item overridden, completed, appealed, decided): who, what,
    when, before/after. Append-only, like the complaints' audit trail, down to a database trigger."""

    append_only_message = "The inspection trail is append-only."

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="events", verbose_name=_("inspection")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=40)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection event")
        verbose_name_plural = _("inspection trail")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.action}"

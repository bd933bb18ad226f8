"""Case reviews 复盘 and what they feed: root causes, touchpoints, improvement actions, team practice
and opportunities. State changes go through :mod:`kesu.reviews.services`; the rules are
:mod:`kesu.core.reviews` (no Django)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.append_only import AppendOnlyModel
from kesu.core.reviews.coverage import Coverage
from kesu.core.reviews.due import ReviewStatus
from kesu.core.reviews.journey import Phase, Signal


class ReviewPolicy(models.Model):
    """Which complaints need a review, and the figures the loop is judged by (one row, admin-edited)."""

    escalated_complaint = models.BooleanField(_("escalated complaints (升级投诉)"), default=True)
    min_escalation_level = models.PositiveSmallIntegerField(
        _("escalations from this level"),
        null=True,
        blank=True,
        default=2,
        help_text=_("1 = team lead, 2 = manager, 3 = legal/PR; empty switches the rule off."),
    )
    triggers = models.JSONField(
        _("escalation triggers that need a review"),
        default=list,
        blank=True,
        help_text=_("Trigger codes, e.g. regulator, legal, public_exposure."),
    )
    reopened = models.BooleanField(_("reopened complaints"), default=True)
    dissatisfied = models.BooleanField(_("dissatisfied follow-ups"), default=True)
    bad_faith = models.BooleanField(_("complaints marked bad-faith"), default=True)
    training_benchmark = models.DecimalField(
        _("communication-training coverage benchmark (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("80"),
    )
    effect_window_days = models.PositiveSmallIntegerField(
        _("days before and after an action to compare"), default=90
    )
    min_effect_count = models.PositiveIntegerField(
        _("fewest complaints for an effect"),
        default=10,
        help_text=_("Below this the action's page says “not enough data yet”."),
    )

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policy")

    def __str__(self) -> str:
        return str(_("Review policy"))


class CauseKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    PRODUCT = "product", _("Product")
    PROCESS = "process", _("Process")
    SYSTEM = "system", _("System")
    COMMUNICATION = "communication", _("Communication")
    THIRD_PARTY = "third_party", _("Third parties")


class RootCause(models.Model):
    """A node of the root-cause tree 根本原因, admin-editable; reviews pick leaves or branches."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Touchpoint(models.Model):
    """A touchpoint of the journey map, admin-editable: its keywords and handling signals suggest it."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    phase = models.CharField(
        _("phase"),
        max_length=10,
        choices=[
            (Phase.HANDLING.value, _("Complaint handling")),
            (Phase.ARISING.value, _("Where complaints arise")),
        ],
    )
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    signals = models.JSONField(
        _("handling signals"), default=list, blank=True, help_text=", ".join(s.value for s in Signal)
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["phase", "position", "id"]

    def __str__(self) -> str:
        return self.name


class ComplaintTouchpoint(models.Model):
    """A complaint touched a touchpoint: suggested from the text and history, or confirmed in its review."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="+")
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.PROTECT, related_name="marks")
    confirmed = models.BooleanField(_("confirmed in the review"), default=False)
    #: The complaint's receipt, copied so that the journey map of a period reads its marks by their
    #: own index instead of scanning every mark to join them to the period's complaints.
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("complaint touchpoint")
        verbose_name_plural = _("complaint touchpoints")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "touchpoint"], name="complaint_touchpoint_unique")
        ]
        indexes = [
            models.Index(fields=["touchpoint", "complaint"], name="touchpoint_complaint_idx"),
            models.Index(fields=["received_at", "touchpoint"], name="touchpoint_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.touchpoint_id}"


class ReviewStatusChoices(models.TextChoices):
    DRAFT = ReviewStatus.DRAFT.value, _("Draft")
    SUBMITTED = ReviewStatus.SUBMITTED.value, _("Waiting for approval")
    APPROVED = ReviewStatus.APPROVED.value, _("Approved")


class Review(models.Model):
    """The STAR-L case review 复盘 of one complaint: drafted by its owner, approved by a team lead."""

    complaint = models.OneToOneField(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="review", verbose_name=_("complaint")
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    #: The complaint's receipt, copied: the Pareto and the report read a period's reviews by it.
    received_at = models.DateTimeField(_("complaint received at"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatusChoices.choices, default=ReviewStatus.DRAFT.value
    )
    required = models.BooleanField(_("required"), default=False)
    reasons = models.JSONField(_("why it is required"), default=list, blank=True)
    situation = models.TextField(_("situation 情境"), blank=True)
    task = models.TextField(_("task 任务"), blank=True)
    action = models.TextField(_("action 行动"), blank=True)
    result = models.TextField(_("result 结果"), blank=True)
    lesson = models.TextField(_("lesson and learning 教训+学习"), blank=True)
    chain = models.JSONField(_("full-chain reconstruction"), default=dict, blank=True)
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member the complaint was about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff_role = models.CharField(_("staff role (e.g. 大堂经理)"), max_length=100, blank=True)
    root_causes = models.ManyToManyField(RootCause, verbose_name=_("root causes"), related_name="reviews")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    return_note = models.TextField(_("why it was returned"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("case review")
        verbose_name_plural = _("case reviews")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("draft_review", _("Can draft the case review of an own complaint")),
            ("approve_review", _("Can approve the team's case reviews")),
            ("view_all_reviews", _("Can read every case review")),
            ("manage_actions", _("Can manage improvement actions")),
            ("record_opportunity", _("Can record opportunities from a complaint")),
        ]
        indexes = [
            models.Index(fields=["status", "team"], name="review_status_team_idx"),
            models.Index(fields=["received_at", "team"], name="review_received_idx"),
        ]

    def __str__(self) -> str:
        return f"R-{self.pk}"

    @property
    def status_enum(self) -> ReviewStatus:
        return ReviewStatus(self.status)


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class MeasureRate(models.TextChoices):
    PER_MILLION = "per_million", _("Complaints per million customers")
    PER_30_DAYS = "per_30_days", _("Complaints per 30 days")
    ESCALATION_RATE = "escalation_rate", _("Escalation rate")
    SATISFACTION = "satisfaction", _("Satisfaction rate")


class ImprovementAction(models.Model):
    """An improvement action 改进措施 and the measure that tells whether it worked."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField(_("department"), max_length=100)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    root_cause = models.ForeignKey(
        RootCause,
        verbose_name=_("root cause"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    reviews = models.ManyToManyField(Review, verbose_name=_("reviews"), blank=True, related_name="actions")
    # The effect measure: which complaints (every filter set must match), which rate.
    measure_rate = models.CharField(
        _("rate"), max_length=20, choices=MeasureRate.choices, default=MeasureRate.PER_30_DAYS
    )
    measure_category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    measure_root_cause = models.ForeignKey(
        RootCause,
        verbose_name=_("root cause (measured)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    measure_touchpoint = models.ForeignKey(
        Touchpoint,
        verbose_name=_("touchpoint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    measure_product = models.CharField(_("product"), max_length=200, blank=True)
    measure_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["status", "due_date", "id"]

    def __str__(self) -> str:
        return self.title


class TeamPractice(models.Model):
    """A team's organisational figures (SPEC §8): communication-training coverage, and whether its
    appraisal includes a communication score."""

    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="practice", verbose_name=_("team")
    )
    agents = models.PositiveIntegerField(_("agents"), default=0)
    agents_trained = models.PositiveIntegerField(_("agents trained in communication"), default=0)
    appraisal_has_communication_score = models.BooleanField(
        _("appraisal includes a communication score"), default=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("team practice")
        verbose_name_plural = _("team practice")

    def __str__(self) -> str:
        return str(self.team)

    @property
    def training(self) -> Coverage:
        return Coverage(trained=self.agents_trained, agents=self.agents)

    @property
    def coverage(self) -> Decimal | None:
        return self.training.rate


class OpportunityKind(models.TextChoices):
    PRODUCT_IMPROVEMENT = "product_improvement", _("Product improvement")
    TOUCHPOINT_FIX = "touchpoint_fix", _("Touchpoint fix")
    RELATIONSHIP = "relationship", _("Relationship")
    BUSINESS_VALUE = "business_value", _("Business value")


class OpportunityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REALISED = "realised", _("Realised")
    DROPPED = "dropped", _("Dropped")


class Opportunity(models.Model):
    """What a complaint opens (提升与挖掘): a product improvement, a touchpoint to fix, the relationship,
    further business value — with an owner and an outcome."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="+", verbose_name=_("complaint")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OpportunityKind.choices)
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    consent = models.BooleanField(_("the customer agreed to hear about offers"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN
    )
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.description[:50]


class ReviewEvent(AppendOnlyModel):
    """One change in the loop (a review drafted, submitted, approved; an action created, done; an
    opportunity recorded): who, what, when. Append-only."""

    append_only_message = "The review trail is append-only."

    review = models.ForeignKey(
        Review,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("review"),
    )
    improvement = models.ForeignKey(
        ImprovementAction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("improvement"),
    )
    opportunity = models.ForeignKey(
        Opportunity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("opportunity"),
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
        verbose_name = _("review event")
        verbose_name_plural = _("review trail")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.action


class TouchpointMonth(models.Model):
    """The journey map's figures of one past month, team and touchpoint, summarised nightly so that a
    year is read from a few thousand rows; the current month is always counted live."""

    month = models.DateField(_("month"))
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE, related_name="+")
    volume = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    effective_seconds = models.FloatField(default=0)  # the sum over the complaints with an effective reply
    effective_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("journey month")
        verbose_name_plural = _("journey months")
        constraints = [
            models.UniqueConstraint(fields=["month", "team", "touchpoint"], name="touchpoint_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}:{self.team_id}:{self.touchpoint_id}"


class TouchpointMonthRun(models.Model):
    """A month whose journey summary is complete (written in the same transaction as its rows)."""

    month = models.DateField(_("month"), unique=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("journey summary run")
        verbose_name_plural = _("journey summary runs")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

"""Training 培训 (SPEC §9, §11): scenarios, practice sessions (solo against the simulated customer, or in
rotating groups of 2–3), their scores on the four criteria, the case library of anonymised real cases,
and trainers' assignments.

State changes go through :mod:`kesu.practice.services`; the decisions (the simulated customer, the
scoring, the rotation, the anonymisation) are :mod:`kesu.core.practice` (no Django).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.append_only import AppendOnlyModel
from kesu.core import practice as engine
from kesu.core.analysis.result import CATEGORIES

CATEGORY_CHOICES = [(code, code) for code in CATEGORIES]


class Scenario(models.Model):
    """A role-play scenario 场景: the agent's brief and the customer's persona (JSON, the core's form:
    :func:`kesu.core.practice.persona_from_dict`), editable by trainers and admins."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title (Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    brief = models.TextField(_("brief for the agent (Chinese)"))
    brief_en = models.TextField(_("brief for the agent (English)"), blank=True)
    category = models.CharField(_("category"), max_length=30, choices=CATEGORY_CHOICES, default="other")
    persona = models.JSONField(_("customer persona"), default=dict)
    trains = models.JSONField(
        _("quality items it trains"),
        default=list,
        blank=True,
        help_text=_("Scorecard item codes; agents weak in one of them are recommended this scenario."),
    )
    authority_limit = models.DecimalField(
        _("the trainee's authority (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: the trainee's own authority limit."),
    )
    active = models.BooleanField(_("active"), default=True)
    source_case = models.ForeignKey(
        "Case",
        verbose_name=_("made from case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="made_scenarios",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["-active", "id"]

    def __str__(self) -> str:
        return self.title

    def as_engine(self) -> engine.Scenario:
        return engine.scenario_from_dict(
            {
                "code": self.code,
                "title": self.title,
                "title_en": self.title_en,
                "brief": self.brief,
                "brief_en": self.brief_en,
                "category": self.category,
                "trains": list(self.trains or []),
                "authority_limit": None if self.authority_limit is None else float(self.authority_limit),
                "persona": self.persona,
            }
        )

    def clean(self) -> None:
        try:
            self.as_engine()
        except engine.ScenarioError as error:
            raise ValidationError({"persona": str(error)}) from None


class CriterionWeight(models.Model):
    """The weight of each of the four criteria in a session's total (admin- and trainer-editable)."""

    code = models.CharField(
        _("criterion"), max_length=20, unique=True, choices=[(c, c) for c in engine.CRITERIA]
    )
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=25)

    class Meta:
        verbose_name = _("criterion weight")
        verbose_name_plural = _("criterion weights")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code}: {self.weight}"


class PracticeGroup(models.Model):
    """A group of 2–3 trainees rotating customer, agent and observer over as many rounds as members."""

    name = models.CharField(_("name"), max_length=100)
    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.PROTECT, related_name="+"
    )
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="GroupMember", related_name="+")
    current_round = models.PositiveSmallIntegerField(_("round"), default=1)
    finished = models.BooleanField(_("finished"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("practice group")
        verbose_name_plural = _("practice groups")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    group = models.ForeignKey(PracticeGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["group", "position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "position"], name="practice_member_position"),
            models.UniqueConstraint(fields=["group", "user"], name="practice_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.position}"


class Mode(models.TextChoices):
    SOLO = "solo", _("Against the simulated customer")
    GROUP = "group", _("Group role-play")


class SessionStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    FINISHED = "finished", _("Finished")


class Assignment(models.Model):
    """A trainer asks a trainee to practise a scenario by a date; the first session of it the trainee
    finishes after the assignment completes it."""

    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trainee"), on_delete=models.PROTECT, related_name="+"
    )
    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    completed_by = models.ForeignKey(
        "PracticeSession", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["trainee", "due_on"], name="practice_assignment_due_idx")]

    def __str__(self) -> str:
        return f"{self.trainee} · {self.scenario} · {self.due_on}"


class PracticeSession(models.Model):
    """One role-play: the trainee plays the agent; the customer is the simulated one (solo) or a
    group member (group), watched by a third member (a group of three)."""

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.PROTECT, related_name="sessions"
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.SOLO)
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.PROTECT,
        related_name="practice_sessions",
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("team"),
    )
    customer_player = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("customer player"),
    )
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("observer"),
    )
    group = models.ForeignKey(
        PracticeGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("group"),
    )
    round_no = models.PositiveSmallIntegerField(_("round"), null=True, blank=True)
    assignment = models.ForeignKey(
        Assignment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assignment"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.ACTIVE
    )
    #: The scenario's persona when the practice started: editing the scenario later changes no
    #: practice already played (nor its scores, recomputed when the peer customer rates).
    persona = models.JSONField(_("customer persona"), default=dict)
    backend = models.CharField(_("simulated customer"), max_length=20, blank=True)
    state = models.JSONField(_("customer state"), default=dict, blank=True)
    authority_limit = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, verbose_name=_("authority limit")
    )
    peer_rating = models.PositiveSmallIntegerField(
        _("the peer customer's rating (1–5)"), null=True, blank=True
    )
    auto_total = models.FloatField(_("automatic total"), null=True, blank=True)
    total = models.FloatField(_("total"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("practice session")
        verbose_name_plural = _("practice sessions")
        ordering = ["-started_at", "-id"]
        permissions = [
            ("practise", _("Can practise role-play")),
            ("run_training", _("Can run training: scenarios, groups, assignments, scores, the case library")),
            ("check_case", _("Can check a case's anonymisation")),
            ("view_case_source", _("Can see the complaint a case comes from")),
            ("view_all_progress", _("Can read every trainee's progress")),
            ("view_team_progress", _("Can read the own team's training progress")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "round_no"],
                condition=Q(group__isnull=False),
                name="practice_one_session_per_round",
            )
        ]
        indexes = [
            models.Index(fields=["trainee", "-started_at"], name="practice_session_trainee_idx"),
            models.Index(
                fields=["team", "finished_at"],
                condition=Q(status="finished"),
                name="practice_session_done_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"PR-{self.pk}"

    @property
    def active(self) -> bool:
        return self.status == SessionStatus.ACTIVE

    @property
    def solo(self) -> bool:
        return self.mode == Mode.SOLO

    def as_persona(self) -> engine.Persona:
        return engine.persona_from_dict(self.persona)


class Turn(models.Model):
    """One line of a practice conversation. A customer line carries the engine's reading of it (as in
    live handling: emotion, escalation triggers) and, against the simulated customer, the event that
    made it; an agent line carries what the reply did (:class:`kesu.core.practice.Reading`)."""

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="turns")
    position = models.PositiveIntegerField()
    speaker = models.CharField(max_length=10, choices=[("customer", _("Customer")), ("agent", _("Agent"))])
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event = models.CharField(max_length=20, blank=True)
    analysis = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "position"]
        constraints = [models.UniqueConstraint(fields=["session", "position"], name="practice_turn_position")]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.position}"


class CriterionResult(models.Model):
    """One of the four criteria of one session: the automatic score with its evidence, and the final
    score (an observer's or trainer's override, with the reason)."""

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="results")
    code = models.CharField(max_length=20, choices=[(c, c) for c in engine.CRITERIA])
    weight = models.FloatField()
    auto_score = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    reason_zh = models.TextField(blank=True)
    reason_en = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True)
    overridden = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["session", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "code"], name="practice_result_code")]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.code}"


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Anonymised, to be checked")
    CHECKED = "checked", _("Checked by a second person")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CaseKind(models.TextChoices):
    EXEMPLARY = "exemplary", _("Exemplary 正面案例")
    CAUTIONARY = "cautionary", _("Cautionary 反面案例")


class Case(models.Model):
    """A real, closed complaint in the case library 案例库, anonymised (nothing personal survives; a
    second person checks), with its STAR-L review. ``complaint`` is visible to QA and trainers only."""

    complaint = models.OneToOneField(
        "complaints.Complaint", verbose_name=_("source complaint"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind.choices, default=CaseKind.EXEMPLARY)
    category = models.CharField(_("category"), max_length=30, choices=CATEGORY_CHOICES, default="other")
    scenarios = models.ManyToManyField(
        Scenario, verbose_name=_("scenarios"), blank=True, related_name="cases"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    text = models.TextField(_("the complaint, anonymised"))
    conversation = models.JSONField(_("the conversation, anonymised"), default=list, blank=True)
    replaced = models.JSONField(_("what anonymisation replaced"), default=dict, blank=True)
    situation = models.TextField(_("Situation 情境"), blank=True)
    task = models.TextField(_("Task 任务"), blank=True)
    action = models.TextField(_("Action 行动"), blank=True)
    result = models.TextField(_("Result 结果"), blank=True)
    lesson = models.TextField(_("Lesson and learning 教训+学习"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("case library")
        ordering = ["-published_at", "-proposed_at", "-id"]
        indexes = [models.Index(fields=["status", "category"], name="practice_case_status_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def published(self) -> bool:
        return self.status == CaseStatus.PUBLISHED


class TrainingEvent(AppendOnlyModel):
    """One change in training (a session started, finished or overridden; a case proposed, checked,
    published; a group moved on; an assignment made): who, what, when. Append-only."""

    append_only_message = "The training trail is append-only."

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=40)
    session = models.ForeignKey(
        PracticeSession,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("session"),
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="events", verbose_name=_("case")
    )
    group = models.ForeignKey(
        PracticeGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("group"),
    )
    scenario = models.ForeignKey(
        Scenario,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("scenario"),
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("training event")
        verbose_name_plural = _("training trail")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.action

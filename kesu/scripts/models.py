"""Scripts 话术: what to say, per stage, category and emotion (SPEC §4–§5), admin-editable."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import SolutionType, StageChoices
from kesu.complaints.vocabulary import CATEGORY_LABELS, EMOTION_LABELS, choices
from kesu.core.replies import check_reply
from kesu.core.replies.scripts import fill_placeholders

#: What the placeholders are checked with, per language (a promise's {时限} is a time limit).
SAMPLE_VALUES = {
    "text": {
        "salutation": "刘先生/女士",
        "agent": "王小明",
        "order": "DD0001",
        "product": "宽带",
        "deadline": "12月4日17:00前",
    },
    "text_en": {
        "salutation": "Mr/Ms Liu",
        "agent": "Wang",
        "order": "DD0001",
        "product": "broadband",
        "deadline": "by 17:00, 4 Dec",
    },
}

CATEGORY_CHOICES = choices(CATEGORY_LABELS)
EMOTION_CHOICES = choices(EMOTION_LABELS)


class Script(models.Model):
    stage = models.CharField(_("stage"), max_length=20, choices=StageChoices.choices)
    category = models.CharField(
        _("category"),
        max_length=30,
        choices=CATEGORY_CHOICES,
        blank=True,
        help_text=_("Empty: any category."),
    )
    emotion = models.CharField(
        _("emotion"), max_length=20, choices=EMOTION_CHOICES, blank=True, help_text=_("Empty: any emotion.")
    )
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("script (Chinese)"))
    text_en = models.TextField(_("script (English)"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    #: A script for one industry (the deployment's ``KESU_INDUSTRY``) or one team; empty: all.
    industry = models.CharField(
        _("industry"),
        max_length=30,
        blank=True,
        help_text=_("Empty: every industry. Otherwise shown only where KESU_INDUSTRY is this value."),
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scripts",
        help_text=_("Empty: every team."),
    )
    #: The semantic tier's embedding of the script's words (``kesu.scripts.encoding``): complaints
    #: are offered the fitting scripts closest to their own words first. None while the encoder is
    #: off here; ``kesu manage embed_scripts`` fills it in.
    embedding = models.BinaryField(_("text embedding (float16)"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("script")
        verbose_name_plural = _("scripts")
        ordering = ["stage", "category", "emotion", "id"]
        indexes = [models.Index(fields=["stage", "active"], name="script_stage_idx")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        """A script must pass the same reply checker agents' replies do (no forbidden phrase,
        no over-promise, a time limit with every promise)."""
        for field in ("text", "text_en"):
            value = getattr(self, field)
            if not value:
                continue
            sample = fill_placeholders(value, SAMPLE_VALUES[field])  # checked as an agent would send it
            result = check_reply(sample, language="en" if field == "text_en" else "zh")
            problems = [f for f in result.findings if f.severity in {"block", "warn"}]
            if problems:
                raise ValidationError(
                    {
                        field: [
                            f"{p.message_zh} ({p.evidence})" if p.evidence else p.message_zh for p in problems
                        ]
                    }
                )


class SolutionOption(models.Model):
    """The solution catalogue 方案库: options an agent can offer for a category, each with its
    steps and time limit (the complaint page fills the solution form with one). Admin-editable;
    seeded from ``kesu/complaints/data/solutions.json``."""

    category = models.CharField(
        _("category"), max_length=30, choices=CATEGORY_CHOICES, help_text=_("“Other” is offered where a category has none.")
    )
    solution_type = models.CharField(_("solution"), max_length=20, choices=SolutionType.choices)
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("steps and time limit"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("solution option")
        verbose_name_plural = _("solution catalogue")
        ordering = ["category", "position", "id"]

    def __str__(self) -> str:
        return self.title

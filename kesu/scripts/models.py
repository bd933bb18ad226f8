"""Scripts 话术: what to say, per stage, category and emotion (SPEC §4–§5), admin-editable."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import StageChoices
from kesu.complaints.vocabulary import CATEGORY_LABELS, EMOTION_LABELS, choices
from kesu.core.replies import check_reply

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
            result = check_reply(value, language="en" if field == "text_en" else "zh")
            problems = [f for f in result.findings if f.severity in {"block", "warn"}]
            if problems:
                raise ValidationError(
                    {
                        field: [
                            f"{p.message_zh} ({p.evidence})" if p.evidence else p.message_zh for p in problems
                        ]
                    }
                )

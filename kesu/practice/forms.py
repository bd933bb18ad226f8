"""Forms of the training pages: they parse and validate input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.complaints.vocabulary import CATEGORY_LABELS, EMOTION_LABELS
from kesu.core import practice as engine
from kesu.practice.models import CaseKind, Scenario
from kesu.practice.services import MAX_TEXT

SOLUTION_LABELS = {
    "refund": _("Refund 退款"),
    "replacement": _("Replacement 换货"),
    "repair": _("Repair 维修"),
    "compensation": _("Compensation 补偿"),
    "credit": _("Credit to the account 话费/账户返还"),
    "explanation": _("Explanation 说明"),
    "handle_for_you": _("Do it for the customer 代为办理"),
    "dedicated_owner": _("A named owner 专人负责"),
}
TIER_LABELS = {"standard": _("Standard"), "high": _("High tier"), "vip": _("VIP")}
RATING_CHOICES = [(str(n), str(n)) for n in range(5, 0, -1)]
SCORE_CHOICES = [("1", "100"), ("0.75", "75"), ("0.5", "50"), ("0.25", "25"), ("0", "0")]


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied is the customer?"), choices=RATING_CHOICES, coerce=int
    )


class OverrideForm(forms.Form):
    code = forms.ChoiceField(choices=[(c, c) for c in engine.CRITERIA])
    score = forms.TypedChoiceField(label=_("Score"), choices=SCORE_CHOICES, coerce=float)
    reason = forms.CharField(label=_("Reason"), max_length=MAX_TEXT)


def facts_to_text(facts: list[dict[str, Any]]) -> str:
    lines = []
    for fact in facts:
        cues = ",".join(fact.get("cues") or [])
        lines.append(f"{'* ' if fact.get('key') else ''}{cues} | {fact['text']}")
    return "\n".join(lines)


def facts_from_text(text: str) -> list[dict[str, Any]]:
    """One fact a line: ``[*] cue,cue | the fact`` (``*``: a key fact, needed before a solution)."""
    facts = []
    for index, line in enumerate(row.strip() for row in text.splitlines()):
        if not line:
            continue
        key = line.startswith("*")
        line = line.lstrip("*").strip()
        cues, _sep, fact = line.rpartition("|") if "|" in line else ("", "", line)
        facts.append(
            {
                "code": f"fact{index + 1}",
                "text": fact.strip(),
                "cues": [c.strip() for c in cues.replace("，", ",").split(",") if c.strip()],
                "key": key,
            }
        )
    return facts


class ScenarioForm(forms.Form):
    """A scenario with its persona as fields (the JSON is the core's; this is the trainer's view)."""

    code = forms.SlugField(label=_("Code"), max_length=60, required=False)
    title = forms.CharField(label=_("Title (Chinese)"), max_length=120)
    title_en = forms.CharField(label=_("Title (English)"), max_length=120, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=list(CATEGORY_LABELS.items()))
    brief = forms.CharField(label=_("Brief for the agent"), widget=forms.Textarea(attrs={"rows": 3}))
    brief_en = forms.CharField(
        label=_("Brief (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    tier = forms.ChoiceField(label=_("Customer tier"), choices=list(TIER_LABELS.items()))
    opening = forms.CharField(label=_("Opening words"), widget=forms.Textarea(attrs={"rows": 2}))
    emotion = forms.ChoiceField(label=_("Starting emotion"), choices=list(EMOTION_LABELS.items()))
    intensity = forms.FloatField(label=_("Intensity (0–1)"), min_value=0, max_value=1)
    facts = forms.CharField(
        label=_("Hidden facts"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One a line: [*] cue,cue | the fact. * marks a key fact the agent must find out first."),
    )
    demand = forms.CharField(label=_("Demand (the customer's words)"), max_length=300, required=False)
    demand_amount = forms.FloatField(label=_("Amount demanded (yuan)"), min_value=0, required=False)
    compensation_standard = forms.FloatField(label=_("Compensation standard (yuan)"), min_value=0)
    acceptable = forms.MultipleChoiceField(
        label=_("Solutions the customer accepts"),
        choices=list(SOLUTION_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    tolerance = forms.IntegerField(label=_("Refusals before escalating"), min_value=1, max_value=10)
    escalation_line = forms.CharField(label=_("Escalation words"), max_length=300)
    authority_limit = forms.DecimalField(
        label=_("The trainee's authority (yuan)"), min_value=0, required=False
    )
    trains = forms.CharField(label=_("Quality items it trains (codes)"), max_length=300, required=False)
    active = forms.BooleanField(label=_("In use"), required=False)

    @classmethod
    def initial_for(cls, scenario: Scenario) -> dict[str, Any]:
        persona = scenario.persona or {}
        return {
            "code": scenario.code,
            "title": scenario.title,
            "title_en": scenario.title_en,
            "category": scenario.category,
            "brief": scenario.brief,
            "brief_en": scenario.brief_en,
            "tier": persona.get("tier", "standard"),
            "opening": persona.get("opening", ""),
            "emotion": persona.get("emotion", "anger"),
            "intensity": persona.get("intensity", 0.8),
            "facts": facts_to_text(persona.get("facts") or []),
            "demand": persona.get("demand", ""),
            "demand_amount": persona.get("demand_amount"),
            "compensation_standard": persona.get("compensation_standard", 0),
            "acceptable": persona.get("acceptable") or [],
            "tolerance": persona.get("tolerance", 3),
            "escalation_line": persona.get("escalation_line", ""),
            "authority_limit": scenario.authority_limit,
            "trains": ", ".join(scenario.trains or []),
            "active": scenario.active,
        }

    def scenario_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "title": data["title"],
            "title_en": data["title_en"],
            "category": data["category"],
            "brief": data["brief"],
            "brief_en": data["brief_en"],
            "authority_limit": data["authority_limit"],
            "trains": [c.strip() for c in data["trains"].split(",") if c.strip()],
            "active": data["active"],
            "persona": {
                "tier": data["tier"],
                "opening": data["opening"],
                "emotion": data["emotion"],
                "intensity": data["intensity"],
                "facts": facts_from_text(data["facts"]),
                "demand": data["demand"],
                "demand_amount": data["demand_amount"],
                "compensation_standard": data["compensation_standard"],
                "acceptable": data["acceptable"],
                "tolerance": data["tolerance"],
                "escalation_line": data["escalation_line"],
            },
        }


class WeightsForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in engine.CRITERIA:
            self.fields[code] = forms.FloatField(
                label=engine.CRITERION_NAMES[code][0], min_value=0, max_value=1000
            )


class GroupForm(forms.Form):
    scenario = forms.ModelChoiceField(label=_("Scenario"), queryset=Scenario.objects.filter(active=True))
    name = forms.CharField(label=_("Group name"), max_length=100, required=False)
    members = forms.CharField(
        label=_("Members (usernames, in order)"),
        max_length=200,
        help_text=_("Two or three, separated by commas; the first plays the agent in round 1."),
    )

    def usernames(self) -> list[str]:
        return [u.strip() for u in self.cleaned_data["members"].replace("，", ",").split(",") if u.strip()]


class AssignmentForm(forms.Form):
    trainee = forms.CharField(label=_("Trainee (username)"), max_length=150)
    scenario = forms.ModelChoiceField(label=_("Scenario"), queryset=Scenario.objects.filter(active=True))
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ProposeCaseForm(forms.Form):
    reference = forms.CharField(label=_("Complaint reference"), max_length=32)
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class CaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    category = forms.ChoiceField(label=_("Category"), choices=list(CATEGORY_LABELS.items()))
    text = forms.CharField(label=_("The complaint, anonymised"), widget=forms.Textarea(attrs={"rows": 3}))
    situation = forms.CharField(
        label=_("Situation 情境"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    task = forms.CharField(label=_("Task 任务"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    action = forms.CharField(label=_("Action 行动"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    result = forms.CharField(label=_("Result 结果"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    lesson = forms.CharField(
        label=_("Lesson and learning 教训+学习"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    scenarios = forms.ModelMultipleChoiceField(
        label=_("Scenarios"),
        queryset=Scenario.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

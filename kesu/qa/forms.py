"""Forms of the quality-inspection pages: they parse and validate input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.qa.services import MAX_TEXT

SCORE_CHOICES = [("1", "100"), ("0.75", "75"), ("0.5", "50"), ("0.25", "25"), ("0", "0")]


class ItemScoreForm(forms.Form):
    code = forms.SlugField(max_length=50)
    score = forms.FloatField(label=_("Score"), min_value=0, max_value=1, required=False)
    not_applicable = forms.BooleanField(label=_("Not applicable"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=MAX_TEXT, required=False)


class CompleteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=MAX_TEXT, required=False)


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you appeal?"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    items = forms.MultipleChoiceField(
        label=_("Items you dispute"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, item_choices: list[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = item_choices


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("uphold", _("Uphold")), ("reject", _("Reject"))])
    note = forms.CharField(
        label=_("Reason for the decision"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, items: list[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for code, label in self.items:
            self.fields[f"score_{code}"] = forms.FloatField(
                label=label, min_value=0, max_value=1, required=False
            )

    def scores(self) -> dict[str, float]:
        return {
            code: self.cleaned_data[f"score_{code}"]
            for code, _label in self.items
            if self.cleaned_data.get(f"score_{code}") is not None
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Transcript file (JSON or CSV)"))
    complaint = forms.CharField(
        label=_("Attach to complaint (reference, optional)"), max_length=32, required=False
    )
    inspect = forms.BooleanField(label=_("Score and queue each transcript"), required=False, initial=True)


class InspectComplaintForm(forms.Form):
    reference = forms.CharField(label=_("Complaint reference"), max_length=32)


class DrawForm(forms.Form):
    plan = forms.IntegerField(min_value=1)
    month = forms.RegexField(label=_("Month"), regex=r"^\d{4}-\d{2}$", max_length=7)


class CalibrationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    first = forms.CharField(label=_("First inspector (username)"), max_length=150)
    second = forms.CharField(label=_("Second inspector (username)"), max_length=150)
    transcripts = forms.MultipleChoiceField(label=_("Transcripts"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, transcript_choices: list[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["transcripts"].choices = transcript_choices

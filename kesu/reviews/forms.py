"""Forms of the loop's pages: they parse and validate input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.reviews.models import MeasureRate, OpportunityKind, OpportunityStatus
from kesu.reviews.services import MAX_TEXT

AREA = {"rows": 3}


class ReviewForm(forms.Form):
    situation = forms.CharField(
        label=_("Situation 情境"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs=AREA)
    )
    task = forms.CharField(
        label=_("Task 任务"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs=AREA)
    )
    action = forms.CharField(
        label=_("Action 行动"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs=AREA)
    )
    result = forms.CharField(
        label=_("Result 结果"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs=AREA)
    )
    lesson = forms.CharField(
        label=_("Lesson and learning 教训+学习"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs=AREA),
    )
    staff_member = forms.TypedChoiceField(
        label=_("Staff member it was about"), required=False, coerce=int, empty_value=None
    )
    staff_role = forms.CharField(label=_("Staff role (e.g. 大堂经理)"), max_length=100, required=False)
    root_causes = forms.MultipleChoiceField(
        label=_("Root causes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    touchpoints = forms.MultipleChoiceField(
        label=_("Touchpoints"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, staff=(), causes=(), touchpoints=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff_member"].choices = [("", "—"), *[(u.pk, str(u)) for u in staff]]
        self.fields["root_causes"].choices = [(c.code, c.name) for c in causes]
        self.fields["touchpoints"].choices = [(t.code, t.name) for t in touchpoints]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return to the owner"))])
    note = forms.CharField(
        label=_("Note"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs=AREA)
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    department = forms.CharField(label=_("Department"), max_length=100)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    root_cause = forms.ChoiceField(label=_("Root cause"), required=False)
    measure_rate = forms.ChoiceField(label=_("Rate measured"), choices=MeasureRate.choices)
    measure_category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    measure_root_cause = forms.ChoiceField(label=_("Root cause (measured)"), required=False)
    measure_touchpoint = forms.ChoiceField(label=_("Touchpoint"), required=False)
    measure_product = forms.CharField(label=_("Product"), max_length=200, required=False)
    measure_team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    review = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, users=(), causes=(), touchpoints=(), categories=(), teams=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        self.fields["owner"].choices = [(u.pk, str(u)) for u in users]
        self.fields["root_cause"].choices = blank + [(c.code, c.name) for c in causes]
        self.fields["measure_root_cause"].choices = blank + [(c.code, c.name) for c in causes]
        self.fields["measure_touchpoint"].choices = blank + [(t.code, t.name) for t in touchpoints]
        self.fields["measure_category"].choices = blank + [(c.pk, str(c)) for c in categories]
        self.fields["measure_team"].choices = blank + [(t.pk, str(t)) for t in teams]


class OpportunityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OpportunityKind.choices)
    description = forms.CharField(
        label=_("Description"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    consent = forms.BooleanField(label=_("The customer agreed to hear about offers"), required=False)


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=OpportunityStatus.choices)
    outcome = forms.CharField(label=_("Outcome"), max_length=MAX_TEXT, required=False)

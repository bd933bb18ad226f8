from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.followup.models import CUSTOMER_RESULTS
from kesu.followup.services import MAX_COMMENT


class CustomerAnswerForm(forms.Form):
    """The customer's rating on the five-point scale 非常满意 … 很不满意, with a comment."""

    result = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=CUSTOMER_RESULTS, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import Team
from kesu.complaints.intake import MAX_TEXT
from kesu.complaints.models import Channel, DemandType, FollowUpResult, RefundMethod, SolutionType, Source
from kesu.customers.models import Tier


class IntakeForm(forms.Form):
    customer_name = forms.CharField(label=_("Customer name"), max_length=100)
    customer_id = forms.CharField(label=_("Customer id"), max_length=64, required=False)
    phone = forms.RegexField(label=_("Phone"), regex=r"^\+?[0-9 \-]{5,20}$", required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    tier = forms.ModelChoiceField(
        label=_("Tier"), queryset=Tier.objects.all(), to_field_name="code", required=False
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.CUSTOMER)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    product = forms.CharField(label=_("Product or service"), max_length=200, required=False)
    order_number = forms.CharField(label=_("Order or account number"), max_length=64, required=False)
    text = forms.CharField(
        label=_("The customer's words"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )
    demand_type = forms.ChoiceField(
        label=_("Demanded remedy"), choices=[("", "—"), *DemandType.choices], required=False
    )
    demand_amount = forms.DecimalField(
        label=_("Demanded amount (yuan)"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        required=False,
    )


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("agent", _("Reply to the customer")),
            ("customer", _("Customer's message")),
            ("note", _("Internal note")),
        ],
    )


class SolutionForm(forms.Form):
    solution_type = forms.ChoiceField(label=_("Solution"), choices=SolutionType.choices)
    text = forms.CharField(
        label=_("Steps and time limit"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=Decimal("0"), max_digits=12, decimal_places=2, required=False
    )
    refund_method = forms.ChoiceField(
        label=_("Refund method"), choices=[("", "—"), *RefundMethod.choices], required=False
    )


class AgreementForm(forms.Form):
    note = forms.CharField(
        label=_("Agreed next steps"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(forms.Form):
    result = forms.ChoiceField(label=_("Follow-up result"), choices=FollowUpResult.choices)
    note = forms.CharField(label=_("Comment"), max_length=5000, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class TransitionForm(forms.Form):
    to = forms.CharField(max_length=20)
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)


class TransferForm(forms.Form):
    to_user = forms.CharField(label=_("New owner (username)"), max_length=150)
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class ChecklistForm(forms.Form):
    item = forms.SlugField(max_length=50)
    done = forms.BooleanField(required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))

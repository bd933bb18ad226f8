from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kesu.accounts.selectors import team_choices
from kesu.complaints.intake import MAX_TEXT, ComplaintCreateIn, create_kwargs
from kesu.complaints.models import (
    Channel,
    DemandType,
    FollowUpResult,
    Priority,
    ReceivingUnit,
    RefundMethod,
    SolutionType,
    Source,
)
from kesu.complaints.selectors import main_categories, subcategories
from kesu.complaints.services.attachments import Upload
from kesu.customers.selectors import tier_choices


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files at once (bills, screenshots, photos, recordings); the service checks each."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(EvidenceField, self).clean(f, initial) for f in files]


class IntakeForm(forms.Form):
    """The intake page's fields, labels and widgets. What is accepted is the shared intake schema's
    to say (:class:`~kesu.complaints.intake.ComplaintCreateIn`, as for the API and the importer):
    :meth:`clean` runs it and puts its refusals on these fields."""

    #: schema field → form field, where the names differ
    FIELDS = {
        "customer.name": "customer_name",
        "customer.external_id": "customer_id",
        "customer.phone": "phone",
        "customer.email": "email",
        "customer.tier": "tier",
    }

    customer_name = forms.CharField(label=_("Customer name"), max_length=100)
    customer_id = forms.CharField(label=_("Customer id"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.CharField(label=_("E-mail"), required=False, widget=forms.EmailInput)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.CUSTOMER)
    receiving_unit = forms.ChoiceField(
        label=_("Receiving unit"),
        choices=ReceivingUnit.choices,
        initial=ReceivingUnit.PROVINCIAL,
        required=False,
        help_text=_("Walk-ins and letters: which unit took the complaint in (decides 升级投诉)."),
    )
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, empty_value=None, required=False)
    product = forms.CharField(label=_("Product or service"), max_length=200, required=False)
    order_number = forms.CharField(label=_("Order or account number"), max_length=64, required=False)
    text = forms.CharField(
        label=_("The customer's words"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )
    demand_type = forms.ChoiceField(
        label=_("Demanded remedy"), choices=[("", "—"), *DemandType.choices], required=False
    )
    demand_amount = forms.CharField(label=_("Demanded amount (yuan)"), required=False)
    files = EvidenceField(label=_("Attachments"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", "—"), *tier_choices()]
        self.fields["team"].choices = [("", "—"), *team_choices()]
        self.validated: dict[str, Any] = {}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        payload: dict[str, Any] = {
            "customer": {
                "name": data.get("customer_name", ""),
                "external_id": data.get("customer_id", ""),
                "phone": data.get("phone", ""),
                "email": data.get("email", ""),
                "tier": data.get("tier", ""),
            },
            **{
                name: data.get(name) or ""
                for name in (
                    "text",
                    "channel",
                    "source",
                    "receiving_unit",
                    "product",
                    "order_number",
                    "demand_type",
                )
            },
        }
        if data.get("team"):
            payload["team"] = data["team"]
        if data.get("demand_amount"):
            payload["demand_amount"] = data["demand_amount"]
        schema = ComplaintCreateIn(data=payload)
        if schema.is_valid():
            self.validated = dict(schema.validated_data)
        else:
            for path, messages in _flat_errors(schema.errors):
                field = self.FIELDS.get(path, path)
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data

    def create_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :func:`kesu.handling.intake.take_in`, once the form is valid."""
        uploads = [Upload(filename=f.name, content=f) for f in self.cleaned_data.get("files") or []]
        return {**create_kwargs(self.validated), "attachments": uploads}


def _flat_errors(errors: Any, prefix: str = "") -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for key, value in errors.items():
        if isinstance(value, dict):
            out.extend(_flat_errors(value, f"{prefix}{key}."))
        else:
            out.append((f"{prefix}{key}", [str(message) for message in value]))
    return out


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
    deliver = forms.ChoiceField(
        label=_("Send by"),
        required=False,
        choices=[
            ("", _("Record only (said on the phone or in person)")),
            ("email", _("E-mail")),
            ("sms", _("SMS")),
        ],
    )
    files = EvidenceField(label=_("Attachments"))


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
    cash_reason = forms.CharField(
        label=_("Why cash rather than a credit"),
        max_length=1000,
        required=False,
        help_text=_("Only for a cash refund: a credit to the bill or account comes first."),
    )


class ApprovalForm(SolutionForm):
    """A solution above the proposer's authority, sent for approval with the reason for it."""

    reason = forms.CharField(
        label=_("Why this is proposed"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class WorkOrderForm(forms.Form):
    department = forms.CharField(label=_("Department"), max_length=100)
    description = forms.CharField(
        label=_("What is asked"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_at = forms.DateTimeField(
        label=_("Due by"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class WorkOrderDoneForm(forms.Form):
    work_order = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    result = forms.CharField(label=_("What the department did"), max_length=5000)


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
    """The new owner is picked from a list of people by display name (the service checks they
    can handle complaints)."""

    to_user = forms.ChoiceField(label=_("New owner"))
    reason = forms.CharField(label=_("Reason"), max_length=1000)

    def __init__(self, *args: Any, people: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].choices = [("", "—"), *(people or [])]


class ChecklistForm(forms.Form):
    item = forms.SlugField(max_length=50)
    done = forms.BooleanField(required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))


class CorrectionForm(forms.Form):
    """What intake may have got wrong, corrected by the owner or a team lead. The contact fields
    are there only for those who see the customer's personal data."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=main_categories())
    subcategory = forms.ModelChoiceField(label=_("Sub-category"), queryset=subcategories(), required=False)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    product = forms.CharField(label=_("Product or service"), max_length=200, required=False)
    phone = forms.RegexField(label=_("Phone"), regex=r"^\+?[0-9 \-]{5,20}$", max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args: Any, contact: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subcategory"].label_from_instance = lambda c: f"{c.parent.name} / {c.name}"
        if not contact:
            del self.fields["phone"], self.fields["email"]


class PreferencesForm(forms.Form):
    notify_by_email = forms.BooleanField(label=_("Send my notifications by e-mail too"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("As the browser says (Chinese first)")),
            *settings.LANGUAGES,
        ]

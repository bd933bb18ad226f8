"""The one input schema for taking a complaint in, shared by the API, the bulk importer and the
web form, so that all three accept and refuse exactly the same things."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from kesu.accounts.models import Team
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Category, Channel, DemandType, Priority, ReceivingUnit, Source
from kesu.complaints.services import CustomerData

MAX_TEXT = 20_000


class _CopiedFields:
    """DRF deep-copies every declared field for each serializer instance, rebuilding each field
    and deep-copying its choices (lazy translations) and validators: a tenth of an API intake.
    These schemas hold only plain value fields, whose per-instance state is what ``bind()``
    assigns, so a shallow copy per instance is enough; nested serializers are still built anew.
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer) else _shallow(field)
            for name, field in self._declared_fields.items()  # type: ignore[attr-defined]
        }


def _shallow(field: serializers.Field) -> serializers.Field:
    """``copy.copy`` without the pickle protocol's detour: a new instance sharing the attributes."""
    clone = field.__class__.__new__(field.__class__)
    clone.__dict__.update(field.__dict__)
    return clone


class CustomerIn(_CopiedFields, serializers.Serializer):
    external_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=100)
    phone = serializers.RegexField(
        r"^\+?[0-9 \-]{5,20}$", max_length=32, required=False, allow_blank=True, default=""
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    id_card = serializers.RegexField(
        r"^[0-9]{15}([0-9]{2}[0-9Xx])?$", required=False, allow_blank=True, default=""
    )
    tier = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class ComplaintCreateIn(_CopiedFields, serializers.Serializer):
    customer = CustomerIn()
    text = serializers.CharField(max_length=MAX_TEXT, trim_whitespace=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.CUSTOMER)
    receiving_unit = serializers.ChoiceField(
        choices=ReceivingUnit.choices, required=False, allow_blank=True, default=""
    )
    team = serializers.IntegerField(required=False, min_value=1)
    product = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    order_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    demand_type = serializers.ChoiceField(
        choices=DemandType.choices, required=False, allow_blank=True, default=""
    )
    demand_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True, default=None
    )
    demand_note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, allow_null=True, default=None
    )
    category = serializers.SlugField(max_length=50, required=False, allow_blank=True, default="")
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    external_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


def create_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    """Turn validated create input into ``complaint_create`` keyword arguments."""
    team = None
    if data.get("team"):
        team = Team.objects.filter(pk=data["team"]).first()
        if team is None:
            raise ComplaintError(ErrorCode.UNKNOWN_TEAM, _("Unknown team."))
    category = None
    if data.get("category"):
        category = Category.objects.filter(code=data["category"]).first()
        if category is None:
            raise ComplaintError(
                ErrorCode.UNKNOWN_CATEGORY, _("Unknown category: %(code)s.") % {"code": data["category"]}
            )
    return {
        "customer": CustomerData(**data["customer"]),
        "text": data["text"],
        "channel": data["channel"],
        "source": data["source"],
        "receiving_unit": data.get("receiving_unit", ""),
        "team": team,
        "product": data["product"],
        "order_number": data["order_number"],
        "demand_type": data["demand_type"],
        "demand_amount": data["demand_amount"],
        "demand_note": data["demand_note"],
        "priority": data["priority"],
        "category": category,
        "received_at": data["received_at"],
        "external_ref": data["external_ref"] or None,
    }

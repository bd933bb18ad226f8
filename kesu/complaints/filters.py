"""The one query schema of a complaint list, shared by the queue page, the API's list and the
exports: the same parameters mean the same filters everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from kesu.complaints.models import Channel, Priority, Source, StageChoices
from kesu.complaints.selectors import ComplaintFilters

#: The largest id a database keeps (64-bit keys): a larger one in a query is refused, not a 500.
MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """An id from a path as a database key, or None when it cannot be one (not ASCII digits, or
    beyond 64 bits): the caller answers 404, never a 500."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and int(text) <= MAX_ID else None


#: Dates a complaint list is asked about; year 1 or 9999 overflows the time-zone conversion.
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


class BoundedDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value: Any) -> datetime:
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:
            parsed = None
        if parsed is None or not EARLIEST <= parsed < LATEST:
            raise serializers.ValidationError(_("Choose a date between 2000 and 2099."), code="invalid")
        return parsed


class ComplaintFiltersIn(serializers.Serializer):
    stage = serializers.ChoiceField(choices=StageChoices.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    category = serializers.SlugField(required=False)
    team = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    owner = serializers.RegexField(r"^(me|none|[0-9]+)$", required=False)
    tier = serializers.SlugField(required=False)
    escalated = serializers.BooleanField(required=False, allow_null=True, default=None)
    open = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(max_length=100, required=False)
    received_after = BoundedDateTimeField(required=False)
    received_before = BoundedDateTimeField(required=False)
    sla = serializers.ChoiceField(choices=["at_risk", "breached", "late", "paused"], required=False)
    escalation = serializers.IntegerField(required=False, min_value=0, max_value=9)


def parse_filters(params: Mapping[str, Any]) -> ComplaintFilters | None:
    """The filters the parameters name, or None when some are not valid (the API answers that
    with the schema's errors: :func:`filters_or_raise`)."""
    schema = ComplaintFiltersIn(data=params)
    if not schema.is_valid():
        return None
    return _filters(schema.validated_data)


def filters_or_raise(params: Mapping[str, Any]) -> ComplaintFilters:
    schema = ComplaintFiltersIn(data=params)
    schema.is_valid(raise_exception=True)
    return _filters(schema.validated_data)


def _filters(validated: Mapping[str, Any]) -> ComplaintFilters:
    data = dict(validated)
    data["is_open"] = data.pop("open", None)
    return ComplaintFilters(**data)

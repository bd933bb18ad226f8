"""The one query schema of a complaint list, shared by the queue page, the API's list and the
exports: the same parameters mean the same filters everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from kesu.complaints.models import Channel, Priority, Source, StageChoices
from kesu.complaints.selectors import ComplaintFilters


class ComplaintFiltersIn(serializers.Serializer):
    stage = serializers.ChoiceField(choices=StageChoices.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    category = serializers.SlugField(required=False)
    team = serializers.IntegerField(required=False, min_value=1)
    owner = serializers.RegexField(r"^(me|none|[0-9]+)$", required=False)
    tier = serializers.SlugField(required=False)
    escalated = serializers.BooleanField(required=False, allow_null=True, default=None)
    open = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(max_length=100, required=False)
    received_after = serializers.DateTimeField(required=False)
    received_before = serializers.DateTimeField(required=False)
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

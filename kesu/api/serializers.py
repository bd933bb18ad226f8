"""Input serializers validate shape and type only; output serializers shape what a user may see
(personal data masked unless the user's role needs it). Business rules live in the services."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kesu.complaints import permissions
from kesu.complaints.analysis import StoredAnalysis
from kesu.complaints.intake import (  # noqa: F401  (re-exported for the schema)
    MAX_TEXT,
    ComplaintCreateIn,
    CustomerIn,
)
from kesu.complaints.models import (
    MAX_CLOSE_REASON,
    AuditEvent,
    Channel,
    Complaint,
    FollowUpResult,
    Message,
    MessageKind,
    RefundMethod,
    SolutionType,
    StageChoices,
)
from kesu.complaints.workflow_config import checklist_for
from kesu.core import privacy, workflow
from kesu.reviews import selectors as review_selectors
from kesu.sla.selectors import sla_view


class TransitionIn(serializers.Serializer):
    to = serializers.ChoiceField(choices=StageChoices.choices)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class TransferIn(serializers.Serializer):
    to_user = serializers.CharField(max_length=150, help_text=_("The new owner's username or id."))
    reason = serializers.CharField(max_length=1000)


class ChecklistIn(serializers.Serializer):
    item = serializers.SlugField(max_length=50)
    done = serializers.BooleanField(default=True)


class SolutionIn(serializers.Serializer):
    solution_type = serializers.ChoiceField(choices=SolutionType.choices)
    text = serializers.CharField(max_length=5000)
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True, default=None
    )
    refund_method = serializers.ChoiceField(
        choices=RefundMethod.choices, required=False, allow_blank=True, default=""
    )
    cash_reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class AgreementIn(serializers.Serializer):
    note = serializers.CharField(max_length=5000)


class FollowUpIn(serializers.Serializer):
    result = serializers.ChoiceField(choices=FollowUpResult.choices)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class CloseReasonIn(serializers.Serializer):
    """Kept on the complaint (``close_reason``), so no longer than its column."""

    reason = serializers.CharField(max_length=MAX_CLOSE_REASON)


class BadFaithIn(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    bad_faith = serializers.BooleanField(default=True)


class MessageIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MessageKind.choices, default=MessageKind.AGENT)
    body = serializers.CharField(max_length=MAX_TEXT)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    deliver = serializers.ChoiceField(
        choices=[("", "record only"), ("email", "e-mail"), ("sms", "SMS")],
        required=False,
        default="",
        help_text="Send a reply to the customer by e-mail or SMS (through the outbox); empty records it only.",
    )
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


def _user_ref(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": str(user)}


class _MaskingMixin:
    """Decides, per complaint, whether the requesting user sees personal data in full."""

    full_view = False

    def _pii(self, complaint: Complaint) -> bool:
        """Asked several times per complaint (customer, text, excerpt); decided once."""
        decided = self.__dict__.setdefault("_pii_decided", {})
        if complaint.pk not in decided:
            user = self.context["request"].user  # type: ignore[attr-defined]
            decided[complaint.pk] = self.full_view and permissions.can_see_pii(user, complaint)
        return decided[complaint.pk]

    def _customer(self, complaint: Complaint) -> dict[str, Any]:
        customer = complaint.customer
        data = {"external_id": customer.external_id, "tier": customer.tier.code}
        masked = customer.masked()
        if self._pii(complaint):
            # Another team's customer named at intake: what the team was not given stays masked.
            hidden = (
                permissions.customer_fields_masked(self.context["request"].user, complaint)  # type: ignore[attr-defined]
                if complaint.customer_hidden
                else frozenset()
            )
            full = {
                "name": customer.name,
                "phone": customer.phone,
                "email": customer.email,
                "id_card": customer.id_card,
            }
            data.update({key: masked[key] if key in hidden else value for key, value in full.items()})
            data["masked"] = bool(hidden)
        else:
            data.update(masked)
            data["masked"] = True
        return data

    def _text(self, complaint: Complaint, text: str) -> str:
        return text if self._pii(complaint) else privacy.mask_text(text)


class ComplaintListOut(_MaskingMixin, serializers.Serializer):
    """A row of a complaint list. Plain (not Model) serializers: intake is a hot path and model
    introspection per response costs more than the rest of the request."""

    reference = serializers.CharField()
    customer = serializers.SerializerMethodField()
    team = serializers.CharField(source="team.name")
    owner = serializers.SerializerMethodField()
    channel = serializers.CharField()
    source = serializers.CharField()
    escalated_complaint = serializers.BooleanField()
    category = serializers.CharField(source="category.code", default=None, allow_null=True)
    priority = serializers.IntegerField()
    stage = serializers.CharField()
    stage_label = serializers.CharField(source="get_stage_display")
    excerpt = serializers.SerializerMethodField()
    received_at = serializers.DateTimeField()
    first_reply_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.DictField())
    def get_customer(self, obj: Complaint) -> dict[str, Any]:
        return self._customer(obj)

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_owner(self, obj: Complaint) -> dict[str, Any] | None:
        return _user_ref(obj.owner)

    def get_excerpt(self, obj: Complaint) -> str:
        return self._text(obj, obj.text[:120])

    def to_representation(self, obj: Complaint) -> dict[str, Any]:
        """Build the dict directly: the declared fields above describe it for the OpenAPI
        schema, but copying ~45 field objects per response was the slowest part of intake."""
        return {
            "reference": obj.reference,
            "customer": self._customer(obj),
            "team": obj.team.name,
            "owner": _user_ref(obj.owner),
            "channel": obj.channel,
            "source": obj.source,
            "escalated_complaint": obj.escalated_complaint,
            "category": obj.category.code if obj.category_id else None,
            "priority": obj.priority,
            "stage": obj.stage,
            "stage_label": str(StageChoices(obj.stage).label),  # get_stage_display() rehashes all choices
            "excerpt": self.get_excerpt(obj),
            "received_at": _iso(obj.received_at),
            "first_reply_at": _iso(obj.first_reply_at),
            "closed_at": _iso(obj.closed_at),
        }


_DATETIME = serializers.DateTimeField()  # stateless: one instance formats every timestamp


def _iso(value: Any) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


class SimilarComplaintOut(_MaskingMixin, serializers.Serializer):
    """An earlier complaint like this one: its row, how it was solved, and how alike the two read (0-1)."""

    complaint = ComplaintListOut()
    similarity = serializers.FloatField()
    solution_type = serializers.CharField(source="complaint.solution_type")
    solution_text = serializers.SerializerMethodField()

    def get_solution_text(self, obj: dict[str, Any]) -> str:
        return self._text(obj["complaint"], obj["complaint"].solution_text)


class ComplaintOut(ComplaintListOut):
    full_view = True
    text = serializers.SerializerMethodField()
    language = serializers.CharField()
    product = serializers.CharField()
    order_number = serializers.CharField()
    demand_type = serializers.CharField()
    demand_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    demand_note = serializers.CharField()
    subcategory = serializers.CharField(source="subcategory.code", default=None, allow_null=True)
    checklist = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()
    analysis = serializers.JSONField()
    solution_type = serializers.CharField()
    solution_text = serializers.CharField()
    solution_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    refund_method = serializers.CharField()
    agreement_note = serializers.CharField()
    follow_up_result = serializers.CharField()
    follow_up_note = serializers.CharField()
    close_reason = serializers.CharField()
    reopen_count = serializers.IntegerField()
    external_ref = serializers.CharField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    effective_solution_at = serializers.DateTimeField(allow_null=True)
    customer_agreed_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    follow_up_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    repeat_of = serializers.CharField(allow_null=True)
    repeat_count = serializers.IntegerField()
    escalation_level = serializers.IntegerField()
    sla = serializers.DictField(
        help_text="first_reply / effective: status, deadline, remaining_seconds, paused"
    )
    bad_faith = serializers.BooleanField()
    bad_faith_reason = serializers.CharField()

    def get_text(self, obj: Complaint) -> str:
        return self._text(obj, obj.text)

    @cached_property
    def _sees_bad_faith(self) -> bool:
        return self.context["request"].user.has_perm("complaints.view_bad_faith_signals")

    def _analysis(self, obj: Complaint) -> dict[str, Any]:
        """Bad-faith signals are for team leads to judge; agents do not see them (SPEC §3)."""
        return StoredAnalysis(obj.analysis).as_json(bad_faith=self._sees_bad_faith, masked=not self._pii(obj))

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_checklist(self, obj: Complaint) -> list[dict[str, Any]]:
        """At 复盘 the items are ticked by the case review (``by_review``), not through this API."""
        recorded = review_selectors.review_stage_ticks(obj) if obj.stage_enum == workflow.Stage.REVIEW else ()
        done = workflow.counted_items(obj.checklist_done, recorded)
        return [
            {
                "item": i.code,
                "label": i.label,
                "required": i.required,
                "done": i.code in done,
                "by_review": i.code in workflow.REVIEW_RECORD_ITEMS,
            }
            for i in checklist_for(obj.stage_enum)
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_transitions(self, obj: Complaint) -> list[str]:
        return [s.value for s in workflow.allowed_targets(obj.stage_enum)]

    def to_representation(self, obj: Complaint) -> dict[str, Any]:
        data = super().to_representation(obj)
        data.update(
            text=self.get_text(obj),
            language=obj.language,
            product=obj.product,
            order_number=obj.order_number,
            demand_type=obj.demand_type,
            demand_amount=_money(obj.demand_amount),
            demand_note=self._text(obj, obj.demand_note),
            subcategory=obj.subcategory.code if obj.subcategory_id else None,
            checklist=self.get_checklist(obj),
            allowed_transitions=self.get_allowed_transitions(obj),
            analysis=self._analysis(obj),
            solution_type=obj.solution_type,
            solution_text=self._text(obj, obj.solution_text),
            solution_amount=_money(obj.solution_amount),
            refund_method=obj.refund_method,
            agreement_note=self._text(obj, obj.agreement_note),
            follow_up_result=obj.follow_up_result,
            follow_up_note=self._text(obj, obj.follow_up_note),
            close_reason=self._text(obj, obj.close_reason),
            reopen_count=obj.reopen_count,
            external_ref=obj.external_ref,
            repeat_of=obj.repeat_of.reference if obj.repeat_of_id else None,
            repeat_count=obj.repeat_count,
            escalation_level=obj.escalation_level,
            sla={name: view.as_dict() for name, view in sla_view(obj).items()},
            bad_faith=obj.bad_faith,
            bad_faith_reason=obj.bad_faith_reason if self._sees_bad_faith else "",
            accepted_at=_iso(obj.accepted_at),
            effective_solution_at=_iso(obj.effective_solution_at),
            customer_agreed_at=_iso(obj.customer_agreed_at),
            resolved_at=_iso(obj.resolved_at),
            follow_up_at=_iso(obj.follow_up_at),
            updated_at=_iso(obj.updated_at),
        )
        return data


class MessageOut(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    delivery = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "kind", "channel", "author", "body", "analysis", "delivery", "attachments", "created_at"]

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_delivery(self, obj: Message) -> dict[str, Any] | None:
        """How a reply reaches the customer: ``pending``, ``sending``, ``sent``, ``failed`` (will
        retry) or ``dead`` (given up), with the last error."""
        outbox = obj.delivery
        if outbox is None:
            return None
        return {"channel": outbox.channel, "status": outbox.status, "last_error": outbox.last_error, "sent_at": outbox.sent_at}

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_attachments(self, obj: Message) -> list[dict[str, Any]]:
        pii = self.context.get("pii")
        return [
            {
                "id": a.pk,
                "kind": a.kind,
                "filename": a.filename if pii or not a.personal else None,
                "content_type": a.content_type,
                "size": a.size,
            }
            for a in obj.attachments.all()
        ]

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_author(self, obj: Message) -> dict[str, Any] | None:
        return _user_ref(obj.author)

    analysis = serializers.SerializerMethodField()

    def get_body(self, obj: Message) -> str:
        if self.context.get("pii"):
            return obj.body
        return privacy.mask_text(obj.body)

    @extend_schema_field(serializers.DictField())
    def get_analysis(self, obj: Message) -> dict[str, Any]:
        """The analysis of a customer's message holds its words (normalised, as evidence)."""
        return obj.analysis if self.context.get("pii") else privacy.mask_derived(obj.analysis)


class AuditEventOut(serializers.ModelSerializer):
    """Changes and notes may quote the customer (a solution's text, a reason): masked like the
    words unless the reader may see personal data (``context["pii"]``)."""

    actor = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "action", "actor", "changes", "note", "created_at"]

    @extend_schema_field(serializers.DictField())
    def get_changes(self, obj: AuditEvent) -> dict[str, Any]:
        return obj.changes if self.context.get("pii") else privacy.mask_derived(obj.changes)

    def get_note(self, obj: AuditEvent) -> str:
        return obj.note if self.context.get("pii") else privacy.mask_text(obj.note)

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_actor(self, obj: AuditEvent) -> dict[str, Any] | None:
        return _user_ref(obj.actor)



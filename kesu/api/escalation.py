"""REST API for escalations and approvals. Thin: parse, call an act, respond."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from kesu.complaints import selectors
from kesu.complaints.errors import Conflict, ErrorCode
from kesu.complaints.models import SolutionType
from kesu.escalation import selectors as escalation_selectors
from kesu.escalation import services
from kesu.escalation.models import ApprovalRequest, Escalation, Reason
from kesu.handling.solution import decide_approval


class EscalateIn(serializers.Serializer):
    note = serializers.CharField(max_length=2000)
    to_level = serializers.IntegerField(required=False, min_value=1, allow_null=True, default=None)


class OutcomeIn(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class ApprovalIn(serializers.Serializer):
    solution_type = serializers.ChoiceField(choices=SolutionType.choices)
    text = serializers.CharField(max_length=5000)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    refund_method = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class DecisionIn(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EscalationOut(serializers.ModelSerializer):
    complaint = serializers.CharField(source="complaint.reference")
    assigned_to = serializers.CharField(source="assigned_to.username", default=None, allow_null=True)
    raised_by = serializers.CharField(source="raised_by.username", default=None, allow_null=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "complaint",
            "level",
            "level_code",
            "reason",
            "triggers",
            "note",
            "package",
            "raised_by",
            "assigned_to",
            "status",
            "outcome",
            "closed_at",
            "created_at",
        ]


class ApprovalOut(serializers.ModelSerializer):
    complaint = serializers.CharField(source="complaint.reference")
    requested_by = serializers.CharField(source="requested_by.username")
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "complaint",
            "requested_by",
            "solution_type",
            "text",
            "amount",
            "refund_method",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
        ]


def _valid(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _complaint(request: Request, reference: str):
    complaint = selectors.complaint_get(user=request.user, reference=reference)
    if complaint is None:
        raise Http404
    return complaint


@extend_schema(
    parameters=[
        OpenApiParameter("reference", str, OpenApiParameter.PATH, description="The complaint's reference")
    ]
)
class ComplaintEscalationViewSet(viewsets.ViewSet):
    """Escalate a complaint by hand, list its escalations, ask for an approval."""

    lookup_field = "reference"
    lookup_value_regex = "[A-Za-z0-9-]+"

    @extend_schema(request=EscalateIn, responses={201: EscalationOut})
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, reference: str) -> Response:
        data = _valid(EscalateIn, request.data)
        escalation = services.escalate_complaint(
            complaint=_complaint(request, reference),
            actor=request.user,
            reason=Reason.MANUAL,
            note=data["note"],
            to_level=data["to_level"],
        )
        if escalation is None:
            raise Conflict(ErrorCode.ALREADY_ESCALATED, _("Already escalated to that level."))
        return Response(EscalationOut(escalation).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=EscalationOut(many=True))
    @action(detail=True, methods=["get"])
    def escalations(self, request: Request, reference: str) -> Response:
        complaint = _complaint(request, reference)
        return Response(
            EscalationOut(escalation_selectors.complaint_escalations(complaint=complaint), many=True).data
        )

    @extend_schema(request=ApprovalIn, responses={201: ApprovalOut})
    @action(detail=True, methods=["post"], url_path="approval-requests")
    def approval_requests(self, request: Request, reference: str) -> Response:
        data = _valid(ApprovalIn, request.data)
        approval = services.approval_request(
            complaint=_complaint(request, reference), actor=request.user, **data
        )
        return Response(ApprovalOut(approval).data, status=status.HTTP_201_CREATED)


class EscalationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Escalations the user may see; ``?mine=true`` lists those waiting for them (assigned to
    them, or at a level their role takes)."""

    serializer_class = EscalationOut

    def get_queryset(self):
        user = self.request.user
        if self.request.query_params.get("mine") in {"true", "1"}:
            queryset = escalation_selectors.escalations_waiting_for(user).order_by("-created_at", "-id")
        else:
            queryset = escalation_selectors.escalations_visible_to(user)
        if status_filter := self.request.query_params.get("status"):
            queryset = queryset.filter(status=status_filter)
        return queryset

    @extend_schema(request=OutcomeIn, responses=EscalationOut)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        data = _valid(OutcomeIn, request.data)
        escalation = services.escalation_resolve(
            escalation=self.get_object(), actor=request.user, outcome=data["text"]
        )
        return Response(EscalationOut(escalation).data)

    @extend_schema(request=OutcomeIn, responses=EscalationOut)
    @action(detail=True, methods=["post"], url_path="de-escalate")
    def de_escalate(self, request: Request, pk: str) -> Response:
        data = _valid(OutcomeIn, request.data)
        escalation = services.escalation_de_escalate(
            escalation=self.get_object(), actor=request.user, note=data["text"]
        )
        return Response(EscalationOut(escalation).data)


class ApprovalViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ApprovalOut

    def get_queryset(self):
        queryset = escalation_selectors.approvals_visible_to(self.request.user)
        if status_filter := self.request.query_params.get("status"):
            queryset = queryset.filter(status=status_filter)
        return queryset

    @extend_schema(request=DecisionIn, responses=ApprovalOut)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        data = _valid(DecisionIn, request.data)
        approval = decide_approval(
            approval=self.get_object(), actor=request.user, approve=data["approve"], note=data["note"]
        )
        return Response(ApprovalOut(approval).data)

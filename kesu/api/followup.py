"""REST API for follow-ups, follow-up links and work orders, under ``/api/v1/`` like the rest of
the API (the paths under ``/f/api/`` redirect here). Thin: parse, call an act, respond."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kesu.complaints import selectors
from kesu.complaints.models import Complaint, FollowUpResult
from kesu.followup import selectors as followup_selectors
from kesu.followup import services
from kesu.followup.models import FollowUp, WorkOrder
from kesu.handling.follow_up import record_follow_up


def _complaint(request: Request, reference: str) -> Complaint:
    complaint = selectors.complaint_get(user=request.user, reference=reference)
    if complaint is None:
        raise Http404
    return complaint


class FollowUpRecordIn(serializers.Serializer):
    """A follow-up result recorded by the agent (the customer's own answer comes by link)."""

    result = serializers.ChoiceField(choices=FollowUpResult.choices)
    comment = serializers.CharField(
        max_length=services.MAX_COMMENT, required=False, allow_blank=True, default=""
    )


class FollowUpOut(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", default=None, allow_null=True)

    class Meta:
        model = FollowUp
        fields = ["id", "method", "result", "comment", "recorded_by", "created_at", "cycle"]


class LinkOut(serializers.Serializer):
    """The link as issued: its URL exists here and in the SMS only (the database keeps a hash)."""

    id = serializers.IntegerField()
    url = serializers.URLField()
    expires_at = serializers.DateTimeField()
    cycle = serializers.IntegerField(help_text="The complaint's follow-up cycle (a reopen starts the next).")
    sms_queued = serializers.BooleanField()


class LinkIn(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1, max_value=services.MAX_LINK_DAYS, required=False, default=None
    )
    send_sms = serializers.BooleanField(required=False, default=False)


class WorkOrderIn(serializers.Serializer):
    department = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=5000)
    due_at = serializers.DateTimeField()


class WorkOrderCompleteIn(serializers.Serializer):
    result = serializers.CharField(max_length=5000)


class WorkOrderOut(serializers.ModelSerializer):
    complaint = serializers.CharField(source="complaint.reference")
    on_time = serializers.BooleanField(allow_null=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "complaint",
            "department",
            "description",
            "created_at",
            "due_at",
            "completed_at",
            "result",
            "on_time",
        ]


class FollowUpsView(APIView):
    @extend_schema(responses=FollowUpOut(many=True))
    def get(self, request: Request, reference: str) -> Response:
        complaint = _complaint(request, reference)
        return Response(
            FollowUpOut(followup_selectors.complaint_follow_ups(complaint=complaint), many=True).data
        )

    @extend_schema(request=FollowUpRecordIn, responses={201: FollowUpOut})
    def post(self, request: Request, reference: str) -> Response:
        complaint = _complaint(request, reference)
        data = FollowUpRecordIn(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = record_follow_up(complaint=complaint, actor=request.user, **data.validated_data)
        return Response(FollowUpOut(follow_up).data, status=status.HTTP_201_CREATED)


class FollowUpLinksView(APIView):
    @extend_schema(request=LinkIn, responses={201: LinkOut})
    def post(self, request: Request, reference: str) -> Response:
        complaint = _complaint(request, reference)
        data = LinkIn(data=request.data)
        data.is_valid(raise_exception=True)
        base = request.build_absolute_uri("/") if data.validated_data["send_sms"] else ""
        issued = services.follow_up_link_issue(
            complaint=complaint,
            actor=request.user,
            days=data.validated_data["days"],
            send_sms_to_base_url=base,
        )
        return Response(
            {
                "id": issued.link.pk,
                "url": request.build_absolute_uri(issued.path),
                "expires_at": issued.link.expires_at,
                "cycle": issued.link.cycle,
                "sms_queued": bool(base and complaint.customer.phone),
            },
            status=status.HTTP_201_CREATED,
        )


class WorkOrdersView(APIView):
    @extend_schema(responses=WorkOrderOut(many=True))
    def get(self, request: Request, reference: str) -> Response:
        complaint = _complaint(request, reference)
        return Response(
            WorkOrderOut(followup_selectors.complaint_work_orders(complaint=complaint), many=True).data
        )

    @extend_schema(request=WorkOrderIn, responses={201: WorkOrderOut})
    def post(self, request: Request, reference: str) -> Response:
        complaint = _complaint(request, reference)
        data = WorkOrderIn(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.work_order_open(complaint=complaint, actor=request.user, **data.validated_data)
        return Response(WorkOrderOut(order).data, status=status.HTTP_201_CREATED)


class WorkOrderCompleteView(APIView):
    @extend_schema(request=WorkOrderCompleteIn, responses=WorkOrderOut)
    def post(self, request: Request, pk: int) -> Response:
        order = followup_selectors.work_order_get(user=request.user, pk=pk)
        if order is None:
            raise Http404
        data = WorkOrderCompleteIn(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.work_order_complete(work_order=order, actor=request.user, **data.validated_data)
        return Response(WorkOrderOut(order).data)

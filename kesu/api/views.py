"""REST API v1, complaints. Each endpoint parses input, calls one act (:mod:`kesu.handling` for the
acts that span capabilities, a capability's services for the rest) or selector, and responds."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from kesu.accounts.selectors import user_by_username
from kesu.api import serializers as s
from kesu.complaints import permissions, selectors, services
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.filters import ComplaintFiltersIn, filters_or_raise
from kesu.complaints.intake import ComplaintCreateIn, create_kwargs
from kesu.complaints.models import Complaint
from kesu.complaints.services.attachments import Upload
from kesu.handling import conversation, follow_up, intake, solution, stages
from kesu.handling.importer import start_import
from kesu.imports.api import ImportJobOut
from kesu.sla import services as sla_services

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="A client-chosen unique key; retrying with the same key never creates a second complaint.",
)


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Complaints visible to the requesting user (their team's, or all for managers)."""

    lookup_field = "reference"
    lookup_value_regex = "[A-Za-z0-9-]+"
    serializer_class = s.ComplaintOut

    def get_queryset(self):
        return selectors.complaints_visible_to(self.request.user)

    def get_serializer_class(self):
        return s.ComplaintListOut if self.action == "list" else s.ComplaintOut

    def get_object(self) -> Complaint:
        complaint = selectors.complaint_get(user=self.request.user, reference=self.kwargs["reference"])
        if complaint is None:
            raise Http404
        return complaint

    def _refresh(self, complaint: Complaint) -> Response:
        complaint = selectors.complaint_get(user=self.request.user, reference=complaint.reference)
        return Response(s.ComplaintOut(complaint, context=self.get_serializer_context()).data)

    @extend_schema(parameters=[ComplaintFiltersIn])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = selectors.complaint_list(user=request.user, filters=filters_or_raise(request.query_params))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=ComplaintCreateIn,
        responses={201: s.ComplaintOut, 200: s.ComplaintOut},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def create(self, request: Request) -> Response:
        payload = ComplaintCreateIn(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = create_kwargs(payload.validated_data)
        key = request.headers.get("Idempotency-Key", "").strip()
        if key:
            if len(key) > 200:
                raise ComplaintError(ErrorCode.INVALID_IDEMPOTENCY_KEY, _("The Idempotency-Key is too long."))
            fingerprint = hashlib.sha256(
                json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False).encode()
            ).hexdigest()
            complaint, replayed = intake.take_in_idempotent(
                actor=request.user, key=key, fingerprint=fingerprint, **fields
            )
        else:
            complaint, replayed = intake.take_in(actor=request.user, **fields), False
        if replayed:
            complaint = selectors.complaint_get(user=request.user, reference=complaint.reference)
            if complaint is None:  # created by this user for a team they no longer see
                raise Http404
        response = Response(
            s.ComplaintOut(complaint, context=self.get_serializer_context()).data,
            status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
        )
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    @extend_schema(request=None, responses=s.ComplaintOut)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, reference: str) -> Response:
        return self._refresh(services.complaint_accept(complaint=self.get_object(), actor=request.user))

    @extend_schema(responses=s.SimilarComplaintOut(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def similar(self, request: Request, reference: str) -> Response:
        """Earlier complaints like this one (by the semantic tier's embedding), with how they were solved."""
        pairs = selectors.similar_complaints(user=request.user, complaint=self.get_object())
        rows = [{"complaint": c, "similarity": v} for c, v in pairs]
        return Response(s.SimilarComplaintOut(rows, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=s.TransitionIn, responses=s.ComplaintOut)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, reference: str) -> Response:
        data = self._valid(s.TransitionIn)
        complaint = stages.move(
            complaint=self.get_object(), actor=request.user, to=data["to"], reason=data["reason"]
        )
        return self._refresh(complaint)

    @extend_schema(request=s.ChecklistIn, responses=s.ComplaintOut)
    @action(detail=True, methods=["post"])
    def checklist(self, request: Request, reference: str) -> Response:
        data = self._valid(s.ChecklistIn)
        complaint = services.complaint_check_item(
            complaint=self.get_object(), actor=request.user, item=data["item"], done=data["done"]
        )
        return self._refresh(complaint)

    @extend_schema(request=s.SolutionIn, responses=s.ComplaintOut)
    @action(detail=True, methods=["post"])
    def solution(self, request: Request, reference: str) -> Response:
        data = self._valid(s.SolutionIn)
        complaint = solution.record_solution(
            complaint=self.get_object(),
            actor=request.user,
            solution_type=data["solution_type"],
            text=data["text"],
            amount=data["amount"],
            refund_method=data["refund_method"],
            cash_reason=data["cash_reason"],
        )
        return self._refresh(complaint)

    @extend_schema(request=s.AgreementIn, responses=s.ComplaintOut)
    @action(detail=True, methods=["post"])
    def agreement(self, request: Request, reference: str) -> Response:
        data = self._valid(s.AgreementIn)
        complaint = services.complaint_record_agreement(
            complaint=self.get_object(), actor=request.user, note=data["note"]
        )
        return self._refresh(complaint)

    @extend_schema(request=s.FollowUpIn, responses=s.ComplaintOut)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request: Request, reference: str) -> Response:
        data = self._valid(s.FollowUpIn)
        recorded = follow_up.record_follow_up(
            complaint=self.get_object(), actor=request.user, result=data["result"], comment=data["note"]
        )
        return self._refresh(recorded.complaint)

    @extend_schema(request=s.CloseReasonIn, responses=s.ComplaintOut)
    @action(detail=True, methods=["post"], url_path="close-reason")
    def close_reason(self, request: Request, reference: str) -> Response:
        data = self._valid(s.CloseReasonIn)
        complaint = services.complaint_set_close_reason(
            complaint=self.get_object(), actor=request.user, reason=data["reason"]
        )
        return self._refresh(complaint)

    @extend_schema(request=s.ReasonIn, responses=s.ComplaintOut)
    @action(detail=True, methods=["post"], url_path="wait-for-customer")
    def wait_for_customer(self, request: Request, reference: str) -> Response:
        """Pause the service-level clocks until the customer answers."""
        data = self._valid(s.ReasonIn)
        complaint = sla_services.complaint_wait_for_customer(
            complaint=self.get_object(), actor=request.user, note=data["reason"]
        )
        return self._refresh(complaint)

    @extend_schema(request=None, responses=s.ComplaintOut)
    @action(detail=True, methods=["post"], url_path="resume-clocks")
    def resume_clocks(self, request: Request, reference: str) -> Response:
        complaint = sla_services.complaint_resume_clocks(complaint=self.get_object(), actor=request.user)
        return self._refresh(complaint)

    @extend_schema(request=s.BadFaithIn, responses=s.ComplaintOut)
    @action(detail=True, methods=["post"], url_path="bad-faith")
    def bad_faith(self, request: Request, reference: str) -> Response:
        data = self._valid(s.BadFaithIn)
        complaint = services.complaint_mark_bad_faith(
            complaint=self.get_object(),
            actor=request.user,
            reason=data["reason"],
            bad_faith=data["bad_faith"],
        )
        return self._refresh(complaint)

    @extend_schema(request=s.TransferIn, responses=s.ComplaintOut)
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, reference: str) -> Response:
        data = self._valid(s.TransferIn)
        to_user = user_by_username(data["to_user"], or_id=True)
        if to_user is None:
            raise ComplaintError(
                ErrorCode.UNKNOWN_USER, _("Unknown user: %(user)s.") % {"user": data["to_user"]}
            )
        complaint = services.complaint_transfer(
            complaint=self.get_object(), actor=request.user, to_user=to_user, reason=data["reason"]
        )
        return self._refresh(complaint)

    @extend_schema(request=s.MessageIn, responses={200: s.MessageOut(many=True), 201: s.MessageOut})
    @action(
        detail=True, methods=["get", "post"], parser_classes=[JSONParser, MultiPartParser], pagination_class=None
    )
    def messages(self, request: Request, reference: str) -> Response:
        complaint = self.get_object()
        context = {"pii": permissions.can_see_pii(request.user, complaint)}
        if request.method == "GET":
            messages = selectors.complaint_messages(complaint=complaint)
            return Response(s.MessageOut(messages, many=True, context=context).data)
        data = self._valid(s.MessageIn)
        message = conversation.add_message(
            complaint=complaint,
            actor=request.user,
            body=data["body"],
            kind=data["kind"],
            channel=data.get("channel"),
            deliver=data["deliver"],
            attachments=[Upload(filename=f.name, content=f) for f in data["files"]],
        )
        return Response(s.MessageOut(message, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.AuditEventOut(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def audit(self, request: Request, reference: str) -> Response:
        complaint = self.get_object()
        if not permissions.can_view_audit(request.user, complaint):
            raise PermissionRefused()
        context = {"pii": permissions.can_see_pii(request.user, complaint)}
        events = selectors.complaint_audit(complaint=complaint)
        return Response(s.AuditEventOut(events, many=True, context=context).data)

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={202: ImportJobOut},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def bulk_import(self, request: Request) -> Response:
        """Store the file and start its import in the background: 202 with the job (``url`` to poll,
        ``rows_url`` for the per-row report once it is done). A file over the size limit, of another
        kind, or an XLSX that would unpack beyond the limit is refused at once (400)."""
        upload = request.FILES.get("file")
        if upload is None:
            raise ComplaintError(ErrorCode.FILE_REQUIRED, _("Attach a CSV or XLSX file as 'file'."))
        job = start_import(actor=request.user, name=upload.name, stream=upload, size=upload.size)
        body = ImportJobOut(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    def _valid(self, serializer_class: type) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

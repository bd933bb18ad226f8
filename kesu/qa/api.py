"""REST API for quality inspection under ``/api/v1/qa/``. Thin: parse, call a service or selector,
respond; the services check permissions again."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.filters import MAX_ID
from kesu.core import privacy
from kesu.core import qa as engine
from kesu.imports.api import ImportJobOut
from kesu.qa import permissions, selectors, services
from kesu.qa.models import Appeal, Inspection, ItemResult

#: The project's JSON parser (the first of DEFAULT_PARSER_CLASSES: nesting too deep is a 400).
JSONParser = api_settings.DEFAULT_PARSER_CLASSES[0]

class QaItemResultOut(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="automatic | assisted | manual")
    group = serializers.CharField(
        read_only=True, help_text="method | communication | solution | compliance | timeliness"
    )
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = ItemResult
        fields = [
            "code",
            "kind",
            "group",
            "weight",
            "critical",
            "applicable",
            "auto_score",
            "score",
            "overridden",
            "override_reason",
            "reason_zh",
            "reason_en",
            "evidence",
            "figures",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_evidence(self, result: ItemResult) -> list[Any]:
        """The evidence quotes the conversation: masked like the transcript."""
        if self.context["request"].user.has_perm("complaints.view_customer_pii"):
            return result.evidence
        return privacy.mask_derived(result.evidence)


class QaAppealOut(serializers.ModelSerializer):
    raised_by = serializers.CharField(source="raised_by.username")
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)
    status = serializers.CharField(read_only=True, help_text="pending | upheld | rejected")

    class Meta:
        model = Appeal
        fields = [
            "id",
            "raised_by",
            "reason",
            "items",
            "status",
            "decided_by",
            "decision_note",
            "score_before",
            "score_after",
            "created_at",
            "decided_at",
        ]


class QaInspectionListOut(serializers.ModelSerializer):
    agent = serializers.CharField(source="agent.username", default=None, allow_null=True)
    team = serializers.CharField(source="team.name", default=None, allow_null=True)
    complaint = serializers.CharField(source="complaint.reference", default=None, allow_null=True)
    inspector = serializers.CharField(source="inspector.username", default=None, allow_null=True)
    scorecard = serializers.SerializerMethodField()
    appeal_status = serializers.CharField(source="appeal.status", default=None, allow_null=True)
    status = serializers.CharField(read_only=True, help_text="queued | completed")
    reason = serializers.CharField(
        read_only=True,
        help_text="random | escalated | regulator | dissatisfied | bad_faith | manual | calibration",
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "agent",
            "team",
            "complaint",
            "month",
            "status",
            "reason",
            "scorecard",
            "inspector",
            "auto_score",
            "raw_score",
            "score",
            "failed",
            "communication_score",
            "appeal_status",
            "created_at",
            "completed_at",
        ]

    def get_scorecard(self, inspection: Inspection) -> dict[str, Any]:
        return {"code": inspection.scorecard.code, "version": inspection.scorecard.version}


class QaInspectionOut(QaInspectionListOut):
    items = QaItemResultOut(source="results", many=True)
    transcript = serializers.SerializerMethodField()
    appeal = serializers.SerializerMethodField()

    class Meta(QaInspectionListOut.Meta):
        fields = [*QaInspectionListOut.Meta.fields, "items", "transcript", "appeal"]

    def get_transcript(self, inspection: Inspection) -> dict[str, Any]:
        mask = not self.context["request"].user.has_perm("complaints.view_customer_pii")
        transcript = inspection.transcript
        turns = [
            {**turn, "text": privacy.mask_text(turn.get("text", "")) if mask else turn.get("text", "")}
            for turn in transcript.turns
        ]
        return {
            "id": transcript.pk,
            "source": transcript.source,
            "channel": transcript.channel,
            "external_ref": transcript.external_ref,
            "started_at": transcript.started_at,
            "turns": turns,
        }

    def get_appeal(self, inspection: Inspection) -> dict[str, Any] | None:
        appeal = getattr(inspection, "appeal", None)
        return QaAppealOut(appeal).data if appeal is not None else None


class QaItemScoreIn(serializers.Serializer):
    code = serializers.SlugField(max_length=50)
    score = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=services.MAX_TEXT, required=False, allow_blank=True, default="")
    not_applicable = serializers.BooleanField(required=False, default=False)


class QaNoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=services.MAX_TEXT, required=False, allow_blank=True, default="")


class QaAppealIn(serializers.Serializer):
    reason = serializers.CharField(max_length=services.MAX_TEXT)
    items = serializers.ListField(child=serializers.SlugField(max_length=50), required=False, default=list)


class QaDecisionIn(serializers.Serializer):
    upheld = serializers.BooleanField()
    note = serializers.CharField(max_length=services.MAX_TEXT)
    scores = serializers.DictField(
        child=serializers.FloatField(min_value=0, max_value=1), required=False, default=dict
    )


class QaInspectionFiltersIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=["queued", "completed", ""], required=False, default="")
    month = serializers.RegexField(r"^\d{4}-\d{2}$", required=False)
    team = serializers.IntegerField(required=False, min_value=1)
    agent = serializers.IntegerField(required=False, min_value=1)
    reason = serializers.CharField(required=False, max_length=20, default="")


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inspections the caller may read: inspectors, managers and trainers all; team leads their
    team's completed results; agents their own."""

    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.inspections_visible_to(self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        return QaInspectionListOut if self.action == "list" else QaInspectionOut

    def get_object(self) -> Inspection:
        inspection = selectors.inspection_get(user=self.request.user, pk=_pk(self.kwargs["pk"]))
        if inspection is None:
            raise Http404
        return inspection

    @extend_schema(parameters=[QaInspectionFiltersIn])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = QaInspectionFiltersIn(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        filters = selectors.QueueFilters(
            status=data.get("status", ""),
            team_id=data.get("team"),
            agent_id=data.get("agent"),
            reason=data.get("reason", ""),
            month=selectors.parse_month(data["month"]) if data.get("month") else None,
        )
        queryset = selectors.inspection_queue(user=request.user, filters=filters)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(QaInspectionListOut(page, many=True).data)

    def _refreshed(self, inspection: Inspection) -> Response:
        fresh = selectors.inspection_get(user=self.request.user, pk=inspection.pk)
        return Response(QaInspectionOut(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=QaItemScoreIn, responses=QaInspectionOut)
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk: str) -> Response:
        """Score a manual item, confirm an assisted one, or override an automatic score (with a reason)."""
        data = _valid(QaItemScoreIn, request)
        inspection = self.get_object()
        services.inspection_score_item(inspection=inspection, actor=request.user, **data)
        return self._refreshed(inspection)

    @extend_schema(request=QaNoteIn, responses=QaInspectionOut)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        data = _valid(QaNoteIn, request)
        inspection = services.inspection_complete(
            inspection=self.get_object(), actor=request.user, note=data["note"]
        )
        return self._refreshed(inspection)

    @extend_schema(request=QaAppealIn, responses={201: QaAppealOut})
    @action(detail=True, methods=["post"])
    def appeal(self, request: Request, pk: str) -> Response:
        """The agent's one appeal 申诉 against a completed result."""
        data = _valid(QaAppealIn, request)
        appeal = services.appeal_raise(
            inspection=self.get_object(), actor=request.user, reason=data["reason"], items=data["items"]
        )
        return Response(QaAppealOut(appeal).data, status=status.HTTP_201_CREATED)


class AppealViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Appeals waiting for the calling team lead."""

    serializer_class = QaAppealOut
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.appeals_to_decide(user=self.request.user)

    @extend_schema(request=QaDecisionIn, responses=QaAppealOut)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        data = _valid(QaDecisionIn, request)
        appeal = Appeal.objects.select_related("inspection").filter(pk=_pk(pk)).first()
        if appeal is None or not permissions.can_view(request.user, appeal.inspection):
            raise Http404
        appeal = services.appeal_decide(appeal=appeal, actor=request.user, **data)
        return Response(QaAppealOut(appeal).data)


def _pk(value: str) -> int:
    """A path id the database can hold (digits, at most a 64-bit integer), or 404."""
    if not value.isdigit() or int(value) > MAX_ID:
        raise Http404
    return int(value)


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class QaTranscriptImportIn(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="A JSON or CSV export (multipart).")
    complaint = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    inspect = serializers.BooleanField(required=False, default=True)


class TranscriptImportView(APIView):
    """Import call or chat transcripts. A multipart ``file`` (JSON or CSV, up to 2,000 transcripts) is
    checked whole, then imported in the background: 202 with the import job (``url`` to poll, ``rows_url``
    for a line of report per transcript). A JSON body in the export format itself (one transcript, a list,
    or ``{"transcripts": [...]}``, at most 100: what a CTI system posts as it goes) is imported at once:
    201 with what was created."""

    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(request=QaTranscriptImportIn, responses={201: dict, 202: ImportJobOut})
    def post(self, request: Request) -> Response:
        if not permissions.can_import(request.user):
            raise PermissionRefused()
        upload = request.FILES.get("file")
        if upload is not None:
            options = _valid(QaTranscriptImportIn, request)
        else:
            options = {
                "complaint": request.query_params.get("complaint", ""),
                "inspect": request.query_params.get("inspect", "true") != "false",
            }
        complaint = None
        if options["complaint"]:
            from kesu.complaints import selectors as complaint_selectors

            complaint = complaint_selectors.complaint_get(user=request.user, reference=options["complaint"])
            if complaint is None:
                raise ComplaintError(ErrorCode.UNKNOWN_COMPLAINT, "Unknown complaint.")
        if upload is not None:
            job = services.transcripts_import_start(
                actor=request.user,
                name=upload.name,
                stream=upload,
                size=upload.size,
                complaint=complaint,
                inspect=options["inspect"],
            )
            body = ImportJobOut(job, context={"request": request}).data
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
        content = json.dumps(request.data, ensure_ascii=False).encode()
        report = services.transcripts_import(
            actor=request.user, name="body.json", content=content, complaint=complaint, inspect=options["inspect"]
        )
        return Response(report.as_dict(), status=status.HTTP_201_CREATED)


class ScoreView(APIView):
    """Score a transcript on the scorecard in use without storing anything (for a CTI system or a
    trial): the body is one transcript in the export format."""

    parser_classes = [JSONParser]

    @extend_schema(request=dict, responses=dict)
    def post(self, request: Request) -> Response:
        if not permissions.can_inspect(request.user):
            raise PermissionRefused()
        parsed = services.parse_export(
            name="body.json", content=json.dumps(request.data, ensure_ascii=False).encode()
        )
        scorecard = services.scorecard_in_use().as_engine()
        results = [engine.score_transcript(p.transcript, scorecard).as_dict() for p in parsed[:50]]
        return Response({"results": results})


class RollupView(APIView):
    """The month's roll-up per agent and team, the item heat-map and the 12-month trend."""

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM (default: this month)"),
            OpenApiParameter("team", int),
        ],
        responses=dict,
    )
    def get(self, request: Request) -> Response:
        team = request.query_params.get("team", "")
        team_id = selectors.rollup_team_scope(
            user=request.user, team_id=int(team) if team.isdigit() else None
        )
        rollup = selectors.rollup(
            month=selectors.parse_month(request.query_params.get("month")), team_id=team_id, with_kpis=True
        )
        return Response(
            {
                "month": rollup.month.strftime("%Y-%m"),
                "team": rollup.team_id,
                "by_agent": [
                    {
                        "agent": r["agent__username"],
                        "team": r["team__name"],
                        "inspections": r["inspections"],
                        "score": r["score"],
                        "communication": r["communication"],
                        "failed": r["failed"],
                        "items": rollup.heatmap.get(r["agent_id"], {}),
                        "service": rollup.kpis.get(r["agent_id"]),
                    }
                    for r in rollup.by_agent
                ],
                "by_team": [
                    {
                        "team": r["team__name"],
                        **{k: r[k] for k in ("inspections", "score", "communication", "failed")},
                    }
                    for r in rollup.by_team
                ],
                "items": rollup.item_means,
                "trend": rollup.trend,
            }
        )

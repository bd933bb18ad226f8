"""REST API for bulk-import jobs. ``POST /complaints/import/`` and ``POST /qa/transcripts/`` (a file)
answer 202 with a job; its status, counts and per-row report are read here. Thin: read through
selectors, respond."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from kesu.complaints.errors import PermissionRefused
from kesu.imports import selectors
from kesu.imports.models import ImportJob, ImportRow, JobKind, RowOutcome


class ImportJobOut(serializers.ModelSerializer):
    started_by = serializers.CharField(source="started_by.username")
    percent = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    rows_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "url",
            "rows_url",
            "filename",
            "size",
            "status",
            "rows_total",
            "rows_done",
            "percent",
            "created",
            "skipped",
            "rejected",
            "error_code",
            "error",
            "started_by",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_url(self, job: ImportJob) -> str:
        return reverse("import-job-detail", kwargs={"pk": job.pk}, request=self.context.get("request"))

    def get_rows_url(self, job: ImportJob) -> str:
        return reverse("import-job-rows", kwargs={"pk": job.pk}, request=self.context.get("request"))


class ImportRowOut(serializers.ModelSerializer):
    row = serializers.IntegerField(source="number")
    messages = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = ImportRow
        fields = ["row", "outcome", "reference", "messages"]


class ImportRowPageOut(serializers.Serializer):
    """One page of the per-row report (the API's pagination: ``?page=``, ``?page_size=`` up to 200)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ImportRowOut(many=True)


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The import jobs the caller started: status (queued, running, done, failed), progress and the
    per-row report (``rows/``, paginated, ``?outcome=created|skipped|rejected``)."""

    serializer_class = ImportJobOut
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        kinds = [kind for kind in JobKind.values if selectors.may_import(self.request.user, kind)]
        if not kinds:
            raise PermissionRefused()
        return selectors.jobs_visible(user=self.request.user).filter(kind__in=kinds).order_by("-created_at", "-id")

    @extend_schema(
        parameters=[OpenApiParameter("outcome", str, enum=RowOutcome.values, required=False)],
        responses=ImportRowPageOut,
    )
    @action(detail=True, methods=["get"])
    def rows(self, request: Request, pk: str) -> Response:
        job = self.get_object()
        outcome = request.query_params.get("outcome", "")
        if outcome and outcome not in RowOutcome.values:
            raise Http404
        page = self.paginate_queryset(selectors.job_rows(job=job, outcome=outcome))
        return self.get_paginated_response(ImportRowOut(page, many=True).data)

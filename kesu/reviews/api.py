"""REST API for the case reviews 复盘 under ``/api/v1/reviews/``: read-only, with the pages'
permissions (:mod:`kesu.reviews.permissions`: the team's reviews for team members, every review for
managers, QA and trainers). What quotes the customer — STAR-L, the full chain — is masked for who
does not see the complaint's personal data, as everywhere derived text is."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from kesu.complaints import permissions as complaint_permissions
from kesu.complaints.errors import PermissionRefused
from kesu.complaints.filters import parse_id
from kesu.core import privacy
from kesu.reviews import permissions, selectors
from kesu.reviews.models import Review, ReviewStatusChoices
from kesu.reviews.services import STAR_L


class ReviewListOut(serializers.ModelSerializer):
    complaint = serializers.CharField(source="complaint.reference")
    team = serializers.CharField(source="team.name")
    status = serializers.CharField(read_only=True, help_text="draft | submitted | approved")
    drafted_by = serializers.CharField(source="drafted_by.username")
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True, default=None)
    reasons = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="why the review is required (empty: by choice)"
    )
    root_causes = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "complaint",
            "team",
            "status",
            "required",
            "reasons",
            "root_causes",
            "drafted_by",
            "approved_by",
            "received_at",
            "created_at",
            "submitted_at",
            "approved_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_root_causes(self, review: Review) -> list[str]:
        return sorted(c.code for c in review.root_causes.all())


class ReviewOut(ReviewListOut):
    """One review: STAR-L, the full-chain reconstruction, the staff member, the return note."""

    situation = serializers.SerializerMethodField()
    task = serializers.SerializerMethodField()
    action = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    lesson = serializers.SerializerMethodField()
    chain = serializers.SerializerMethodField()
    staff_member = serializers.CharField(source="staff_member.username", allow_null=True, default=None)
    improvement_actions = serializers.SerializerMethodField()

    class Meta(ReviewListOut.Meta):
        fields = [
            *ReviewListOut.Meta.fields,
            *STAR_L,
            "chain",
            "staff_member",
            "staff_role",
            "return_note",
            "improvement_actions",
        ]

    def _pii(self, review: Review) -> bool:
        return complaint_permissions.can_see_pii(self.context["request"].user, review.complaint)

    def _shown(self, review: Review, text: str) -> str:
        return text if self._pii(review) else privacy.mask_text(text)

    def get_situation(self, review: Review) -> str:
        return self._shown(review, review.situation)

    def get_task(self, review: Review) -> str:
        return self._shown(review, review.task)

    def get_action(self, review: Review) -> str:
        return self._shown(review, review.action)

    def get_result(self, review: Review) -> str:
        return self._shown(review, review.result)

    def get_lesson(self, review: Review) -> str:
        return self._shown(review, review.lesson)

    @extend_schema_field(serializers.DictField())
    def get_chain(self, review: Review) -> dict[str, Any]:
        chain = review.chain or {}
        return chain if self._pii(review) else privacy.mask_derived(chain)

    @extend_schema_field(
        serializers.ListField(child=serializers.DictField(), help_text="{id, title, status, due_date}")
    )
    def get_improvement_actions(self, review: Review) -> list[dict[str, Any]]:
        return [
            {"id": a.pk, "title": a.title, "status": a.status, "due_date": a.due_date.isoformat()}
            for a in review.actions.all()
        ]


class ReviewFiltersIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=[*ReviewStatusChoices.values, ""], required=False, default="")


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Case reviews the caller may read, newest first."""

    def get_queryset(self):
        return selectors.review_list(user=self.request.user)

    def get_serializer_class(self):
        return ReviewListOut if self.action == "list" else ReviewOut

    def get_object(self) -> Review:
        pk = parse_id(self.kwargs["pk"])
        review = selectors.review_get(user=self.request.user, pk=pk) if pk is not None else None
        if review is None:
            raise Http404
        return review

    @extend_schema(parameters=[ReviewFiltersIn])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not permissions.can_use_reviews(request.user):
            raise PermissionRefused()
        params = ReviewFiltersIn(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        queryset = selectors.review_list(user=request.user, status=params.validated_data["status"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ReviewListOut(page, many=True).data)

"""REST API for training 培训 under ``/api/v1/training/``: read-only, with the pages' permissions
(:mod:`kesu.practice.permissions`): practice sessions (one's own; the team's for team leads; all for
trainers and managers) with their turns and scores, and the training coverage per team."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kesu.complaints.errors import PermissionRefused
from kesu.complaints.filters import MAX_ID, parse_id
from kesu.metrics.periods import FIRST_DAY
from kesu.practice import permissions, selectors
from kesu.practice.models import CriterionResult, Mode, PracticeSession, Turn


class TrainingSessionListOut(serializers.ModelSerializer):
    scenario = serializers.CharField(source="scenario.code")
    mode = serializers.ChoiceField(choices=Mode.choices, read_only=True)
    status = serializers.CharField(read_only=True, help_text="active | finished")
    trainee = serializers.CharField(source="trainee.username")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    customer_player = serializers.CharField(source="customer_player.username", allow_null=True, default=None)
    observer = serializers.CharField(source="observer.username", allow_null=True, default=None)

    class Meta:
        model = PracticeSession
        fields = [
            "id",
            "scenario",
            "mode",
            "status",
            "trainee",
            "team",
            "customer_player",
            "observer",
            "round_no",
            "peer_rating",
            "auto_total",
            "total",
            "started_at",
            "finished_at",
        ]


class TrainingTurnOut(serializers.ModelSerializer):
    speaker = serializers.ChoiceField(choices=["customer", "agent"], read_only=True)

    class Meta:
        model = Turn
        fields = ["position", "speaker", "text", "created_at"]


class TrainingCriterionOut(serializers.ModelSerializer):
    scored_by = serializers.CharField(source="scored_by.username", allow_null=True, default=None)
    evidence = serializers.ListField(child=serializers.JSONField(), read_only=True)

    class Meta:
        model = CriterionResult
        fields = [
            "code",
            "weight",
            "auto_score",
            "score",
            "reason_zh",
            "reason_en",
            "evidence",
            "overridden",
            "override_reason",
            "scored_by",
        ]


class TrainingSessionOut(TrainingSessionListOut):
    """One session with its conversation and its score on the four criteria."""

    turns = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()

    class Meta(TrainingSessionListOut.Meta):
        fields = [*TrainingSessionListOut.Meta.fields, "turns", "results"]

    @extend_schema_field(TrainingTurnOut(many=True))
    def get_turns(self, session: PracticeSession) -> list[dict[str, Any]]:
        return TrainingTurnOut(selectors.session_turns(session), many=True).data

    @extend_schema_field(TrainingCriterionOut(many=True))
    def get_results(self, session: PracticeSession) -> list[dict[str, Any]]:
        return TrainingCriterionOut(selectors.session_results(session), many=True).data


class TrainingSessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Practice sessions the caller may read, newest first."""

    def get_queryset(self):
        return selectors.sessions_visible_to(self.request.user)

    def get_serializer_class(self):
        return TrainingSessionListOut if self.action == "list" else TrainingSessionOut

    def get_object(self) -> PracticeSession:
        pk = parse_id(self.kwargs["pk"])
        session = selectors.session_get(user=self.request.user, pk=pk) if pk is not None else None
        if session is None:
            raise Http404
        return session

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not permissions.can_use_training(request.user):
            raise PermissionRefused()
        return super().list(request, *args, **kwargs)


class TrainingCoverageIn(serializers.Serializer):
    team = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    since = serializers.DateField(
        required=False, help_text="From 2000-01-01 to today; default: the first of the month, 90 days back."
    )

    def validate_since(self, value: date) -> date:
        if not FIRST_DAY <= value <= timezone.localdate():
            raise serializers.ValidationError(_("Choose a date between 2000-01-01 and today."))
        return value


class TrainingCoverageOut(serializers.Serializer):
    team = serializers.IntegerField(allow_null=True, help_text="null: every team")
    since = serializers.DateField()
    trained = serializers.IntegerField(help_text="agents who finished a practice since then")
    agents = serializers.IntegerField(help_text="active agents")
    rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True, help_text="%")


class TrainingCoverageView(APIView):
    """Training coverage (SPEC §8): the share of agents who finished a practice since a date — for
    a team (team leads: their own), or for every team (trainers' and managers' view)."""

    @extend_schema(parameters=[TrainingCoverageIn], responses=TrainingCoverageOut)
    def get(self, request: Request) -> Response:
        user = request.user
        if not (permissions.sees_all_progress(user) or permissions.sees_team_progress(user)):
            raise PermissionRefused()
        params = TrainingCoverageIn(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        team = data.get("team")
        if not permissions.sees_all_progress(user):
            team = user.team_id
        since: date = data.get("since") or timezone.localdate().replace(day=1) - timedelta(days=90)
        coverage = selectors.training_coverage(since=since, team_ids=[team] if team else None)
        return Response(
            TrainingCoverageOut(
                {
                    "team": team,
                    "since": since,
                    "trained": coverage.trained,
                    "agents": coverage.agents,
                    "rate": coverage.rate,
                }
            ).data
        )

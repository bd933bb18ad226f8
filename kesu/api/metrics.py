"""REST API for the KPI figures: the dashboard's numbers as JSON, with the same permission
(managers any team, team leads their own) and the same definitions (:mod:`kesu.metrics.selectors`).

The serializers below describe the answer for the OpenAPI schema (what
:func:`kesu.metrics.views.dashboard_context` builds); ``tests/metrics/test_kpi_schema.py`` checks that
every key the view answers with is in them."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kesu.core import kpi
from kesu.metrics import selectors
from kesu.metrics.views import dashboard_context, request_scope

DIRECTIONS = ", ".join(d.value for d in kpi.Direction)
ASSESSMENTS = ", ".join(a.value for a in kpi.Assessment)
SCHEMES = ", ".join(s.value for s in kpi.TargetScheme)


class KpiPeriodSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="YYYY-MM for a month, else \"YYYY-MM-DD – YYYY-MM-DD\"")
    first_day = serializers.DateField()
    last_day = serializers.DateField()


class KpiScopeSerializer(serializers.Serializer):
    team = serializers.IntegerField(allow_null=True, help_text="the team's id; null: every team the user may see")
    tier = serializers.CharField(allow_blank=True, help_text="the customer tier's code; empty: every tier")


class KpiSchemeSerializer(serializers.Serializer):
    scheme = serializers.CharField(help_text=SCHEMES)
    label = serializers.CharField()


class KpiFigureTargetSerializer(serializers.Serializer):
    scheme = serializers.CharField(help_text=SCHEMES)
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="null: no target in this scheme")
    display = serializers.CharField()
    direction = serializers.CharField(help_text=DIRECTIONS)
    assessment = serializers.CharField(allow_null=True, help_text=f"{ASSESSMENTS}; null: no data or no target")
    assessment_label = serializers.CharField(allow_blank=True)


class KpiFigureSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=", ".join(k.value for k in kpi.Kpi))
    label = serializers.CharField()
    tier = serializers.CharField(allow_blank=True, help_text="the tier's code (satisfaction by tier); else empty")
    value = serializers.FloatField(
        allow_null=True, help_text="a fraction for rates (0.75), a count per million otherwise; null: nothing counted"
    )
    display = serializers.CharField(help_text="as the dashboard shows it: 75.0% or 2.00; — without a value")
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True, help_text="customers served for the per-million figures")
    is_rate = serializers.BooleanField()
    pending = serializers.IntegerField(
        allow_null=True, help_text="timeliness KPIs: deadlines of the period not yet decided (not in the rate)"
    )
    overdue = serializers.IntegerField(
        allow_null=True, help_text="timeliness KPIs: decided deadlines still open past due (in the rate)"
    )
    target = serializers.FloatField(allow_null=True, help_text="the standard scheme's target")
    target_display = serializers.CharField()
    direction = serializers.CharField(help_text=DIRECTIONS)
    assessment = serializers.CharField(allow_null=True, help_text=f"{ASSESSMENTS} against the standard target")
    assessment_label = serializers.CharField(allow_blank=True)
    targets = KpiFigureTargetSerializer(many=True, help_text="the target in each scheme, the standard first")
    link = serializers.CharField(help_text="the page of the complaints counted in the numerator")
    denominator_link = serializers.CharField(help_text="the page of the complaints counted in the denominator")
    pending_link = serializers.CharField(required=False, help_text="only where pending is not null")


class KpiTrendSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.CharField(), help_text="YYYY-MM, the last twelve months")
    series = serializers.DictField(
        child=serializers.ListField(child=serializers.FloatField(allow_null=True)),
        help_text="per KPI key, one value a month (null: nothing counted)",
    )
    complaints = serializers.ListField(child=serializers.IntegerField(), help_text="complaints received per month")
    summarised = serializers.ListField(
        child=serializers.CharField(), help_text="months read from the nightly summary, not counted afresh"
    )


class KpiLabelsSerializer(serializers.Serializer):
    target = serializers.CharField()
    complaints = serializers.CharField()
    cumulative = serializers.CharField()
    escalated = serializers.CharField()


class KpiParetoRowSerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True, help_text="the category's code; empty: not categorised")
    name = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.FloatField()
    cumulative = serializers.FloatField()
    link = serializers.CharField()


class KpiEmotionRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.FloatField()
    link = serializers.CharField()


class KpiFunnelRowSerializer(serializers.Serializer):
    step = serializers.CharField()
    level = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    link = serializers.CharField()


class KpiEscalatedSourceRowSerializer(serializers.Serializer):
    source = serializers.CharField()
    channel = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    link = serializers.CharField()


class KpiRootCauseRowSerializer(serializers.Serializer):
    category = serializers.CharField(allow_blank=True)
    category_name = serializers.CharField()
    subcategory = serializers.CharField(allow_blank=True)
    subcategory_name = serializers.CharField(allow_blank=True)
    count = serializers.IntegerField()
    share = serializers.FloatField()
    link = serializers.CharField()


class KpiDashboardSerializer(serializers.Serializer):
    """Every figure of the KPI dashboard for a period and scope."""

    period = KpiPeriodSerializer()
    scope = KpiScopeSerializer()
    schemes = KpiSchemeSerializer(many=True)
    kpis = KpiFigureSerializer(many=True)
    satisfaction_by_tier = KpiFigureSerializer(many=True)
    follow_ups = serializers.DictField(
        child=serializers.IntegerField(), help_text="follow-ups made in the period by outcome"
    )
    trend = KpiTrendSerializer()
    trend_table = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text="the trend as table rows: month, complaints, then each KPI as displayed",
    )
    labels = KpiLabelsSerializer()
    pareto = KpiParetoRowSerializer(many=True)
    emotions = KpiEmotionRowSerializer(many=True)
    funnel = KpiFunnelRowSerializer(many=True)
    escalated_by_source = KpiEscalatedSourceRowSerializer(many=True)
    root_causes = KpiRootCauseRowSerializer(many=True)


class KpisApi(APIView):
    """``GET /api/v1/kpis/?month=2026-11&team=&tier=`` (or ``from``/``to``): every figure of the
    dashboard as JSON (``/metrics/api/kpis/`` redirects here)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM (default: this month)"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="start of a custom period"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="end of a custom period"),
            OpenApiParameter("team", int, description="team id (managers; a team lead sees their own)"),
            OpenApiParameter("tier", str, description="customer tier code"),
        ],
        responses={200: KpiDashboardSerializer},
    )
    def get(self, request: Request) -> Response:
        period, scope = request_scope(request._request)
        return Response(dashboard_context(selectors.dashboard(period=period, scope=scope)))

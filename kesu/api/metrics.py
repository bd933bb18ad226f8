"""REST API for the KPI figures: the dashboard's numbers as JSON, with the same permission
(managers any team, team leads their own) and the same definitions (:mod:`kesu.metrics.selectors`)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kesu.metrics import selectors
from kesu.metrics.views import dashboard_context, request_scope


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
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        period, scope = request_scope(request._request)
        return Response(dashboard_context(selectors.dashboard(period=period, scope=scope)))

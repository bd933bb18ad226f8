"""The REST API, all under ``/api/v1/``: complaints and their acts, escalations and approvals,
follow-ups and work orders, the KPI figures; a token for scripts. The OpenAPI schema and its
documentation pages are beside it (``/api/schema/``, ``/api/docs/``, ``/api/redoc/``)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from kesu.api import followup, inbound_mail, metrics
from kesu.api.escalation import ApprovalViewSet, ComplaintEscalationViewSet, EscalationViewSet
from kesu.api.token import ObtainToken
from kesu.api.views import ComplaintViewSet
from kesu.imports.api import ImportJobViewSet

router = DefaultRouter()
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("complaints", ComplaintEscalationViewSet, basename="complaint-escalation")
router.register("escalations", EscalationViewSet, basename="escalation")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("imports", ImportJobViewSet, basename="import-job")

v1 = [
    path("qa/", include("kesu.qa.api_urls")),
    path("reviews/", include("kesu.reviews.api_urls")),
    path("training/", include("kesu.practice.api_urls")),
    path("", include(router.urls)),
    path("auth/token/", ObtainToken.as_view(), name="api-token"),
    path("complaints/<str:reference>/follow-ups/", followup.FollowUpsView.as_view(), name="api-follow-ups"),
    path(
        "complaints/<str:reference>/follow-up-links/", followup.FollowUpLinksView.as_view(), name="api-links"
    ),
    path(
        "complaints/<str:reference>/work-orders/", followup.WorkOrdersView.as_view(), name="api-work-orders"
    ),
    path(
        "work-orders/<int:pk>/complete/",
        followup.WorkOrderCompleteView.as_view(),
        name="api-work-order-complete",
    ),
    path("kpis/", metrics.KpisApi.as_view(), name="api-kpis"),
    path("inbound/mail/", inbound_mail.inbound_mail, name="api-inbound-mail"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter

from kesu.api.escalation import ApprovalViewSet, ComplaintEscalationViewSet, EscalationViewSet
from kesu.api.views import ComplaintViewSet

router = DefaultRouter()
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("complaints", ComplaintEscalationViewSet, basename="complaint-escalation")
router.register("escalations", EscalationViewSet, basename="escalation")
router.register("approvals", ApprovalViewSet, basename="approval")

urlpatterns = [
    path("v1/qa/", include("kesu.qa.api_urls")),
    path("v1/", include(router.urls)),
    path("v1/auth/token/", ObtainAuthToken.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

"""``/api/v1/training/``: practice sessions and the training coverage, read-only."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from kesu.practice import api

router = SimpleRouter()
router.register("sessions", api.TrainingSessionViewSet, basename="training-session")

urlpatterns = [
    path("", include(router.urls)),
    path("coverage/", api.TrainingCoverageView.as_view(), name="training-coverage"),
]

"""``/api/v1/qa/``: inspections, appeals, transcript import, scoring, roll-up."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from kesu.qa import api

router = SimpleRouter()
router.register("inspections", api.InspectionViewSet, basename="qa-inspection")
router.register("appeals", api.AppealViewSet, basename="qa-appeal")

urlpatterns = [
    path("", include(router.urls)),
    path("transcripts/", api.TranscriptImportView.as_view(), name="qa-transcripts"),
    path("score/", api.ScoreView.as_view(), name="qa-score"),
    path("rollup/", api.RollupView.as_view(), name="qa-rollup"),
]

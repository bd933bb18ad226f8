"""``/api/v1/reviews/``: the case reviews, read-only."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from kesu.reviews import api

router = SimpleRouter()
router.register("", api.ReviewViewSet, basename="review")

urlpatterns = [path("", include(router.urls))]

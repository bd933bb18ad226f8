from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from kesu.api.legacy import moved
from kesu.web import customer_follow_up

#: ``/f/``: the customer's follow-up page (no login), and the follow-up API's old paths, which
#: answer 308 to the same resource under ``/api/v1/`` (deprecated).
follow_up_patterns = [
    path("api/complaints/<str:reference>/follow-ups/", moved("/api/v1/complaints/{reference}/follow-ups/")),
    path(
        "api/complaints/<str:reference>/follow-up-links/",
        moved("/api/v1/complaints/{reference}/follow-up-links/"),
    ),
    path("api/complaints/<str:reference>/work-orders/", moved("/api/v1/complaints/{reference}/work-orders/")),
    path("api/work-orders/<int:pk>/complete/", moved("/api/v1/work-orders/{pk}/complete/")),
    path("<str:token>/", customer_follow_up.answer, name="answer"),
]

# The settings pages carry the product's name, not Django's.
admin.site.site_header = _("Kesu 客诉 · Settings")
admin.site.site_title = _("Kesu 客诉 settings")
admin.site.index_title = _("What business people configure")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("kesu.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("f/", include((follow_up_patterns, "followup"))),
    # Deprecated: the KPI JSON moved under the API's root.
    path("metrics/api/kpis/", moved("/api/v1/kpis/")),
    path("metrics/", include("kesu.metrics.urls")),
    path("qa/", include("kesu.qa.urls")),
    path("reviews/", include("kesu.reviews.urls")),
    path("training/", include("kesu.practice.urls")),
    path("", include("kesu.web.urls")),
]

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("kesu.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("f/", include("kesu.followup.urls")),
    path("metrics/", include("kesu.metrics.urls")),
    path("qa/", include("kesu.qa.urls")),
    path("", include("kesu.web.urls")),
]

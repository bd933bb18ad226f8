from django.urls import path, re_path

from kesu.metrics import views

app_name = "metrics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", views.report, name="report"),
    path("complaints/", views.figure_complaints, name="complaints"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.export_dashboard, name="export"),
    re_path(r"^export/complaints\.(?P<fmt>csv|xlsx)$", views.export_complaints, name="export-complaints"),
    path("exports/<int:pk>/", views.export_job, name="export-job"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
]

from django.urls import path, re_path

from kesu.qa import views

app_name = "qa"
urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.my_results, name="mine"),
    path("appeals/", views.appeals, name="appeals"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/<str:action>/", views.inspection_action, name="inspection-action"),
    path("draw/", views.draw, name="draw"),
    path("inspect/", views.inspect_complaint, name="inspect-complaint"),
    path("transcripts/import/", views.import_transcripts, name="import"),
    path("calibrations/", views.calibrations, name="calibrations"),
    path("calibrations/<int:pk>/", views.calibration_detail, name="calibration"),
    path("report/", views.report, name="report"),
    re_path(r"^report/export\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
]

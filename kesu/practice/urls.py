from django.urls import path

from kesu.practice import views

app_name = "practice"
urlpatterns = [
    path("", views.home, name="home"),
    path("scenarios/new/", views.scenario_edit, name="scenario-new"),
    path("scenarios/<slug:code>/", views.scenario_detail, name="scenario"),
    path("scenarios/<slug:code>/edit/", views.scenario_edit, name="scenario-edit"),
    path("weights/", views.weights, name="weights"),
    path("sessions/start/", views.session_start, name="session-start"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/turns/", views.session_turns, name="session-turns"),
    path("sessions/<int:pk>/check/", views.check_reply, name="session-check"),
    path("sessions/<int:pk>/<str:action>/", views.session_action, name="session-action"),
    path("groups/", views.group_create, name="group-create"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("groups/<int:pk>/next/", views.group_next, name="group-next"),
    path("assignments/", views.assignment_create, name="assignment-create"),
    path("cases/", views.cases, name="cases"),
    path("cases/propose/", views.case_propose, name="case-propose"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/<str:action>/", views.case_action, name="case-action"),
    path("progress/", views.progress, name="progress"),
    path("progress/team/", views.team, name="team"),
    path("progress/<int:user_id>/", views.progress, name="progress-of"),
]

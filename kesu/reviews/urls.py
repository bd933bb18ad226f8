from django.urls import path

from kesu.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.home, name="home"),
    path("start/<str:reference>/", views.start, name="start"),
    path("<int:pk>/", views.review_detail, name="review"),
    path("<int:pk>/<str:action>/", views.review_action, name="review-action"),
    path("journey/", views.journey, name="journey"),
    path("journey/<slug:code>/", views.touchpoint_detail, name="touchpoint"),
    path("causes/", views.causes, name="causes"),
    path("actions/", views.actions, name="actions"),
    path("actions/new/", views.action_create, name="action-create"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/status/", views.action_status, name="action-status"),
    path("teams/", views.teams, name="teams"),
    path("opportunities/", views.opportunities, name="opportunities"),
    path("opportunities/<int:pk>/outcome/", views.opportunity_outcome, name="opportunity-outcome"),
    path("complaints/<str:reference>/opportunities/", views.opportunity_add, name="opportunity-add"),
    path("panel/", views.panel, name="panel"),
    path("report/", views.report, name="report"),
]

from django.urls import path

from kesu.followup import api, views

app_name = "followup"
urlpatterns = [
    path("api/complaints/<str:reference>/follow-ups/", api.FollowUpsView.as_view(), name="api-follow-ups"),
    path(
        "api/complaints/<str:reference>/follow-up-links/", api.FollowUpLinksView.as_view(), name="api-links"
    ),
    path("api/complaints/<str:reference>/work-orders/", api.WorkOrdersView.as_view(), name="api-work-orders"),
    path(
        "api/work-orders/<int:pk>/complete/",
        api.WorkOrderCompleteView.as_view(),
        name="api-work-order-complete",
    ),
    path("<str:token>/", views.answer, name="answer"),
]

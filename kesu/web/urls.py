from django.contrib.auth import views as auth_views
from django.urls import path

from kesu.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("complaints/", views.queue, name="queue"),
    path("complaints/new/", views.intake_page, name="intake"),
    path("complaints/import/", views.bulk_import, name="import"),
    path("complaints/import/<int:pk>/", views.import_job, name="import-job"),
    path("complaints/views/", views.save_view, name="save-view"),
    path("complaints/views/<int:pk>/delete/", views.delete_view, name="delete-view"),
    path("complaints/bulk-transfer/", views.bulk_transfer, name="bulk-transfer"),
    path("complaints/<str:reference>/", views.complaint_detail, name="complaint"),
    path("customers/<int:pk>/", views.customer_profile, name="customer"),
    path("approvals/", views.approvals, name="approvals"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification"),
    path("settings/", views.my_settings, name="settings"),
    path("language/", views.set_language, name="set-language"),
    path("approvals/<int:pk>/decide/", views.approval_decide, name="approval-decide"),
    path("complaints/<str:reference>/follow-up-link/", views.follow_up_link, name="follow-up-link"),
    path("complaints/<str:reference>/similar/", views.similar_view, name="similar"),
    path("complaints/<str:reference>/check-reply/", views.check_reply_view, name="check-reply"),
    path(
        "complaints/<str:reference>/attachments/<int:pk>/", views.attachment_download, name="attachment"
    ),
    path("complaints/<str:reference>/<str:action>/", views.complaint_action, name="complaint-action"),
]

from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", views.staff_home, name="staff_home"),
    path("notifications/", views.notifications_inbox, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path(
        "me/notifications/preferences/",
        views.notification_preferences,
        name="notification_preferences",
    ),
    path("staff/audit/", views.audit_log, name="audit"),
    path("me/elder-mode/", views.elder_mode, name="elder_mode"),
    path("healthz", views.healthz, name="healthz"),
]

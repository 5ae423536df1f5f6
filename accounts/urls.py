from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("session/keepalive/", views.session_keepalive, name="session_keepalive"),
]

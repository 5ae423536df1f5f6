from django.urls import path

from follows import views

app_name = "follows"

urlpatterns = [
    path("follows/", views.follow_list, name="follow_list"),
    path("follows/settings/", views.follow_settings, name="follow_settings"),
    path("follows/<slug:plan>/<str:code>/follow/", views.follow, name="follow"),
    path("follows/<slug:plan>/<str:code>/unfollow/", views.unfollow, name="unfollow"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]

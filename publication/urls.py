"""The public pages (no login): /open/. Addresses name a plan and a project by their
codes, which stay the same however many plans follow."""

from django.urls import path

from publication import views

app_name = "open"

urlpatterns = [
    path("", views.index, name="index"),
    path("plans/<slug:plan>/", views.plan_tree, name="plan_tree"),
    path("projects/<slug:plan>/<str:code>/", views.project_detail, name="project_detail"),
]

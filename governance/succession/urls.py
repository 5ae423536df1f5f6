"""次期計画の策定, under /plans/manage/<plan>/ (beside projects.plan_editor)."""

from django.urls import path

from governance.succession import views

app_name = "succession"

urlpatterns = [
    path("<slug:plan>/next/", views.NextPlanView.as_view(), name="next_plan"),
    path("<slug:plan>/succession/", views.SuccessionView.as_view(), name="table"),
    path("<slug:plan>/adopt/", views.AdoptView.as_view(), name="adopt"),
]

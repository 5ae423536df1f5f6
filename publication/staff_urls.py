"""The staff side of publishing (情報推進課): /publication/."""

from django.urls import path

from publication import staff_views as views

app_name = "publication"

urlpatterns = [
    path("", views.publication_list, name="publication_list"),
    path("plans/<slug:plan>/publish/", views.plan_publish, name="plan_publish"),
    path("plans/<slug:plan>/withdraw/", views.plan_withdraw, name="plan_withdraw"),
    path("cycles/<int:pk>/publish/", views.cycle_publish, name="cycle_publish"),
    path("cycles/<int:pk>/withdraw/", views.cycle_withdraw, name="cycle_withdraw"),
]

"""Open data (no login): /open/data/. A dataset's files keep their addresses across plan
periods: /open/data/<dataset>.csv holds every published plan, /open/data/plans/<plan>/…
one plan; `.json` beside each and the CSVW metadata at `<file>.csv-metadata.json`."""

from django.urls import path

from publication import data_views as views

urlpatterns = [
    path("data/", views.data_catalogue, name="data_catalogue"),
    path("data/<slug:dataset>.csv", views.data_csv, name="data_csv"),
    path("data/<slug:dataset>.json", views.data_json, name="data_json"),
    path("data/<slug:dataset>.csv-metadata.json", views.data_csvw, name="data_csvw"),
    path("data/plans/<slug:plan>/<slug:dataset>.csv", views.data_csv, name="plan_data_csv"),
    path("data/plans/<slug:plan>/<slug:dataset>.json", views.data_json, name="plan_data_json"),
    path("data/plans/<slug:plan>/<slug:dataset>.csv-metadata.json", views.data_csvw, name="plan_data_csvw"),
    path("data/<slug:dataset>/", views.data_schema, name="data_schema"),
]

from django.urls import path

from exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.data_index, name="data_index"),
    path("export/<slug:name>/", views.data_export, name="data_export"),
    path("template/", views.template_download, name="template_download"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/preview/", views.import_preview, name="import_preview"),
    path("plans/", views.plan_files, name="plan_files"),
    path("plans/<slug:plan>/export/", views.plan_export, name="plan_export"),
    path("plans/import/preview/", views.plan_import_preview, name="plan_import_preview"),
]

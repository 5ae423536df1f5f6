from django.urls import path

from exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.data_index, name="data_index"),
    path("export/<slug:name>/", views.data_export, name="data_export"),
    path("template/", views.template_download, name="template_download"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/preview/", views.import_preview, name="import_preview"),
]

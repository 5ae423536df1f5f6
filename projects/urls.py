from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.SheetListView.as_view(), name="sheet_list"),
    path("<slug:plan>/<str:code>/", views.SheetDetailView.as_view(), name="sheet_detail"),
    path("<slug:plan>/<str:code>/edit/", views.SheetEditView.as_view(), name="sheet_edit"),
    path("<slug:plan>/<str:code>/print/", views.SheetPrintView.as_view(), name="sheet_print"),
    path("<slug:plan>/<str:code>/pdf/", views.SheetPdfView.as_view(), name="sheet_pdf"),
    path(
        "<slug:plan>/<str:code>/versions/<int:history_id>/",
        views.SheetVersionView.as_view(),
        name="sheet_version",
    ),
]

"""計画の管理, mounted at /plans/manage/ (before the plans app's own pages)."""

from django.urls import path

from projects.plan_editor import book_views, views

app_name = "plan_editor"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("<slug:plan>/", views.EditorView.as_view(), name="editor"),
    path("<slug:plan>/settings/", views.PlanSettingsView.as_view(), name="plan_settings"),
    path("<slug:plan>/delete/", views.PlanDeleteView.as_view(), name="plan_delete"),
    path("<slug:plan>/panel/", views.PanelView.as_view(), name="panel"),
    path("<slug:plan>/apply/", views.ApplyView.as_view(), name="apply"),
    path("<slug:plan>/undo/", views.UndoView.as_view(), name="undo"),
    path("<slug:plan>/book/", book_views.BookView.as_view(), name="book"),
    path("<slug:plan>/book/<int:chapter>/", book_views.ChapterEditView.as_view(), name="chapter_edit"),
]

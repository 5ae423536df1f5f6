from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("", views.PlanTreeView.as_view(), name="plan_tree_current"),
    path("<slug:plan>/", views.PlanTreeView.as_view(), name="plan_tree"),
    path("<slug:plan>/items/<str:path>/", views.ItemDetailView.as_view(), name="item_detail"),
    path("<slug:plan>/goals/<int:number>/", views.legacy_item),
    path("<slug:plan>/policies/<str:path>/", views.legacy_item),
    path("<slug:plan>/measures/<str:path>/", views.legacy_item),
    path("<slug:plan>/projects/<str:code>/", views.ProjectDetailView.as_view(), name="project_detail"),
]

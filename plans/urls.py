from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("", views.PlanTreeView.as_view(), name="plan_tree_current"),
    path("<slug:plan>/", views.PlanTreeView.as_view(), name="plan_tree"),
    path("<slug:plan>/goals/<int:number>/", views.GoalDetailView.as_view(), name="goal_detail"),
    path("<slug:plan>/policies/<str:path>/", views.PolicyDetailView.as_view(), name="policy_detail"),
    path("<slug:plan>/measures/<str:path>/", views.MeasureDetailView.as_view(), name="measure_detail"),
    path("<slug:plan>/projects/<str:code>/", views.ProjectDetailView.as_view(), name="project_detail"),
]

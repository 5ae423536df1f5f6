"""Screens of the plan hierarchy: the tree (図2-3) and a page per level."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, TemplateView

from core import stamps
from plans.models import Measure, Plan, Policy, Project

# Pages that show many measures list at most this many projects under each
# (the printed plan never has more than 10), with a link to the measure's page.
PROJECTS_PER_MEASURE = 12


def _policies_with_measures(limit=PROJECTS_PER_MEASURE):
    return Policy.objects.prefetch_related(
        Prefetch("measures", queryset=Measure.objects.with_listed_projects(limit))
    )


def _split_path(path, parts):
    numbers = path.split("-")
    if len(numbers) != parts or not all(n.isdecimal() for n in numbers):
        raise Http404("指定された番号の施策は見つかりません。")
    return [int(n) for n in numbers]


class PlanMixin:
    """Resolves the plan of the URL (or the current plan) into `self.plan`."""

    def dispatch(self, request, *args, **kwargs):
        code = kwargs.get("plan")
        if code:
            self.plan = get_object_or_404(Plan, code=code)
        else:
            self.plan = Plan.objects.current()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["plan"] = self.plan  # the Plan, not the code from the URL
        return super().get_context_data(**kwargs)


class PlanTreeView(PlanMixin, TemplateView):
    """情報化施策体系: 基本理念 → 目標 → 基本方針 → 情報化施策 → 事業."""

    template_name = "plans/plan_tree.html"

    def get(self, request, *args, **kwargs):
        picked = request.GET.get("plan")
        if picked:
            return redirect(get_object_or_404(Plan, code=picked))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        goals = []
        if self.plan:
            # Lazy: the template caches the tree under the stamp read here, first,
            # and runs these queries only when the stamp has changed.
            kwargs["stamp"] = stamps.current("plans")
            goals = self.plan.goals.prefetch_related(
                Prefetch("policies", queryset=_policies_with_measures())
            )
        return super().get_context_data(
            goals=goals, plans=Plan.objects.order_by("-start_year"), **kwargs
        )


class GoalDetailView(PlanMixin, DetailView):
    template_name = "plans/goal_detail.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            self.plan.goals.prefetch_related(Prefetch("policies", queryset=_policies_with_measures())),
            number=self.kwargs["number"],
        )


class PolicyDetailView(PlanMixin, DetailView):
    template_name = "plans/policy_detail.html"

    def get_object(self, queryset=None):
        goal, number = _split_path(self.kwargs["path"], 2)
        return get_object_or_404(
            Policy.objects.select_related("goal__plan").prefetch_related(
                Prefetch("measures", queryset=Measure.objects.with_listed_projects())
            ),
            goal__plan=self.plan,
            goal__number=goal,
            number=number,
        )


class MeasureDetailView(PlanMixin, DetailView):
    template_name = "plans/measure_detail.html"

    def get_object(self, queryset=None):
        goal, policy, number = _split_path(self.kwargs["path"], 3)
        return get_object_or_404(
            Measure.objects.with_listed_projects().select_related("policy__goal__plan"),
            policy__goal__plan=self.plan,
            policy__goal__number=goal,
            policy__number=policy,
            number=number,
        )


class ProjectDetailView(PlanMixin, DetailView):
    template_name = "plans/project_detail.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Project.objects.with_placements(), plan=self.plan, code=self.kwargs["code"]
        )

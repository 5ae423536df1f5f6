"""Screens of the plan hierarchy: the tree (図2-3) and a page per item, at any level."""

from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, TemplateView

from core import stamps
from plans import diagram, tree
from plans.choice import PlanChoice
from plans.models import Plan, PlanItem, Project
from plans.permissions import can_author_plans


class PlanMixin:
    """Resolves the plan of the URL (or the current plan) into `self.plan`; a plan
    in preparation exists only for 情報推進課 (404 for anyone else)."""

    def dispatch(self, request, *args, **kwargs):
        code = kwargs.get("plan")
        plans = Plan.objects.visible_to(request.user)
        if code:
            self.plan = get_object_or_404(plans, code=code)
        else:
            self.plan = plans.current()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["plan"] = self.plan  # the Plan, not the code from the URL
        return super().get_context_data(**kwargs)


class PlanTreeView(PlanMixin, TemplateView):
    """情報化施策体系: 基本理念 → the plan's levels → 事業."""

    template_name = "plans/plan_tree.html"

    def get(self, request, *args, **kwargs):
        picked = request.GET.get("plan")
        if picked:
            return redirect(get_object_or_404(Plan.objects.visible_to(request.user), code=picked))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        if self.plan:
            # The template caches the tree under the stamp read here, first, and
            # calls `items` only when the stamp has changed.
            kwargs["stamp"] = stamps.current("plans")
            kwargs["items"] = lambda: tree.build(self.plan)
            kwargs["diagram"] = lambda: diagram.svg(self.plan)
            kwargs["levels"] = self.plan.level_list
        plans = list(Plan.objects.visible_to(self.request.user).order_by("-start_year", "code"))
        return super().get_context_data(
            choice=PlanChoice(plan=self.plan, plans=plans), can_author=can_author_plans(self.request.user), **kwargs
        )


class ItemDetailView(PlanMixin, DetailView):
    """One item of any level: its text, the items below it and their projects."""

    template_name = "plans/item_detail.html"
    context_object_name = "item"

    def get_object(self, queryset=None):
        item = get_object_or_404(
            PlanItem.objects.select_related("level", "reposted_from", "plan"),
            plan=self.plan, path=self.kwargs["path"],
        )
        return item

    def get_context_data(self, **kwargs):
        item = self.object
        children = tree.build(self.plan, root=item)
        listed = PlanItem.objects.filter(pk=item.pk).with_listed_projects().get()
        return super().get_context_data(
            ancestors=tree.ancestors(item),
            children=[child for child in children if child.parent_id == item.pk],
            listed=listed,
            is_leaf=item.level.depth == len(self.plan.level_list),
            heading_offset=2 - item.level.depth,  # the items below are h3
            child_level=self.plan.level_list[item.level.depth] if item.level.depth < len(self.plan.level_list) else None,
            **kwargs,
        )


@require_safe
def legacy_item(request, plan, path=None, number=None):
    """The former per-level addresses (goals/1/, policies/1-2/, measures/1-2-1/)."""
    return redirect("plans:item_detail", plan=plan, path=path or str(number), permanent=True)


class ProjectDetailView(PlanMixin, DetailView):
    template_name = "plans/project_detail.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Project.objects.with_placements(), plan=self.plan, code=self.kwargs["code"]
        )

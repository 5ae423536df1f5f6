"""Reads of the plan hierarchy, as chainable QuerySet methods.

Each `with_*` method fetches what a page shows in a fixed number of queries,
however many levels, items and projects the plan has.
"""

from django.db import models
from django.db.models import Count, Prefetch, Q


class PlanQuerySet(models.QuerySet):
    def current(self):
        """The plan marked current, or else the latest adopted one."""
        return self.filter(in_preparation=False).order_by("-is_current", "-start_year").first()

    def visible_to(self, user):
        """Plans in preparation are shown to 情報推進課 only."""
        from plans.permissions import can_author_plans

        if can_author_plans(user):
            return self
        return self.filter(in_preparation=False)


class PlanItemQuerySet(models.QuerySet):
    def in_order(self):
        return self.select_related("level", "reposted_from").order_by("sort_key")

    def with_listed_projects(self, limit=None):
        """Each item's placements as `listed_placements` (the first `limit`
        when given, by a window function) and their total as `project_count`."""
        from plans.models import Placement

        placements = Placement.objects.select_related("project__plan").order_by("position")
        return (
            self.in_order()
            .annotate(project_count=Count("placements"))
            .prefetch_related(Prefetch("placements", queryset=placements[:limit] if limit else placements,
                                       to_attr="listed_placements"))
        )

    def under(self, item):
        """The item and everything below it."""
        return self.filter(Q(pk=item.pk) | Q(plan_id=item.plan_id, path__startswith=f"{item.path}-"))


class ProjectQuerySet(models.QuerySet):
    def with_placements(self):
        from plans.models import Placement

        return self.select_related("plan").prefetch_related(
            Prefetch(
                "placements",
                queryset=Placement.objects.select_related("item__level", "item__plan", "item__reposted_from__plan")
                .order_by("-is_home", "item__sort_key"),
            )
        )

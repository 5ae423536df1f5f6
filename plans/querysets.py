"""Reads of the plan hierarchy, as chainable QuerySet methods.

Each `with_*` method fetches what a page shows in a fixed number of queries,
however many goals, measures and projects the plan has.
"""

from django.db import models
from django.db.models import Prefetch


class PlanQuerySet(models.QuerySet):
    def current(self):
        """The plan marked current, or else the latest one."""
        return self.order_by("-is_current", "-start_year").first()


class MeasureQuerySet(models.QuerySet):
    def in_plan(self, plan):
        return self.filter(policy__goal__plan=plan)

    def with_hierarchy(self):
        return self.select_related("policy__goal__plan", "reposted_from__policy__goal")

    def with_placements(self):
        from plans.models import Placement

        return self.prefetch_related(
            Prefetch(
                "placements",
                queryset=Placement.objects.select_related("project").order_by("position"),
            )
        )


class ProjectQuerySet(models.QuerySet):
    def in_plan(self, plan):
        return self.filter(plan=plan)

    def with_placements(self):
        from plans.models import Placement

        return self.select_related("plan").prefetch_related(
            Prefetch(
                "placements",
                queryset=Placement.objects.select_related(
                    "measure__policy__goal", "measure__reposted_from__policy__goal"
                ).order_by("-is_home", "measure__policy__goal__number", "measure__policy__number", "measure__number"),
            )
        )

"""Reads of the plan hierarchy, as chainable QuerySet methods.

Each `with_*` method fetches what a page shows in a fixed number of queries,
however many goals, measures and projects the plan has.
"""

from django.db import models
from django.db.models import Count, Prefetch


class PlanQuerySet(models.QuerySet):
    def current(self):
        """The plan marked current, or else the latest one."""
        return self.order_by("-is_current", "-start_year").first()


class MeasureQuerySet(models.QuerySet):
    def with_listed_projects(self, limit=None):
        """Each measure's placements as `listed_placements` (the first `limit`
        when given, by a window function) and their total as `project_count`."""
        from plans.models import Placement

        placements = Placement.objects.select_related("project__plan").order_by("position")
        return (
            self.select_related("reposted_from__policy__goal__plan")
            .annotate(project_count=Count("placements"))
            .prefetch_related(Prefetch("placements", queryset=placements[:limit] if limit else placements,
                                       to_attr="listed_placements"))
        )


class ProjectQuerySet(models.QuerySet):
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

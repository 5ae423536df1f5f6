"""Reads of reports, scoped and prefetched for the work lists and pages."""

from django.db import models
from django.db.models import Prefetch


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every signed-in user may read every report (透明性)."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self

    def of_section(self, section_id):
        return self.filter(section_id=section_id)

    def with_basics(self):
        return self.select_related(
            "cycle__plan", "sheet__project__plan", "section__department",
            "evaluated_in__body", "decided_in__body",
        )

    def with_details(self):
        from governance.models import IndicatorResult
        from projects.models import Indicator

        return self.with_basics().prefetch_related(
            Prefetch(
                "results",
                queryset=IndicatorResult.objects.select_related("indicator").prefetch_related(
                    "indicator__targets"
                ),
            ),
            "sheet__schedule",
            Prefetch("sheet__indicators", queryset=Indicator.objects.prefetch_related("targets")),
        )


class BookJobQuerySet(models.QuerySet):
    def with_task_status(self):
        """Each job with `task_status`, its task's state in the queue (None when the task
        is gone), so that a job whose worker ended without finishing it shows as failed."""
        from django_tasks_db.models import DBTaskResult

        return self.annotate(task_status=models.Subquery(
            DBTaskResult.objects.filter(id=models.OuterRef("task_id")).values("status")[:1]))

    def unfinished(self):
        """Queued or running as stored (BookJob.left_behind tells which never will finish)."""
        from governance.models import BookStatus

        return self.filter(status__in=[BookStatus.QUEUED, BookStatus.RUNNING])

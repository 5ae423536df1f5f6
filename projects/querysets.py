"""Reads of sheets: scoped to the user, with what the pages need prefetched."""

from django.db import models
from django.db.models import Prefetch

from plans.permissions import can_author_plans


class SheetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every signed-in, active user may read every sheet (透明性, plan p.26), but
        those of a plan in preparation only 情報推進課 (plans.permissions)."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if can_author_plans(user):
            return self
        return self.filter(project__plan__in_preparation=False)

    def editable_by(self, user):
        """Sheets the user may change: 情報推進課 all, those who act for a 課 its own."""
        from accounts.permissions import is_ict_office, works_in_section

        if not (user.is_authenticated and user.is_active):
            return self.none()
        if is_ict_office(user):
            return self
        if works_in_section(user, user.section_id):
            return self.filter(section_id=user.section_id)
        return self.none()

    def in_plan(self, plan):
        return self.filter(project__plan=plan)

    def of_section(self, section):
        return self.filter(section=section)

    def with_basics(self):
        return self.select_related(
            "project__plan", "section__department", "master_plan_code", "updated_by"
        )

    def with_details(self):
        from projects.models import Indicator

        return self.with_basics().prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.prefetch_related("targets")),
            "schedule",
        )
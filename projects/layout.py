"""The sheet as 図3-2 lays it out, from a live sheet or from a past version.

The page, the print page, the PDF and the past-version page all render this.
"""

from dataclasses import dataclass

from core import fiscal


@dataclass
class IndicatorRow:
    indicator: object
    targets: list  # one value (or None) per plan year
    year_labels: list = ()  # 「28年度」…, one per plan year

    @property
    def year_targets(self):
        """(label, value) per plan year: a phone shows each value beside its year."""
        return list(zip(self.year_labels, self.targets))


@dataclass
class ScheduleColumn:
    year: int
    label: str
    planned: str
    actual: str


@dataclass
class SheetLayout:
    sheet: object
    project: object
    plan: object
    section: object
    master_plan_code: object
    year_labels: list
    indicators: list
    schedule: list
    as_of: object = None  # a datetime for a past version

    @property
    def department(self):
        return self.section.department if self.section else None

    @property
    def period_label(self):
        if not self.sheet.start_year:
            return ""
        return fiscal.fy_range(self.sheet.start_year, self.sheet.end_year)


def layout_for(sheet, *, indicators=None, targets=None, schedule=None, section=None,
               master_plan_code=None, as_of=None) -> SheetLayout:
    """Build the layout. Without the keyword arguments, reads the live sheet's
    prefetched relations (ProjectSheet.objects.with_details())."""
    project = sheet.project
    plan = project.plan
    years = plan.years
    if indicators is None:
        indicators = list(sheet.indicators.all())
        targets = {
            (t.indicator_id, t.fiscal_year): t.value for i in indicators for t in i.targets.all()
        }
        schedule = list(sheet.schedule.all())
        section = sheet.section
        master_plan_code = sheet.master_plan_code
    by_year = {entry.fiscal_year: entry for entry in schedule}
    year_labels = [fiscal.fy_short(year, plan.era) for year in years]
    return SheetLayout(
        sheet=sheet,
        project=project,
        plan=plan,
        section=section,
        master_plan_code=master_plan_code,
        year_labels=year_labels,
        indicators=[
            IndicatorRow(i, [targets.get((i.id, year)) for year in years], year_labels)
            for i in indicators
        ],
        schedule=[
            ScheduleColumn(
                year,
                fiscal.fy_short(year, plan.era),
                getattr(by_year.get(year), "planned", ""),
                getattr(by_year.get(year), "actual", ""),
            )
            for year in years
        ],
        as_of=as_of,
    )


def revision_end(record):
    """When the save that wrote the sheet's history row `record` ended: the sheet row is
    written first, its indicators, targets and schedule after it, all under one revision."""
    from django.db.models import Max

    from projects.models import Indicator, IndicatorTarget, ScheduleEntry

    if not record.revision:
        return record.history_date
    ends = [record.history_date] + [
        model.history.filter(revision=record.revision).aggregate(end=Max("history_date"))["end"]
        for model in (Indicator, IndicatorTarget, ScheduleEntry)
    ]
    return max(end for end in ends if end is not None)


def layout_as_of(sheet, when) -> SheetLayout:
    """The sheet as it was at `when`, from its history."""
    from accounts.models import Section
    from plans.models import MasterPlanCode
    from projects.models import Indicator, IndicatorTarget, ScheduleEntry

    past = sheet.history.as_of(when)
    indicators = sorted(
        Indicator.history.as_of(when).filter(sheet_id=sheet.pk), key=lambda i: (i.position, i.id)
    )
    targets = {
        (t.indicator_id, t.fiscal_year): t.value
        for t in IndicatorTarget.history.as_of(when).filter(indicator_id__in=[i.id for i in indicators])
    }
    schedule = list(ScheduleEntry.history.as_of(when).filter(sheet_id=sheet.pk))
    section = (
        Section.objects.select_related("department").filter(pk=past.section_id).first()
        if past.section_id else None
    )
    code = MasterPlanCode.objects.filter(pk=past.master_plan_code_id).first() if past.master_plan_code_id else None
    past.project = sheet.project
    return layout_for(
        past, indicators=indicators, targets=targets, schedule=schedule,
        section=section, master_plan_code=code, as_of=when,
    )

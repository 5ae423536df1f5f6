"""What a sheet needs before it is 完成, as plain functions on the sheet's data.

They read a `SheetData` in memory: the sheet as stored (`SheetData.of`, from
ProjectSheet.objects.with_details()) or as a save would leave it (built by
projects.services before anything is written), so a refused 完成 writes nothing.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from core import fiscal
from projects.models import Indicator, ProjectSheet, ScheduleEntry

# Filled in before a sheet may be saved as complete (完成), besides 担当部署.
REQUIRED_FIELDS = [
    "master_plan_code", "legal_basis", "policy_major", "start_year", "target", "objective", "activities",
]


@dataclass
class IndicatorData:
    indicator: Indicator
    targets: dict[int, Decimal] = field(default_factory=dict)


@dataclass
class SheetData:
    sheet: ProjectSheet
    indicators: list[IndicatorData] = field(default_factory=list)
    schedule: list[ScheduleEntry] = field(default_factory=list)

    @classmethod
    def of(cls, sheet: ProjectSheet) -> "SheetData":
        """The stored sheet, from prefetched indicators, targets and schedule."""
        return cls(
            sheet=sheet,
            indicators=[IndicatorData(i, {t.fiscal_year: t.value for t in i.targets.all()})
                        for i in sheet.indicators.all()],
            schedule=list(sheet.schedule.all()),
        )


def missing_fields(data: SheetData) -> list[str]:
    """Names of the sheet's own fields that are still empty."""
    sheet = data.sheet
    names = [] if sheet.section_id else ["section"]
    return names + [name for name in REQUIRED_FIELDS
                    if not getattr(sheet, ProjectSheet._meta.get_field(name).attname)]


def missing_items(data: SheetData) -> list[str]:
    """Everything the sheet lacks to be complete, in Japanese, all at once."""
    sheet = data.sheet
    plan = sheet.project.plan
    labels = {"section": "担当部署", "master_plan_code": plan.master_plan_label}
    missing = [labels.get(name) or str(ProjectSheet._meta.get_field(name).verbose_name)
               for name in missing_fields(data)]
    years = years_in_period(sheet, plan)
    if not data.indicators:
        missing.append("活動指標")
    for item in data.indicators:
        if item.indicator.is_qualitative:
            continue
        lacking = [year for year in years if item.targets.get(year) is None]
        if lacking:
            labels = "、".join(fiscal.fy_short(year, plan.era) for year in lacking)
            missing.append(f"指標「{item.indicator.name}」の目標値({labels})")
    planned = {entry.fiscal_year for entry in data.schedule if entry.planned.strip()}
    if any(year not in planned for year in years):
        missing.append("スケジュール(予定)")
    return missing


def years_in_period(sheet, plan) -> list[int]:
    start = max(sheet.start_year or plan.start_year, plan.start_year)
    end = min(sheet.end_year or plan.end_year, plan.end_year)
    return list(range(start, end + 1))

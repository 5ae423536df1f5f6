"""The project page's indicator table: per indicator, each plan year's target and,
where a published annual cycle reported it, the actual value and achievement rate."""

from dataclasses import dataclass

from governance import achievement
from governance.models import CycleKind


@dataclass
class YearCell:
    year: int
    target: object = None
    actual: object = None
    rate: str = ""


@dataclass
class IndicatorRow:
    indicator: object
    years: list


def indicator_rows(plan, sheet, reports) -> list[IndicatorRow]:
    """No query: the sheet's indicators and targets and the reports' results are prefetched."""
    actuals = {
        (result.indicator_id, report.cycle.fiscal_year): result.actual
        for report in reports if report.cycle.kind == CycleKind.ANNUAL
        for result in report.results.all() if result.actual is not None
    }
    rows = []
    for indicator in sheet.indicators.all():
        targets = {t.fiscal_year: t.value for t in indicator.targets.all()}
        cells = []
        for year in plan.years:
            cell = YearCell(year, targets.get(year), actuals.get((indicator.pk, year)))
            if cell.actual is not None:
                cell.rate = achievement.of_indicator(indicator, cell.actual, cell.target).text
            cells.append(cell)
        rows.append(IndicatorRow(indicator, cells))
    return rows

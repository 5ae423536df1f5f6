"""The indicators in the long layout of the national 行政事業レビュー (RS system) table
3-1 効果発現経路_目標・実績: one indicator takes four rows told apart by 区分
(1.目標年度, 2.目標値, 3.実績値, 4.達成率), with one column per fiscal year, so that
the city's figures line up with the national files (docs: ../shared/rs-csv-layout.md).
The columns are defined in publication.datasets (RS_INDICATORS); the values come from
the same facts as the indicator datasets (publication.data_rows.indicator_facts)."""

from projects.models import IndicatorKind
from publication import data_rows

TARGET_YEAR, TARGET, ACTUAL, RATE = "1.目標年度", "2.目標値", "3.実績値", "4.達成率"
ROW_TYPES = (TARGET_YEAR, TARGET, ACTUAL, RATE)
KINDS = {IndicatorKind.OUTPUT: "アウトプット", IndicatorKind.OUTCOME: "アウトカム"}


def years(plans) -> list[int]:
    """From the first year of the plans to the last (one column each)."""
    periods = list(plans.values_list("start_year", "end_year"))
    if not periods:
        return []
    return list(range(min(start for start, _ in periods), max(end for _, end in periods) + 1))


def _cells(fact, row_type, columns):
    cells = {}
    for year in columns:
        target, actual = fact.targets.get(year), fact.actuals.get(year)
        if row_type == TARGET_YEAR:
            value = year if target is not None else None
        elif row_type == TARGET:
            value = target
        elif row_type == ACTUAL:
            value = actual
        else:  # the rate as a number, or why there is none (a reader keeps such text)
            rate = fact.achievement(year)
            value = rate.rate if rate.rate is not None else (rate.reason or None)
        cells[f"fy{year}"] = value
    return cells


def rows(plans):
    columns = years(plans)
    result = []
    for fact in data_rows.indicator_facts(plans):
        indicator, sheet, project = fact.indicator, fact.sheet, fact.project
        section = sheet.section if sheet.section_id else None
        described = {
            "plan_code": project.plan.code,
            "project_code": project.code,
            "project_name": project.name,
            "department_name": section.department.name if section else None,
            "section_name": section.name if section else None,
            "number": fact.number,
            "kind": KINDS.get(indicator.kind),
            "outcome_term": None,
            "target_type": "定性的" if indicator.is_qualitative else "定量的",
            "goal": sheet.objective or None,
            "indicator_name": indicator.name,
            "unit": indicator.unit or None,
            "direction": data_rows.DIRECTION_LABELS.get(indicator.direction),
            "data_source": indicator.data_source or None,
            "qualitative_reason": None,
            "qualitative_result": None,
            "baseline_value": data_rows.number(indicator.baseline_value),
            "baseline_year": indicator.baseline_year,
            "achievement_method": indicator.get_achievement_method_display(),
        }
        for row_type in ROW_TYPES:
            result.append(described | {"row_type": row_type} | _cells(fact, row_type, columns))
    return result

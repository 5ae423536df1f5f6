"""Does the revised sheet follow the 戦略本部's decision? (Action, plan p.25)"""

from decimal import Decimal

from governance.vocab import Decision


def _future_targets(snapshot_or_sheet, after_year):
    """{(indicator, year): value} for years after `after_year`."""
    if isinstance(snapshot_or_sheet, dict):
        return {
            (int(i), int(y)): Decimal(v)
            for i, years in snapshot_or_sheet.items() for y, v in years.items() if int(y) > after_year
        }
    return {
        (indicator.pk, t.fiscal_year): t.value
        for indicator in snapshot_or_sheet.indicators.all()
        for t in indicator.targets.all() if t.fiscal_year > after_year
    }


def reflection_flags(report, sheet) -> list[str]:
    """Japanese warnings for a revision that seems to ignore the decision."""
    flags = []
    year = report.cycle.result_year
    if report.sheet_version_at_decision and sheet.version <= report.sheet_version_at_decision:
        flags.append("判断の後、シートが更新されていません。判断に沿ってシートを見直してください。")
    before = _future_targets(report.targets_at_decision or {}, year)
    after = _future_targets(sheet, year)
    lowered = any(after.get(key, Decimal(0)) < value for key, value in before.items())
    raised = any(value > before.get(key, Decimal(0)) for key, value in after.items())
    later_plans = [e for e in sheet.schedule.all() if e.fiscal_year > year and e.planned.strip()]
    match report.decision:
        case Decision.REDUCE if not lowered:
            flags.append("「縮小」と判断されましたが、翌年度以降の目標値が下がっていません。")
        case Decision.EXPAND if not raised:
            flags.append("「拡充」と判断されましたが、翌年度以降の目標値が上がっていません。")
        case Decision.SUSPEND | Decision.COMPLETE if later_plans:
            flags.append(
                f"「{report.get_decision_display()}」と判断されましたが、翌年度以降のスケジュールに予定が残っています。"
            )
    return flags

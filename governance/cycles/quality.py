"""Reading a report's figures: achievement (governance.achievement), and the quality check
that lists what is missing or inconsistent before submission."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from core import fiscal
from governance.achievement import Achievement, format_rate, of_indicator
from governance.models import CycleKind, IndicatorResult
from governance.vocab import Direction as Way
from governance.vocab import ImplementationStatus, Progress

# ○ 計画どおり with an indicator below this share of its target is inconsistent.
FAR_BELOW = Decimal(80)
# Units and words that count activities (output), not results (outcome).
ACTIVITY_UNITS = {"回", "件", "回数", "日", "時間", "人日"}
ACTIVITY_WORDS = ("実施", "開催", "研修の回数", "回数", "作成", "配布")
# (実施状況, 今後の方向性) that contradict each other (表4-2, 表4-4): a project finished this
# year has nothing to continue, and one that goes on cannot be finished from now on.
CONTRADICTIONS = {
    (ImplementationStatus.COMPLETED, Way.CONTINUE):
        "実施状況が「完了」なのに今後の方向性が「継続」です。どちらかを見直してください。",
    (ImplementationStatus.CONTINUING, Way.COMPLETE):
        "実施状況が「継続」なのに今後の方向性が「完了」です。今年度で完了したなら実施状況を「完了」にしてください。",
}


@dataclass
class YearCell:
    """One covered year of a review's indicator: that year's target, actual and achievement.
    `source` is the 年次進行管理 report the actual is read from (read-only here, linked),
    or None when the review report holds it."""

    year: int
    target: Decimal | None
    actual: Decimal | None
    achievement: Achievement
    source: object = None
    note: str = ""
    override_met: bool | None = None
    override_reason: str = ""

    @property
    def rate(self) -> Decimal | None:
        return self.achievement.rate

    @property
    def rate_text(self) -> str:
        return self.achievement.text

    @property
    def overridden(self) -> bool:
        return self.override_met is not None

    @property
    def met(self) -> bool | None:
        return self.override_met if self.overridden else self.achievement.met


@dataclass
class ResultRow:
    result: object
    indicator: object
    target: Decimal | None
    achievement: Achievement
    # A review's covered years, first to last (the last is `target`/`achievement`); empty
    # for a 年次進行管理.
    years: list[YearCell] = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        return self.achievement.rate

    @property
    def rate_text(self) -> str:
        """「95.0%」「△18.0%」, or why there is none (「算出不可(目標値と基準値が同じ)」)."""
        return self.achievement.text

    @property
    def overridden(self) -> bool:
        return self.result.override_met is not None

    @property
    def met(self) -> bool | None:
        """達成 or 未達成: 情報推進課's word when given, else the rate's (None: neither)."""
        return self.result.override_met if self.overridden else self.achievement.met


def _target(indicator, year):
    return next((t.value for t in indicator.targets.all() if t.fiscal_year == year), None)


def with_covered_results(reports) -> list:
    """The reports as a list, each review's given `first_year_results`: {indicator id:
    result of the indicator in the 年次進行管理 report of the review's first covered year}
    (the latest such cycle's), read in one query for all (reports with cycle__plan)."""
    reports = list(reports)
    wanted = {}
    for report in reports:
        if report.cycle.is_review:
            report.first_year_results = {}
            key = (report.cycle.plan_id, report.cycle.covered_years[0])
            wanted.setdefault(key, set()).add(report.sheet_id)
    if not wanted:
        return reports
    where = Q()
    for (plan_id, year), sheets in wanted.items():
        where |= Q(report__cycle__plan_id=plan_id, report__cycle__fiscal_year=year, report__sheet_id__in=sheets)
    found = {}
    for result in (IndicatorResult.objects.filter(where, report__cycle__kind=CycleKind.ANNUAL)
                   .select_related("report__cycle").order_by("report__cycle__opened_at", "pk")):
        # A later cycle of the same year (one reopened after closing) replaces an earlier one.
        found[(result.report.sheet_id, result.report.cycle.fiscal_year, result.indicator_id)] = result
    for report in reports:
        if report.cycle.is_review:
            first = report.cycle.covered_years[0]
            report.first_year_results = {indicator: result for (sheet, year, indicator), result in found.items()
                                         if sheet == report.sheet_id and year == first}
    return reports


def _has_value(result, indicator) -> bool:
    if result is None:
        return False
    return bool(result.note.strip()) if indicator.is_qualitative else result.actual is not None


def first_year_cell(report, indicator, result=None) -> YearCell:
    """The review's first covered year of one indicator: from that year's annual report
    when it has a value, else the review's own `first_year_actual` (of `result`)."""
    if not hasattr(report, "first_year_results"):
        with_covered_results([report])
    year = report.cycle.covered_years[0]
    target = _target(indicator, year)
    annual = report.first_year_results.get(indicator.pk)
    if _has_value(annual, indicator):
        return YearCell(year, target, annual.actual, of_indicator(indicator, annual.actual, target),
                        source=annual.report, note=annual.note, override_met=annual.override_met,
                        override_reason=annual.override_reason)
    actual = result.first_year_actual if result is not None else None
    return YearCell(year, target, actual, of_indicator(indicator, actual, target))


def first_year_cells(report) -> dict | None:
    """{indicator id: YearCell of the first covered year} for each of the sheet's
    indicators (the edit form's rows, old and new); None for a 年次進行管理."""
    if not report.cycle.is_review:
        return None
    results = {result.indicator_id: result for result in report.results.all()}
    return {indicator.pk: first_year_cell(report, indicator, results.get(indicator.pk))
            for indicator in report.sheet.indicators.all()}


def result_rows(report) -> list[ResultRow]:
    """The report's indicator results with the year's target and achievement; for a
    review, each covered year's (reads prefetched results → indicator → targets, and
    for a review the first year's annual results: one query unless with_covered_results
    gave them)."""
    cycle = report.cycle
    year = cycle.result_year
    rows = []
    for result in report.results.all():
        indicator = result.indicator
        target = _target(indicator, year)
        row = ResultRow(result, indicator, target, of_indicator(indicator, result.actual, target))
        if cycle.is_review:
            row.years = [
                first_year_cell(report, indicator, result),
                YearCell(year, target, result.actual, row.achievement, note=result.note,
                         override_met=result.override_met, override_reason=result.override_reason),
            ]
        rows.append(row)
    return rows


def missing_indicators(report) -> list:
    """The sheet's indicators the report has no result row for (added to the sheet after
    the cycle opened); reads prefetched data (AnnualReport.objects.with_details())."""
    have = {result.indicator_id for result in report.results.all()}
    return [indicator for indicator in report.sheet.indicators.all() if indicator.pk not in have]


def quality_check(report) -> tuple[list[str], list[str]]:
    """(blockers, warnings) in Japanese. Blockers stop submission; warnings ask
    the department to look again."""
    blockers, warnings = [], []
    for field in ("implementation_status", "progress", "direction"):
        if not getattr(report, field):
            blockers.append(f"「{report._meta.get_field(field).verbose_name}」を選んでください。")
    if not report.work_done.strip():
        blockers.append("「実施した内容」を記入してください。")
    rows = result_rows(report)
    for row in rows:
        if row.indicator.is_qualitative:
            if not row.result.note.strip():
                blockers.append(f"定性的な指標「{row.indicator.name}」の実績を補足欄に記入してください。")
        elif row.years:
            blockers += [f"指標「{row.indicator.name}」の{fiscal.fy_label(cell.year)}の実績値がありません。"
                         for cell in row.years if cell.actual is None]
        elif row.result.actual is None:
            blockers.append(f"指標「{row.indicator.name}」の実績値がありません。")
    for indicator in missing_indicators(report):
        if indicator.is_qualitative:
            blockers.append(f"定性的な指標「{indicator.name}」の実績を補足欄に記入してください。")
        else:
            blockers.append(f"指標「{indicator.name}」の実績値がありません。")
    if report.progress == Progress.ON_PLAN:
        for row in rows:
            # A review compares each covered year with that year's target.
            for year, rate in ([(cell.year, cell.rate) for cell in row.years] or [(None, row.rate)]):
                if rate is not None and rate < FAR_BELOW:
                    when = f"{fiscal.fy_label(year)}の" if year else ""
                    warnings.append(
                        f"進捗度は「○ 計画どおり」ですが、指標「{row.indicator.name}」の{when}達成率は"
                        f"{format_rate(rate)}です。進捗度を見直してください。"
                    )
    finished = {ImplementationStatus.COMPLETED, ImplementationStatus.DISCONTINUED}
    if report.implementation_status in finished or report.direction in (Way.COMPLETE, Way.DISCONTINUE):
        later = [e for e in report.sheet.schedule.all()
                 if e.fiscal_year > report.cycle.result_year and e.planned.strip()]
        if later:
            warnings.append(
                "完了・中止/廃止としていますが、シートのスケジュールに翌年度以降の予定が残っています。"
            )
    if report.implementation_status == ImplementationStatus.NOT_STARTED and report.progress == Progress.ON_PLAN:
        warnings.append("実施状況が「未実施」なのに進捗度が「○ 計画どおり」です。")
    contradiction = CONTRADICTIONS.get((report.implementation_status, report.direction))
    if contradiction:
        warnings.append(contradiction)
    for row in rows:
        indicator = row.indicator
        if indicator.kind == "outcome" and (
            indicator.unit in ACTIVITY_UNITS or any(w in indicator.name for w in ACTIVITY_WORDS)
        ):
            warnings.append(
                f"成果指標「{indicator.name}」は活動の量(実施回数など)を測っていないか確認してください。"
                "成果指標には、活動の結果として利用者や業務に生じた変化を設定します。"
            )
    return blockers, warnings

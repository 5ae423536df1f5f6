"""Reading a report's figures: achievement (governance.achievement), and the quality check
that lists what is missing or inconsistent before submission."""

from dataclasses import dataclass
from decimal import Decimal

from governance.achievement import Achievement, format_rate, of_indicator
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
class ResultRow:
    result: object
    indicator: object
    target: Decimal | None
    achievement: Achievement

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


def result_rows(report) -> list[ResultRow]:
    """The report's indicator results with the year's target and achievement
    (reads prefetched results → indicator → targets)."""
    year = report.cycle.result_year
    rows = []
    for result in report.results.all():
        indicator = result.indicator
        target = next((t.value for t in indicator.targets.all() if t.fiscal_year == year), None)
        rows.append(ResultRow(result, indicator, target, of_indicator(indicator, result.actual, target)))
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
        elif row.result.actual is None:
            blockers.append(f"指標「{row.indicator.name}」の実績値がありません。")
    for indicator in missing_indicators(report):
        if indicator.is_qualitative:
            blockers.append(f"定性的な指標「{indicator.name}」の実績を補足欄に記入してください。")
        else:
            blockers.append(f"指標「{indicator.name}」の実績値がありません。")
    if report.progress == Progress.ON_PLAN:
        for row in rows:
            if row.rate is not None and row.rate < FAR_BELOW:
                warnings.append(
                    f"進捗度は「○ 計画どおり」ですが、指標「{row.indicator.name}」の達成率は"
                    f"{format_rate(row.rate)}です。進捗度を見直してください。"
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

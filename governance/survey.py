"""A plan's end survey as the next plan prints it (表4-2, 4-3, 4-4, pp.32-33): how
many of its projects were completed, continued, stopped…, their 進捗度 and their
今後の方向性, with shares to one decimal that add up to exactly 100.0%.

The counts come from the plan's own reviews — each project's latest report: its
最終見直し, else its last 年次進行管理 — or, for a plan whose projects are not in the
application (the first plan), from the counts its successor printed
(Plan.survey_record)."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Q

from governance.cycles.shares import Row, table
from governance.models import AnnualReport, CycleKind, ReportState
from governance.vocab import Direction, ImplementationStatus, Progress

# What each answer means, in the words of the printed tables.
DESCRIPTIONS = {
    "implementation": {
        ImplementationStatus.COMPLETED: "計画期間中に事業が完了。",
        ImplementationStatus.CONTINUING: "現在も事業が継続して実施。",
        ImplementationStatus.POSTPONED: "事業を検討後一時見送り。",
        ImplementationStatus.DISCONTINUED: "事業を検討後中止・廃止。",
        ImplementationStatus.NOT_STARTED: "事業を実施していない。",
    },
    "progress": {
        Progress.ON_PLAN: "計画どおり。",
        Progress.BEHIND: "計画を下回っている。",
        Progress.NOT_DONE: "未実施。",
        Progress.NOT_RATED: "見送りや中止・廃止などにより評価対象外。",
    },
    "direction": {
        Direction.COMPLETE: "事業が完了。",
        Direction.CONTINUE: "現在も事業が継続して実施。",
        Direction.DISCONTINUE: "事業を検討後中止・廃止。",
        Direction.UNDECIDED: "今のところ事業実施の予定なし。",
    },
}

# (key in Plan.survey_record, report field, table number, title, heading, vocabulary)
TABLES = [
    ("implementation", "implementation_status", "表4-2", "における事業の実施状況", "実施状況", ImplementationStatus),
    ("progress", "progress", "表4-3", "における事業の進捗度評価", "進捗度調査", Progress),
    ("direction", "direction", "表4-4", "における事業の今後の方向性", "今後の方向性", Direction),
]

REPORTED = [s for s in ReportState if s not in (ReportState.DRAFT, ReportState.RETURNED)]


@dataclass(frozen=True)
class SurveyRow:
    label: str
    description: str
    count: int
    share: object  # Decimal, one decimal


@dataclass(frozen=True)
class SurveyTable:
    number: str
    title: str
    heading: str
    rows: list[SurveyRow]
    total: int

    @property
    def summary(self):
        """「55 事業のうち、4 事業(7.3%)が「完了」…」: the counts in one sentence."""
        parts = [f"「{row.label}」{row.count} 事業({row.share}%)" for row in self.rows if row.count]
        return f"{self.total} 事業のうち、" + "、".join(parts) + "。"


def latest_reports(plan):
    """Each project's latest reported report of `plan`: its 最終見直し, else the
    annual report of the latest year (one query)."""
    reports = (
        AnnualReport.objects.filter(cycle__plan=plan, state__in=REPORTED)
        .filter(Q(cycle__kind=CycleKind.FINAL) | Q(cycle__kind=CycleKind.ANNUAL))
        .values("sheet__project_id", "cycle__kind", "cycle__fiscal_year",
                "implementation_status", "progress", "direction")
    )
    latest = {}
    for report in reports:
        key = (report["cycle__kind"] == CycleKind.FINAL, report["cycle__fiscal_year"])
        project = report["sheet__project_id"]
        if project not in latest or key > latest[project][0]:
            latest[project] = (key, report)
    return [report for _, report in latest.values()]


def survey_counts(plan) -> dict[str, dict[str, int]] | None:
    """{"implementation": {value: n}, "progress": …, "direction": …} of the plan's
    projects, or its printed record, or None when there is neither."""
    reports = latest_reports(plan)
    if reports:
        return {key: dict(Counter(r[field] for r in reports if r[field]))
                for key, field, *_ in TABLES}
    return plan.survey_record or None


def survey_tables(plan) -> list[SurveyTable] | None:
    """表4-2, 4-3 and 4-4 for `plan` (the outgoing plan), or None."""
    counts = survey_counts(plan)
    if counts is None:
        return None
    tables = []
    for key, _field, number, title, heading, vocab in TABLES:
        rows: list[Row] = table(vocab, counts.get(key, {}))
        tables.append(SurveyTable(
            number=number, title=f"{plan.short_name or plan.name}{title}", heading=heading,
            rows=[SurveyRow(row.label, DESCRIPTIONS[key][row.key], row.count, row.share) for row in rows],
            total=sum(row.count for row in rows),
        ))
    return tables

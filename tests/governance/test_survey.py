"""The outgoing plan's survey as the next plan prints it (表4-2, 4-3, 4-4, pp.32-33)."""

from datetime import date
from decimal import Decimal

import pytest

from governance.cycles.services import open_cycle
from governance.models import CycleKind, ReportState
from governance.survey import survey_tables
from plans.models import Plan

# The second plan's printed tables of the first plan's survey, row by row (pp.32-33).
PRINTED = {
    "表4-2": [("完了", 4, "7.3"), ("継続", 47, "85.4"), ("見送り", 0, "0.0"), ("中止/廃止", 4, "7.3"),
              ("未実施", 0, "0.0")],
    "表4-3": [("○ 計画どおり", 41, "74.6"), ("△ 計画を下回っている", 8, "14.5"), ("× 未実施", 0, "0.0"),
              ("- 評価対象外", 6, "10.9")],
    "表4-4": [("完了", 2, "3.6"), ("継続", 45, "81.8"), ("中止/廃止", 3, "5.5"), ("未定", 5, "9.1")],
}


@pytest.mark.django_db
def test_first_plans_printed_counts_reproduce_tables_4_2_to_4_4(seed):
    tables = survey_tables(seed["first"])
    assert [t.number for t in tables] == ["表4-2", "表4-3", "表4-4"]
    assert [t.title for t in tables] == ["第一期計画における事業の実施状況", "第一期計画における事業の進捗度評価",
                                         "第一期計画における事業の今後の方向性"]  # as printed, pp.32-33
    for survey in tables:
        assert [(r.label, r.count, str(r.share)) for r in survey.rows] == PRINTED[survey.number]
        assert survey.total == 55
        assert sum(r.share for r in survey.rows) == Decimal("100.0")
    assert tables[0].rows[0].description == "計画期間中に事業が完了。"
    assert "45 事業(81.8%)" in tables[2].summary


@pytest.mark.django_db
def test_no_reports_and_no_record_means_no_survey(seed):
    plan = seed["second"]
    assert plan.survey_record == {}
    assert survey_tables(plan) is None


def _report(cycle, code, **values):
    report = cycle.reports.get(sheet__project__code=code)
    for name, value in values.items():
        setattr(report, name, value)
    report.state = ReportState.SUBMITTED
    report.save()
    return report


@pytest.mark.django_db
def test_survey_counts_each_projects_latest_report_final_review_first(demo_users):
    plan = Plan.objects.get(code="second")
    ict = demo_users["demo-joho"]
    annual_2019 = open_cycle(user=ict, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2019, deadline=date(2020, 5, 31))
    annual_2020 = open_cycle(user=ict, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2020, deadline=date(2021, 5, 31))
    final = open_cycle(user=ict, plan=plan, kind=CycleKind.FINAL, fiscal_year=2020, deadline=date(2021, 5, 31))
    # 1-1-1-01: annual 2019 says 継続, the final review says 完了 → 完了.
    _report(annual_2019, "1-1-1-01", implementation_status="continuing", progress="on_plan", direction="continue")
    _report(final, "1-1-1-01", implementation_status="completed", progress="on_plan", direction="complete")
    # 1-1-1-02: annual 2019 継続, annual 2020 中止/廃止, no final → 中止/廃止.
    _report(annual_2019, "1-1-1-02", implementation_status="continuing", progress="behind", direction="continue")
    _report(annual_2020, "1-1-1-02", implementation_status="discontinued", progress="not_rated",
            direction="discontinue")
    # 1-1-1-03: only annual 2019 → 継続. Its 2020 draft (not reported) does not count.
    _report(annual_2019, "1-1-1-03", implementation_status="continuing", progress="on_plan", direction="continue")
    implementation, progress, direction = survey_tables(plan)
    assert {r.label: r.count for r in implementation.rows if r.count} == {"完了": 1, "継続": 1, "中止/廃止": 1}
    assert {r.label: r.count for r in progress.rows if r.count} == {"○ 計画どおり": 2, "- 評価対象外": 1}
    assert {r.label: r.count for r in direction.rows if r.count} == {"完了": 1, "継続": 1, "中止/廃止": 1}
    # 1/3 each: 33.3 + 33.3 + 33.4 (the largest remainder goes to one of them), 100.0 in all.
    assert sum(r.share for r in direction.rows) == Decimal("100.0")
    assert sorted(str(r.share) for r in direction.rows if r.count) == ["33.3", "33.3", "33.4"]

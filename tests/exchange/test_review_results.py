"""The 指標の実績 sheet of a 中間見直し: each covered year's target, actual and rate, the
first year's actual read from that year's annual report or entered in the review."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from exchange import services
from governance.cycles.services import open_cycle
from governance.models import CycleKind, IndicatorResult
from projects.models import IndicatorTarget
from tests.exchange.conftest import SHIMIN_CODES, digest, edit_xlsx, template_bytes, upload_of

FROM_ANNUAL, ENTERED = SHIMIN_CODES


@pytest.fixture
def midterm(demo_users, plan, cycle, shimin_sheets):
    """2016 targets 800 (the first sheet, whose 2016 annual report says 760) and 500 (the
    second, whose annual report has no actual); the 中間見直し opened in 2018."""
    for sheet, target in zip(shimin_sheets, (800, 500)):
        IndicatorTarget.objects.filter(indicator__sheet=sheet, fiscal_year=2016).update(value=target)
    IndicatorResult.objects.filter(report__cycle=cycle, report__sheet=shimin_sheets[0]).update(actual=760)
    return open_cycle(user=demo_users["demo-joho"], plan=plan, kind=CycleKind.MIDTERM, fiscal_year=2018,
                      deadline=date(2019, 5, 31))


def rows_of(data, title="指標の実績"):
    sheet = load_workbook(io.BytesIO(data))[title]
    headers = [c.value for c in sheet[1]]
    return [dict(zip(headers, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]


def test_the_template_shows_both_years_of_a_review(demo_users, plan, midterm):
    rows = {(r["種類"], r["事業コード"]): r for r in rows_of(template_bytes(demo_users["demo-staff-a"], plan))}
    read = rows[("中間見直し", FROM_ANNUAL)]
    assert (read["目標値・実績値の年度"], read["目標値"]) == ("平成29年度(2017年度)", 1000)
    assert (read["見直し1年目の年度"], read["1年目の目標値"], read["1年目の実績値(年次の報告)"],
            read["1年目の実績値(見直しで入力)"], read["1年目の達成率"]) == ("平成28年度(2016年度)", 800, 760, None, "95.0%")
    entered = rows[("中間見直し", ENTERED)]
    assert (entered["1年目の目標値"], entered["1年目の実績値(年次の報告)"]) == (500, None)
    annual = rows[("年次進行管理", FROM_ANNUAL)]
    assert annual["目標値・実績値の年度"] == "平成28年度(2016年度)" and annual["見直し1年目の年度"] in (None, "")


def test_the_reports_sheet_names_the_review_by_its_years(demo_users, plan, midterm):
    titles = {(r["種類"], r["事業コード"]): r["進行管理"]
              for r in rows_of(template_bytes(demo_users["demo-staff-a"], plan), "実績報告")}
    assert titles[("中間見直し", FROM_ANNUAL)] == "第二期計画 中間見直し(平成28〜29年度)"
    assert titles[("年次進行管理", FROM_ANNUAL)] == "平成28年度(2016年度) 年次進行管理"


def test_the_first_year_is_imported_where_the_annual_report_has_none(demo_users, plan, midterm):
    user = demo_users["demo-staff-a"]
    data = edit_xlsx(template_bytes(user, plan), "指標の実績", {"種類": "中間見直し", "事業コード": ENTERED},
                     {"1年目の実績値(見直しで入力)": 450})
    outcome = services.run_import(upload_of(data), user=user, plan=plan, commit=True)
    assert outcome.applied, outcome.errors
    result = IndicatorResult.objects.get(report__cycle=midterm, report__sheet__project__code=ENTERED)
    assert result.first_year_actual == 450
    assert result.history.latest().history_user == user
    row = next(r for r in rows_of(template_bytes(user, plan)) if (r["種類"], r["事業コード"]) == ("中間見直し", ENTERED))
    assert row["1年目の達成率"] == "90.0%"  # 450 ÷ 500


def test_a_first_year_the_annual_report_holds_is_refused_and_nothing_changes(demo_users, plan, midterm):
    user = demo_users["demo-staff-a"]
    data = edit_xlsx(template_bytes(user, plan), "指標の実績", {"種類": "中間見直し", "事業コード": FROM_ANNUAL},
                     {"1年目の実績値(見直しで入力)": 700})
    before = digest()
    outcome = services.run_import(upload_of(data), user=user, plan=plan, commit=True)
    assert not outcome.applied
    assert [(e.column, e.message) for e in outcome.errors] == [(
        "1年目の実績値(見直しで入力)",
        "平成28年度(2016年度)の実績値は平成28年度(2016年度) 年次進行管理の報告の値を使います(変更はその報告で行います)。"
        "この列は空欄のままにしてください。")]
    assert digest() == before


def test_an_annual_row_takes_no_first_year_value(demo_users, plan, midterm):
    user = demo_users["demo-staff-a"]
    data = edit_xlsx(template_bytes(user, plan), "指標の実績", {"種類": "年次進行管理", "事業コード": FROM_ANNUAL},
                     {"1年目の実績値(見直しで入力)": 1})
    before = digest()
    outcome = services.run_import(upload_of(data), user=user, plan=plan, commit=True)
    assert not outcome.applied and "入力できません" in outcome.errors[0].message
    assert digest() == before


def test_round_trip_with_a_review_changes_nothing(demo_users, plan, midterm):
    user = demo_users["demo-staff-a"]
    before = digest()
    outcome = services.run_import(upload_of(template_bytes(user, plan)), user=user, plan=plan, commit=True)
    assert outcome.ok and outcome.changes == []
    assert digest() == before

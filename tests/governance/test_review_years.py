"""中間見直し and 最終見直し (図3-3) are titled by the years they review and compare each
covered year's actual with that year's target.

The second plan runs FY2016-2020: its 中間見直し (held in 2018) reviews 2016 and 2017, its
最終見直し (held in 2020) reviews 2018 and 2019. The first covered year's actual is read
from that year's 年次進行管理 report when it has one, else entered in the review."""

import re
from datetime import date
from decimal import Decimal

import pytest
from lxml import html

from governance.books.papers import render_meeting_papers
from governance.cycles import services
from governance.cycles.quality import quality_check, result_rows, with_covered_results
from governance.models import AnnualReport, Body, BodyKind, CycleKind, IndicatorResult, ReportState
from governance.meetings.services import prepare_meeting
from projects.models import IndicatorTarget
from tests.governance.conftest import count_queries, fill

MIDTERM_TITLE = "第二期計画 中間見直し(平成28〜29年度)"
FINAL_TITLE = "第二期計画 最終見直し(平成30年度〜令和元年度)"


def set_targets(sheet, values: dict):
    indicator = sheet.indicators.get()
    for year, value in values.items():
        IndicatorTarget.objects.filter(indicator=indicator, fiscal_year=year).update(value=value)
    return indicator


def open_(user, plan, kind, year):
    return services.open_cycle(user=user, plan=plan, kind=kind, fiscal_year=year,
                               deadline=date(year + 1, 5, 31))


@pytest.fixture
def joho(demo_users):
    return demo_users["demo-joho"]


@pytest.fixture
def midterm(cycle, shimin_sheets, joho):
    """The 2016 annual cycle (`cycle`): the first sheet reported 760 against a target of 800
    (95.0%); the second sheet's annual report has no actual. Then the 中間見直し."""
    set_targets(shimin_sheets[0], {2016: 800, 2017: 1000})
    set_targets(shimin_sheets[1], {2016: 500, 2017: 1000})
    fill(cycle.reports.get(sheet=shimin_sheets[0]), actual=760)
    return open_(joho, cycle.plan, CycleKind.MIDTERM, 2018)


@pytest.fixture
def final(shimin_sheets, joho):
    """The 2018 annual cycle with 1,100 against 1,000 (110.0%) for the first sheet, then the
    最終見直し with 2019 targets of 1,200."""
    set_targets(shimin_sheets[0], {2018: 1000, 2019: 1200})
    plan = shimin_sheets[0].project.plan
    annual = open_(joho, plan, CycleKind.ANNUAL, 2018)
    fill(annual.reports.get(sheet=shimin_sheets[0]), actual=1100)
    return open_(joho, plan, CycleKind.FINAL, 2020)


def review_rows(page_html):
    """The review's indicator table as [(indicator, year, target, actual, rate, rating)], the
    indicator carried down the rows it spans."""
    rows, name = [], ""
    for tr in html.fromstring(page_html).xpath("//table[contains(@class, 'review-results')]/tbody/tr"):
        cells = tr.xpath("./th|./td")
        if cells[0].get("scope") == "rowgroup":
            name = cells[0].text.strip()
            cells = cells[1:]
        year = cells[0].xpath("string(./span)").strip()
        values = [re.sub(r"\s+", " ", c.text_content()).strip() for c in cells[1:5]]
        rows.append((name, year, *values[:3], values[3].split("情報推進課")[0].split("判定を変更")[0].strip()))
    return rows


# ─── Titles ────────────────────────────────────────────────────────────────

def test_reviews_are_titled_by_the_years_they_review_and_annual_cycles_as_before(midterm, final, cycle):
    assert str(midterm) == MIDTERM_TITLE
    assert str(final) == FINAL_TITLE  # 2019 is 令和元年度 (the era changed in May 2019)
    assert str(cycle) == "平成28年度(2016年度) 年次進行管理"
    assert midterm.covered_label == "平成28年度(2016年度)〜平成29年度(2017年度)"


def test_a_plan_without_a_short_name_names_the_review_by_its_name(midterm):
    midterm.plan.short_name = ""
    assert str(midterm) == "第二期昭島市情報化推進計画 中間見直し(平成28〜29年度)"


def test_the_review_title_is_on_every_page_that_names_the_cycle(client, midterm, demo_users, shimin_sheets):
    report = midterm.reports.get(sheet=shimin_sheets[0])
    client.force_login(demo_users["demo-joho"])
    for url in ("/cycles/", midterm.get_absolute_url(), report.get_absolute_url(), "/books/"):
        assert MIDTERM_TITLE in client.get(url).text, url
    client.force_login(demo_users["demo-staff-a"])  # 市民課, whose reports these are
    assert MIDTERM_TITLE in client.get("/cycles/mine/").text
    assert MIDTERM_TITLE in client.get(f"/reports/{report.pk}/edit/").text


def test_the_opening_mail_names_the_review_by_its_years(cycle, joho, tasks_run_at_once,
                                                       django_capture_on_commit_callbacks):
    from core.models import OutgoingMail

    with django_capture_on_commit_callbacks(execute=True):
        open_(joho, cycle.plan, CycleKind.MIDTERM, 2018)
    subjects = set(OutgoingMail.objects.values_list("subject", flat=True))
    assert f"【進行管理】{MIDTERM_TITLE}の実績報告をお願いします(期限 2019年05月31日)" in subjects


# ─── Each covered year against its own target ──────────────────────────────

def test_midterm_page_shows_both_years_with_the_first_read_from_the_annual_report(
        client, midterm, cycle, demo_users, shimin_sheets):
    report = midterm.reports.get(sheet=shimin_sheets[0])
    fill(report, actual=1050)
    client.force_login(demo_users["demo-staff-a"])
    page = client.get(report.get_absolute_url()).text
    assert "平成28年度(2016年度)〜平成29年度(2017年度)の実績" in page
    # 760 ÷ 800 = 95.0% (未達成); 1,050 ÷ 1,000 = 105.0% (達成)
    assert review_rows(page) == [
        ("収納件数(件)", "平成28年度(2016年度)", "800", "760", "95.0%", "未達成"),
        ("収納件数(件)", "平成29年度(2017年度)", "1,000", "1,050", "105.0%", "達成"),
    ]
    annual = cycle.reports.get(sheet=shimin_sheets[0])
    assert f'href="{annual.get_absolute_url()}">平成28年度(2016年度) 年次進行管理の報告</a>から' in page


def test_the_first_year_without_an_annual_value_is_entered_in_the_review(
        client, midterm, demo_users, shimin_sheets):
    report = midterm.reports.get(sheet=shimin_sheets[1])
    client.force_login(demo_users["demo-staff-a"])
    form = client.get(f"/reports/{report.pk}/edit/").text
    assert "収納件数の平成28年度(2016年度)の実績値(件)" in form
    assert "収納件数の平成29年度(2017年度)の実績値(件)" in form
    data = {"seen_version": report.version, "report-implementation_status": "continuing",
            "report-progress": "on_plan", "report-direction": "continue", "report-work_done": "周知した",
            "results-TOTAL_FORMS": "1", "results-INITIAL_FORMS": "1", "results-MIN_NUM_FORMS": "0",
            "results-MAX_NUM_FORMS": "1000", "results-0-id": report.results.get().pk,
            "results-0-first_year_actual": "450", "results-0-actual": "1,000"}
    assert client.post(f"/reports/{report.pk}/edit/", data).status_code == 302
    result = IndicatorResult.objects.get(report=report)
    assert (result.first_year_actual, result.actual) == (Decimal(450), Decimal(1000))
    assert result.history.latest().history_user == demo_users["demo-staff-a"]
    # 450 ÷ 500 = 90.0% (未達成); 1,000 ÷ 1,000 = 100.0% (達成)
    assert review_rows(client.get(report.get_absolute_url()).text) == [
        ("収納件数(件)", "平成28年度(2016年度)", "500", "450", "90.0%", "未達成"),
        ("収納件数(件)", "平成29年度(2017年度)", "1,000", "1,000", "100.0%", "達成"),
    ]


def test_a_first_year_value_from_the_annual_report_cannot_be_changed_in_the_review(
        client, midterm, demo_users, shimin_sheets):
    report = midterm.reports.get(sheet=shimin_sheets[0])
    client.force_login(demo_users["demo-staff-a"])
    form = client.get(f"/reports/{report.pk}/edit/").text
    assert "first_year_actual" not in form
    assert "平成28年度(2016年度)の実績値:<strong>760件</strong>" in form
    data = {"seen_version": report.version, "report-implementation_status": "continuing",
            "report-progress": "on_plan", "report-direction": "continue", "report-work_done": "周知した",
            "results-TOTAL_FORMS": "1", "results-INITIAL_FORMS": "1", "results-MIN_NUM_FORMS": "0",
            "results-MAX_NUM_FORMS": "1000", "results-0-id": report.results.get().pk,
            "results-0-first_year_actual": "1", "results-0-actual": "1000"}
    assert client.post(f"/reports/{report.pk}/edit/", data).status_code == 302
    result = IndicatorResult.objects.get(report=report)
    assert result.first_year_actual is None and result.actual == 1000


def test_an_annual_report_form_has_no_first_year_field(client, cycle, demo_users, shimin_sheets):
    report = cycle.reports.get(sheet=shimin_sheets[0])
    client.force_login(demo_users["demo-staff-a"])
    form = client.get(f"/reports/{report.pk}/edit/").text
    assert "first_year_actual" not in form and "収納件数の実績値(件)" in form


def test_final_review_compares_2018_and_2019_each_with_its_target(client, final, demo_users, shimin_sheets):
    report = final.reports.get(sheet=shimin_sheets[0])
    fill(report, actual=900)
    client.force_login(demo_users["demo-joho"])
    # 1,100 ÷ 1,000 = 110.0% (達成); 900 ÷ 1,200 = 75.0% (未達成)
    assert review_rows(client.get(report.get_absolute_url()).text) == [
        ("収納件数(件)", "平成30年度(2018年度)", "1,000", "1,100", "110.0%", "達成"),
        ("収納件数(件)", "令和元年度(2019年度)", "1,200", "900", "75.0%", "未達成"),
    ]


def test_the_quality_check_names_each_missing_year_and_each_year_far_below_target(midterm, shimin_sheets):
    with_blanks = midterm.reports.with_details().get(sheet=shimin_sheets[1])
    fill(with_blanks, actual=None)
    blockers, _ = quality_check(midterm.reports.with_details().get(sheet=shimin_sheets[1]))
    assert "指標「収納件数」の平成28年度(2016年度)の実績値がありません。" in blockers
    assert "指標「収納件数」の平成29年度(2017年度)の実績値がありません。" in blockers

    report = midterm.reports.get(sheet=shimin_sheets[0])
    fill(report, actual=700)  # 2017: 700 ÷ 1,000 = 70.0%; 2016 (annual): 95.0%
    blockers, warnings = quality_check(midterm.reports.with_details().get(pk=report.pk))
    assert blockers == []
    assert warnings == ["進捗度は「○ 計画どおり」ですが、指標「収納件数」の平成29年度(2017年度)の達成率は"
                        "70.0%です。進捗度を見直してください。"]


def test_override_applies_to_the_reviews_own_year_and_the_annual_judgement_shows_as_it_is(
        client, midterm, cycle, demo_users, shimin_sheets):
    joho = demo_users["demo-joho"]
    annual = cycle.reports.get(sheet=shimin_sheets[0]).results.get()
    services.override_rating(user=joho, result=annual, met=True, reason="年度途中で目標を見直したため")
    report = midterm.reports.get(sheet=shimin_sheets[0])
    fill(report, actual=1050)
    client.force_login(joho)
    page = client.get(report.get_absolute_url()).text
    first, last = review_rows(page)
    assert first[-1] == "達成" and "年度途中で目標を見直したため" in page
    assert last[-1] == "達成"


# ─── On paper ────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("which", ["midterm", "final"])
def test_meeting_papers_print_each_covered_year(which, request, demo_users, shimin_sheets):
    from tests.governance.test_books import pdf_text

    review = request.getfixturevalue(which)
    report = review.reports.get(sheet=shimin_sheets[0])
    fill(report, actual=1050 if which == "midterm" else 900)
    AnnualReport.objects.filter(pk=report.pk).update(state=ReportState.CONFIRMED)
    report.refresh_from_db()
    meeting = prepare_meeting(user=demo_users["demo-joho"], body=Body.objects.get(kind=BodyKind.COMMITTEE),
                              cycle=review, title="情報化推進検討会議 第1回", held_on=date(review.fiscal_year, 6, 20),
                              place="庁議室", reports=[report])
    text = pdf_text(render_meeting_papers(meeting))
    if which == "midterm":
        assert "第二期計画中間見直し(平成28〜29年度)" in text
        assert "平成28年度(2016年度)" in text and "800760" in text and "95.0%未達成" in text
        assert "平成29年度(2017年度)1,0001,050105.0%達成" in text
    else:
        assert "第二期計画最終見直し(平成30年度〜令和元年度)" in text
        assert "1,0001,100110.0%達成" in text
        assert "令和元年度(2019年度)1,20090075.0%未達成" in text


# ─── Queries ─────────────────────────────────────────────────────────────────

def test_review_report_page_queries_do_not_grow_with_indicators(client, midterm, demo_users, shimin_sheets):
    from projects.models import Indicator

    report = midterm.reports.get(sheet=shimin_sheets[0])
    client.force_login(demo_users["demo-joho"])
    one, _ = count_queries(client, report.get_absolute_url())
    for position in (2, 3, 4):
        indicator = Indicator.objects.create(sheet=shimin_sheets[0], name=f"指標{position}", unit="件",
                                             position=position)
        for year in (2016, 2017):
            IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, value=10)
        IndicatorResult.objects.create(report=report, indicator=indicator, actual=5, first_year_actual=4)
    four, page = count_queries(client, report.get_absolute_url())
    assert len(review_rows(page)) == 8
    assert four == one


def test_covered_results_of_a_whole_review_are_read_in_one_query(midterm, django_assert_num_queries):
    reports = list(midterm.reports.with_details())
    with django_assert_num_queries(1):
        rows = [result_rows(report) for report in with_covered_results(reports)]
    assert all(len(row.years) == 2 for report_rows in rows for row in report_rows)


def test_the_yearly_report_book_prints_each_covered_year(midterm, shimin_sheets):
    from governance.books import render as books
    from tests.governance.test_books import pdf_text

    fill(midterm.reports.get(sheet=shimin_sheets[0]), actual=1050)
    text = pdf_text(books.cycle_report(midterm))
    assert "第二期計画中間見直し(平成28〜29年度)" in text
    assert "800760" in text and "95.0%未達成" in text
    assert "平成29年度(2017年度)1,0001,050105.0%達成" in text

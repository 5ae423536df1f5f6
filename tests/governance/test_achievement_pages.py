"""Each indicator's achievement method on the pages: the dashboard's count of met
indicators, the report page and the export, on the known cycle of test_dashboard
(targets 1000 every year)."""

from decimal import Decimal

import pytest

from governance.cycles.quality import result_rows
from governance.dashboard.facts import REPORTED
from governance.models import AnnualReport, IndicatorResult
from governance.resources import ResultResource
from projects.models import Indicator
from tests.governance.test_dashboard import build_known_cycle, get

# 生成事業 number → baseline, for the indicators switched to 基準値からの進捗.
PROGRESS_BASELINES = {
    1: Decimal(1000),  # actual 500, target 1000 = baseline → 算出不可, not counted
    8: Decimal(1500),  # 下向き, actual 1000: (1500 − 1000) / (1500 − 1000) = 100.0%, met
    2: Decimal(1100),  # actual 1200: (1200 − 1100) / (1000 − 1100) = −100.0% → △100.0%
    3: Decimal(800),   # actual 900: (900 − 800) / (1000 − 800) = 50.0%
}
# Ⅰ: 0 (ratio 100%, met), 1 (not counted), 8 (met) → 2 of 2.
# Ⅱ: 2 (△100.0%), 3 (50.0%), 7 (ratio 0%) → 0 of 3.
ACHIEVEMENT_BY_HAND = [("目標Ⅰ", 2, 2, Decimal("100.0")), ("目標Ⅱ", 3, 0, Decimal("0.0"))]


@pytest.fixture
def known(demo_users):
    plan, cycles, projects = build_known_cycle(demo_users["demo-joho"])
    for number, baseline in PROGRESS_BASELINES.items():
        Indicator.objects.filter(sheet__project=projects[number], position=1).update(
            achievement_method="progress", baseline_value=baseline)
    return {"plan": plan, "cycles": cycles, "projects": projects}


def report_of(known, number):
    return AnnualReport.objects.with_details().get(cycle=known["cycles"][2022],
                                                   sheet__project=known["projects"][number])


def test_dashboard_counts_met_by_each_indicators_method(client, demo_users, known):
    client.force_login(demo_users["demo-exec"])
    figures = get(client, "/dashboard/", plan="dash", year=2022).context["figures"]
    assert figures["achievement"] == ACHIEVEMENT_BY_HAND


def test_dashboard_count_agrees_with_the_rates_shown(known):
    """The database count and governance.achievement agree on every reported result."""
    rows = [row for report in AnnualReport.objects.with_details().filter(cycle=known["cycles"][2022],
                                                                         state__in=REPORTED)
            for row in result_rows(report) if not row.indicator.is_qualitative]
    rated = [row for row in rows if row.rate is not None]
    assert (len(rated), sum(row.achievement.met for row in rated)) == (5, 2)


@pytest.mark.parametrize(("number", "shown"), [
    (2, "△100.0%"),
    (3, "50.0%"),
    (1, "算出不可(目標値と基準値が同じ)"),
    (0, "100.0%"),
])
def test_report_page_shows_the_rate_the_citys_way(client, demo_users, known, number, shown):
    client.force_login(demo_users["demo-joho"])
    response = get(client, f"/reports/{report_of(known, number).pk}/")
    row = response.context["rows"][0]  # 生成事業2 also has a qualitative indicator
    assert row.rate_text == shown
    content = response.content.decode()
    assert f'<td class="num">{shown}</td>' in content
    method = "基準値からの進捗" if number in PROGRESS_BASELINES else "目標値に対する割合"
    assert method in content


def test_export_gives_the_rate_and_the_method(demo_users, known):
    resource = ResultResource(user=demo_users["demo-joho"], cycle=known["cycles"][2022])
    dataset = resource.export(resource.export_queryset())
    rows = {(row["事業コード"], str(row["指標番号"])): row for row in dataset.dict}
    by_code = {number: project.code for number, project in known["projects"].items()}
    assert rows[(by_code[2], "1")]["達成率"] == "△100.0%"
    assert rows[(by_code[2], "1")]["達成率の算定方法"] == "基準値からの進捗"
    assert rows[(by_code[1], "1")]["達成率"] == "算出不可(目標値と基準値が同じ)"
    assert rows[(by_code[0], "1")]["達成率"] == "100.0%"
    assert rows[(by_code[0], "1")]["達成率の算定方法"] == "目標値に対する割合"


# ─── 情報推進課's 達成判定 ─────────────────────────────────────────────────

def result_of(known, number):
    return IndicatorResult.objects.get(report__cycle=known["cycles"][2022], indicator__position=1,
                                       report__sheet__project=known["projects"][number])


def override_url(result):
    return f"/reports/{result.report_id}/results/{result.pk}/override/"


def test_ict_office_overrides_a_rating_with_a_reason_kept_beside_it(client, demo_users, known):
    client.force_login(demo_users["demo-joho"])
    result = result_of(known, 2)  # △100.0%, 未達成 by its rate
    response = client.post(override_url(result), {"met": "met", "reason": "基準値の取り方を変更したため"})
    assert response.status_code == 302
    result.refresh_from_db()
    assert (result.override_met, result.override_reason) == (True, "基準値の取り方を変更したため")
    latest = result.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (demo_users["demo-joho"], "達成判定の変更(画面)")

    page = get(client, f"/reports/{result.report_id}/")
    row = page.context["rows"][0]
    assert (row.rate_text, row.met, row.overridden) == ("△100.0%", True, True)
    assert "情報推進課が判定を変更:基準値の取り方を変更したため" in page.content.decode()

    # The dashboard counts it as met: Ⅱ 1 of 3 (was 0 of 3).
    client.force_login(demo_users["demo-exec"])
    figures = get(client, "/dashboard/", plan="dash", year=2022).context["figures"]
    assert figures["achievement"] == [("目標Ⅰ", 2, 2, Decimal("100.0")), ("目標Ⅱ", 3, 1, Decimal("33.3"))]

    # And the export says so.
    resource = ResultResource(user=demo_users["demo-joho"], cycle=known["cycles"][2022])
    rows = {(row["事業コード"], str(row["指標番号"])): row
            for row in resource.export(resource.export_queryset()).dict}
    assert rows[(known["projects"][2].code, "1")]["達成判定"] == "達成(情報推進課が変更:基準値の取り方を変更したため)"
    assert rows[(known["projects"][3].code, "1")]["達成判定"] == "未達成"


def test_an_override_of_an_uncounted_rate_counts(client, demo_users, known):
    """生成事業1 (target = baseline, 算出不可) said 未達成: Ⅰ 2 of 3."""
    client.force_login(demo_users["demo-joho"])
    result = result_of(known, 1)
    assert client.post(override_url(result), {"met": "unmet", "reason": "目標未達"}).status_code == 302
    client.force_login(demo_users["demo-exec"])
    figures = get(client, "/dashboard/", plan="dash", year=2022).context["figures"]
    assert figures["achievement"][0] == ("目標Ⅰ", 3, 2, Decimal("66.7"))


def test_an_override_without_a_reason_is_refused_and_changes_nothing(client, demo_users, known):
    client.force_login(demo_users["demo-joho"])
    result = result_of(known, 2)
    before = result.history.count()
    response = client.post(override_url(result), {"met": "met", "reason": "  "}, follow=True)
    assert "達成判定を変更する理由を記入してください。" in response.content.decode()
    result.refresh_from_db()
    assert (result.override_met, result.override_reason, result.history.count()) == (None, "", before)


def test_clearing_an_override_goes_back_to_the_rate(client, demo_users, known):
    client.force_login(demo_users["demo-joho"])
    result = result_of(known, 2)
    client.post(override_url(result), {"met": "met", "reason": "理由"})
    assert client.post(override_url(result), {"met": "", "reason": "理由"}).status_code == 302
    result.refresh_from_db()
    assert (result.override_met, result.override_reason) == (None, "")
    assert get(client, f"/reports/{result.report_id}/").context["rows"][0].met is False


@pytest.mark.parametrize("username", ["demo-staff-a", "demo-kacho", "demo-exec", "demo-bucho"])
def test_only_the_ict_office_may_override(client, demo_users, known, username):
    client.force_login(demo_users[username])
    result = result_of(known, 2)
    response = client.post(override_url(result), {"met": "met", "reason": "理由"})
    assert response.status_code == 403
    result.refresh_from_db()
    assert result.override_met is None


def test_the_override_form_is_offered_to_the_ict_office_only(client, demo_users, known):
    result = result_of(known, 2)
    client.force_login(demo_users["demo-joho"])
    assert override_url(result) in get(client, f"/reports/{result.report_id}/").content.decode()
    client.force_login(demo_users["demo-exec"])
    assert override_url(result) not in get(client, f"/reports/{result.report_id}/").content.decode()


def test_papers_and_books_print_the_rate_the_method_and_the_changed_rating(demo_users, known):
    """The results table of the meeting papers and the books (governance/pdf/_report_results.html)."""
    from django.template.loader import render_to_string

    from governance.cycles.services import override_rating

    override_rating(user=demo_users["demo-joho"], result=result_of(known, 3), met=True, reason="事業の縮小による")
    html = {}
    for number in (2, 3):
        report = report_of(known, number)
        html[number] = render_to_string("governance/pdf/_report_results.html",
                                        {"report": report, "rows": result_rows(report)})
    assert '<td class="num">△100.0%</td><td>未達成</td>' in html[2]
    assert "基準値からの進捗" in html[2]
    assert ('<td class="num">50.0%</td><td>達成<div class="muted">情報推進課が判定を変更:事業の縮小による</div></td>'
            in html[3])

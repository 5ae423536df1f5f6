"""Each indicator's achievement method on the pages: the dashboard's count of met
indicators, the report page and the export, on the known cycle of test_dashboard
(targets 1000 every year)."""

from decimal import Decimal

import pytest

from governance.cycles.quality import result_rows
from governance.dashboard.facts import REPORTED
from governance.models import AnnualReport
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

"""The year the dashboard opens on (issue #17): the latest year whose reports have been
evaluated or decided, so that opening a new cycle in April does not blank the CIO's
landing page; the page says which year it shows and why."""

from datetime import date

import pytest
import tinyhtml5

from governance.cycles.services import open_cycle
from governance.models import CycleKind, ReportState
from governance.vocab import Progress
from tests.governance.test_dashboard import DASHBOARD, build_known_cycle, get


@pytest.fixture
def known(demo_users):
    plan, cycles, projects = build_known_cycle(demo_users["demo-joho"])
    return {"plan": plan, "cycles": cycles, "projects": projects}


@pytest.fixture
def exec_client(client, demo_users):
    client.force_login(demo_users["demo-exec"])
    return client


SETTLED_2022 = "令和4年度を表示しています(検討会議の評価・戦略本部の判断が始まった最新の年度)"


def open_2023(known, demo_users):
    return open_cycle(user=demo_users["demo-joho"], plan=known["plan"], kind=CycleKind.ANNUAL,
                      fiscal_year=2023, deadline=date(2024, 5, 31))


def test_the_dashboard_opens_on_the_latest_evaluated_year_and_says_so(exec_client, known):
    response = get(exec_client, DASHBOARD, plan="dash")
    assert response.context["filters"].year == 2022
    assert SETTLED_2022 in response.content.decode()


def test_opening_a_new_cycle_does_not_change_what_the_dashboard_shows_by_default(
        exec_client, known, demo_users, django_capture_on_commit_callbacks):
    before = get(exec_client, DASHBOARD, plan="dash")
    with django_capture_on_commit_callbacks(execute=True):
        open_2023(known, demo_users)
    after = get(exec_client, DASHBOARD, plan="dash")
    assert after.context["filters"].year == 2022
    assert after.context["cycle"] == known["cycles"][2022]
    assert SETTLED_2022 in after.content.decode()
    assert after.context["figures"]["headline"] == before.context["figures"]["headline"]
    assert after.context["figures"]["total_count"] == 10 and after.context["figures"]["reported_count"] == 8


def test_the_new_year_is_shown_once_a_report_of_it_is_evaluated(
        exec_client, known, demo_users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cycle = open_2023(known, demo_users)
    report = cycle.reports.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        report.state = ReportState.EVALUATED
        report.save()
    assert get(exec_client, DASHBOARD, plan="dash").context["filters"].year == 2023


def test_an_explicit_year_wins(exec_client, known, demo_users):
    open_2023(known, demo_users)
    response = get(exec_client, DASHBOARD, plan="dash", year=2023)
    assert response.context["filters"].year == 2023
    assert "令和5年度を表示しています(選択した年度)" in response.content.decode()


def test_without_an_evaluated_year_the_latest_started_year_is_shown(exec_client, known):
    known["cycles"][2022].reports.filter(
        state__in=[ReportState.EVALUATED, ReportState.DECIDED, ReportState.REFLECTED]).update(state="confirmed")
    response = get(exec_client, DASHBOARD, plan="dash")
    assert response.context["filters"].year == 2022
    assert "令和4年度を表示しています(検討会議の評価・戦略本部の判断が始まった年度がまだないため、進行管理を開始した最新の年度)" \
        in response.content.decode()


def test_without_any_cycle_the_plans_first_year_is_shown(exec_client):
    from tests.factories import make_plan

    plan = make_plan(code="empty", goals=1, policies=1, measures=1, projects=2)
    response = get(exec_client, DASHBOARD, plan="empty")
    assert response.context["filters"].year == plan.start_year
    assert "年次進行管理をまだ開始していないため、計画の初年度" in response.content.decode()


# ─── One total in every view, 未報告 included ───────────────────────────────
#
# By hand from SPEC_2022 (tests.governance.test_dashboard): ○ 0, 2, 3, 8 · △ 1 ·
# × 4, 9 · - 7 · 未報告 5 (draft), 6 (returned): 10 projects. FY2021 (PROGRESS_2021):
# ○ 0-5 · △ 6, 7 · - 8 · 未報告 9 (draft).
HEADLINE_2022 = [("計画どおり", 4, -2), ("計画を下回っている", 1, -1), ("未実施・評価対象外", 3, +2), ("未報告", 2, +1)]
PROGRESS_2022 = [4, 1, 2, 1, 2]  # ○ △ × - 未報告


def column_sums(rows):
    return [sum(column) for column in zip(*rows)]


def test_the_headline_goal_department_and_report_chart_give_the_same_totals(exec_client, known, monkeypatch):
    from governance.books import render as books
    from tests.governance.test_dashboard import SVG, charts_of, segments

    response = get(exec_client, DASHBOARD, plan="dash", year=2022)
    figures = response.context["figures"]
    assert figures["headline"] == HEADLINE_2022
    assert sum(n for _, n, _ in HEADLINE_2022) == figures["total_count"] == 10

    def progress(node):
        return [count for _, count, _, _, _ in node.row("progress", with_unreported=True)]

    assert column_sums(progress(goal) for goal in figures["tree"]) == PROGRESS_2022
    assert column_sums(progress(dept) for dept in figures["departments_rows"]) == PROGRESS_2022
    assert column_sums(counts for _, counts, _ in figures["trend_rows"][1:2]) == PROGRESS_2022
    categories = [*Progress.labels, "未報告"]
    screen = segments(charts_of(response)["depts"], categories)

    # The yearly report's charts (governance.books.briefing): each 目標, each 部, each with its
    # data table whose 合計 row is the plan's.
    captured = {}
    monkeypatch.setattr(books, "render_fitted", lambda template, context, **kw: captured.update(context) or b"")
    books.cycle_report(known["cycles"][2022])
    goals, departments, _ = captured["briefing"]["charts"]
    on_paper = [segments(next(tinyhtml5.parse(str(chart.svg)).iter(f"{SVG}svg")), categories)
                for chart in (goals, departments)]
    assert column_sums([on_paper[0]["目標Ⅰ 目標1"], on_paper[0]["目標Ⅱ 目標2"]]) == PROGRESS_2022
    assert column_sums(on_paper[1].values()) == PROGRESS_2022
    assert goals.table.total[0] == departments.table.total[0] == PROGRESS_2022
    for department in ("企画部", "市民部", "環境部"):
        assert on_paper[1][department] == screen[department], department
    assert on_paper[1]["環境部"] == [0, 0, 1, 0, 2]  # 9 | 5, 6: on paper as on screen


def test_the_headline_says_the_change_in_words_and_a_first_year_has_none(exec_client, known):
    html = get(exec_client, DASHBOARD, plan="dash", year=2022).content.decode()
    headline = html[html.index('<section class="headline"'):html.index("</section>")]
    for text in ("計画どおり</span> <strong class=\"headline__count\">4件</strong>", "前年度比 −2",
                 "前年度比 −1", "前年度比 +2", "前年度比 +1"):
        assert text in headline, text
    first = get(exec_client, DASHBOARD, plan="dash", year=2021).context["figures"]["headline"]
    # 2021 is the plan's first year: no previous year to compare with.
    assert first == [("計画どおり", 6, None), ("計画を下回っている", 2, None), ("未実施・評価対象外", 1, None),
                     ("未報告", 1, None)]
    assert "前年度なし" in get(exec_client, DASHBOARD, plan="dash", year=2021).content.decode()


def test_the_headline_follows_the_filters(exec_client, known):
    """目標Ⅰ × 市民部: 0 ○, 1 △, 8 ○ in 2022; 0, 1 ○ and 8 - in 2021."""
    figures = get(exec_client, DASHBOARD, plan="dash", year=2022, item="1", department="shimin").context["figures"]
    assert figures["headline"] == [("計画どおり", 2, 0), ("計画を下回っている", 1, 1), ("未実施・評価対象外", 0, -1),
                                   ("未報告", 0, 0)]

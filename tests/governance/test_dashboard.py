"""The executives' dashboard (governance.dashboard.facts, dashboard_views).

Its figures are checked against counts worked out by hand on a small generated
cycle and against the summary tables (表4-2, 4-3, 4-4) of the same cycle; its
query count is checked not to grow with the size of the plan; its filters stay
in the URL and bad ones fall back to defaults; its charts come with tables.
"""

from collections import Counter
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import tinyhtml5
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Section
from governance.cycles.services import open_cycle
from governance.cycles.tables import summary_tables
from governance.models import AnnualReport, CycleKind, CycleStatus, IndicatorResult, ReportState
from governance.vocab import Decision, Direction, ImplementationStatus, Progress
from plans.models import Plan
from projects.models import Indicator, IndicatorTarget, ProjectSheet
from projects.services import ensure_sheets
from tests.factories import DepartmentFactory, SectionFactory, make_plan

HTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
DASHBOARD = "/dashboard/"
PROJECTS = "/dashboard/projects/"

# ─── A small cycle whose every figure is known ────────────────────────────
#
# make_plan(goals=2, policies=2, measures=1, projects=10) puts 生成事業i under the
# measure i % 4 of Ⅰ-1-1, Ⅰ-2-1, Ⅱ-1-1, Ⅱ-2-1 (its home), and 生成事業0, 3, 6, 9 are
# also reposted (再掲) under the next measure; the dashboard counts homes only.
#
#   home Ⅰ-1-1: 0, 4, 8    home Ⅰ-2-1: 1, 5, 9    home Ⅱ-1-1: 2, 6    home Ⅱ-2-1: 3, 7
#
# FY2022 (the year shown). Every indicator's target is 1000; 生成事業8's indicator
# is 下向き (smaller is better); 生成事業2 also has a qualitative indicator.
# i: section, state, 実施状況, 進捗度, 今後の方向性, 戦略本部の判断, 実績値
SPEC_2022 = {
    0: ("shimin", "confirmed", "continuing", "on_plan", "continue", "", 1000),
    1: ("shimin", "submitted", "continuing", "behind", "continue", "", 500),
    2: ("kazei", "confirmed", "completed", "on_plan", "complete", "", 1200),
    3: ("kikaku-seisaku", "decided", "continuing", "on_plan", "continue", "expand", 900),
    4: ("kikaku-seisaku", "evaluated", "postponed", "not_done", "undecided", "", None),
    5: ("kankyo", "draft", "continuing", "on_plan", "continue", "", 800),  # not reported
    6: ("kankyo", "returned", "continuing", "behind", "continue", "", 700),  # not reported
    7: ("shimin", "reflected", "discontinued", "not_rated", "discontinue", "suspend", 0),
    8: ("kazei", "submitted", "continuing", "on_plan", "continue", "", 1000),
    9: ("kankyo", "confirmed", "not_started", "not_done", "undecided", "", None),
}
# FY2021: 進捗度 only; 生成事業9 still a draft.
PROGRESS_2021 = {i: "on_plan" for i in range(6)} | {6: "behind", 7: "behind", 8: "not_rated", 9: "on_plan"}

GOAL_1 = "目標Ⅰ 目標1"
GOAL_2 = "目標Ⅱ 目標2"
POLICIES = ["Ⅰ-1 基本方針1-1", "Ⅰ-2 基本方針1-2", "Ⅱ-1 基本方針2-1", "Ⅱ-2 基本方針2-2"]
MEASURES = ["Ⅰ-1-1 施策1-1-1", "Ⅰ-2-1 施策1-2-1", "Ⅱ-1-1 施策2-1-1", "Ⅱ-2-1 施策2-2-1"]

# Worked out by hand from SPEC_2022 (reported = submitted or later: 0-4, 7, 8, 9).
# Counts per value in the vocabulary's order.
BY_HAND = {
    "progress": {  # ○ △ × -
        GOAL_1: [2, 1, 2, 0],  # 0, 8 | 1 | 4, 9
        POLICIES[0]: [2, 0, 1, 0], MEASURES[0]: [2, 0, 1, 0],  # 0, 8 | 4
        POLICIES[1]: [0, 1, 1, 0], MEASURES[1]: [0, 1, 1, 0],  # 1 | 9
        GOAL_2: [2, 0, 0, 1],  # 2, 3 | 7
        POLICIES[2]: [1, 0, 0, 0], MEASURES[2]: [1, 0, 0, 0],  # 2 (6 is returned)
        POLICIES[3]: [1, 0, 0, 1], MEASURES[3]: [1, 0, 0, 1],  # 3 | 7
    },
    "implementation_status": {  # 完了 継続 見送り 中止/廃止 未実施
        GOAL_1: [0, 3, 1, 0, 1],
        GOAL_2: [1, 1, 0, 1, 0],
    },
    "direction": {  # 完了 継続 中止/廃止 未定
        GOAL_1: [0, 3, 0, 2],
        GOAL_2: [1, 1, 1, 0],
    },
    "decision": {  # 拡充 継続 改善・見直し 縮小 休止・廃止 完了
        GOAL_1: [0, 0, 0, 0, 0, 0],
        GOAL_2: [1, 0, 0, 0, 1, 0],
    },
}
SHARES_BY_HAND = {  # 進捗度
    GOAL_1: ["40.0", "20.0", "40.0", "0.0"],
    GOAL_2: ["66.7", "0.0", "0.0", "33.3"],
}
DEPARTMENTS_BY_HAND = [  # in the organisation's order, 進捗度 ○ △ × -
    ("企画部", [1, 0, 1, 0]),  # 3 | 4
    ("市民部", [3, 1, 0, 1]),  # 0, 2, 8 | 1 | 7
    ("環境部", [0, 0, 1, 0]),  # 9 (5 draft, 6 returned)
]
# The department table adds 未報告 (作成中 or 差戻し中) to each row; shares of the whole row.
DEPARTMENT_TABLE_BY_HAND = {
    "企画部": ([1, 0, 1, 0, 0], ["50.0", "0.0", "50.0", "0.0", "0.0"]),
    "市民部": ([3, 1, 0, 1, 0], ["60.0", "20.0", "0.0", "20.0", "0.0"]),
    "環境部": ([0, 0, 1, 0, 2], ["0.0", "0.0", "33.3", "0.0", "66.7"]),  # 9 | 5, 6
}
BOARD_BY_HAND = [  # most drafts and returns first, then by name
    ("環境部", {"draft": 1, "returned": 1, "confirmed": 1}),
    ("企画部", {"evaluated": 1, "decided": 1}),
    ("市民部", {"submitted": 2, "confirmed": 2, "reflected": 1}),
]
# Indicators with a result / at or above target: Ⅰ: 0 (100%), 1 (50%), 8 (下向き, 100%);
# Ⅱ: 2 (120%), 3 (90%), 7 (0%). The qualitative indicator of 2 does not count.
ACHIEVEMENT_BY_HAND = [("目標Ⅰ", 3, 2, Decimal("66.7")), ("目標Ⅱ", 3, 1, Decimal("33.3"))]
# 進捗度 ○ △ × - and 未報告; 2021: 9 (on plan) is a draft; 2022: 5 and 6 are not reported.
TREND_BY_HAND = {2021: [6, 2, 0, 1, 1], 2022: [4, 1, 2, 1, 2]}
NOT_STARTED = [0, 0, 0, 0, 0]


def build_known_cycle(joho, *, code="dash"):
    plan = make_plan(code=code, goals=2, policies=2, measures=1, projects=10)
    ensure_sheets(plan=plan)
    sheets = {int(s.project.name.removeprefix("生成事業")): s
              for s in ProjectSheet.objects.filter(project__plan=plan).select_related("project")}
    sections = {s.code: s for s in Section.objects.filter(code__in={v[0] for v in SPEC_2022.values()})}
    for i, sheet in sheets.items():
        sheet.section = sections[SPEC_2022[i][0]]
        sheet.save()
        indicator = Indicator.objects.create(sheet=sheet, position=1, name="件数", unit="件",
                                             direction="down" if i == 8 else "up")
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=indicator, fiscal_year=y, value=1000) for y in plan.years)
        if i == 2:
            Indicator.objects.create(sheet=sheet, position=2, name="満足度", is_qualitative=True,
                                     qualitative_reason="アンケートで把握する")
    cycles = {}
    for year in (2021, 2022):
        cycles[year] = open_cycle(user=joho, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=year,
                                  deadline=date(year + 1, 5, 31))
    for i, sheet in sheets.items():
        _, state, status, progress, direction, decision, actual = SPEC_2022[i]
        AnnualReport.objects.filter(cycle=cycles[2022], sheet=sheet).update(
            state=state, implementation_status=status, progress=progress, direction=direction,
            decision=decision, work_done="実施した")
        IndicatorResult.objects.filter(report__cycle=cycles[2022], report__sheet=sheet).update(actual=actual)
        AnnualReport.objects.filter(cycle=cycles[2021], sheet=sheet).update(
            state="draft" if i == 9 else "confirmed", implementation_status="continuing",
            progress=PROGRESS_2021[i], direction="continue", work_done="実施した")
        IndicatorResult.objects.filter(report__cycle=cycles[2021], report__sheet=sheet).update(actual=1000)
    return plan, cycles, {i: s.project for i, s in sheets.items()}


@pytest.fixture
def known(demo_users):
    plan, cycles, projects = build_known_cycle(demo_users["demo-joho"])
    return {"plan": plan, "cycles": cycles, "projects": projects}


@pytest.fixture
def exec_client(client, demo_users):
    client.force_login(demo_users["demo-exec"])
    return client


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response


def page(response):
    return tinyhtml5.parse(response.content.decode())


def text(element):
    return "".join(element.itertext()).strip()


def nodes(tree):
    """Every node of the tree, goal → policy → measure, depth first."""
    for node in tree:
        yield node
        yield from nodes(node.children)


def counts(node, field):
    return [count for _, count, _, _, _ in node.row(field)]


def names_listed(response):
    return sorted(r.sheet.project.name for r in response.context["reports"])


# ─── 1. Figures: by hand, and against the summary tables ──────────────────

def test_goal_tree_counts_match_the_hand_counts(exec_client, known):
    response = get(exec_client, DASHBOARD, plan="dash", year=2022)
    tree = response.context["figures"]["tree"]
    assert [g.label for g in tree] == [GOAL_1, GOAL_2]
    assert [p.label for g in tree for p in g.children] == POLICIES
    assert [m.label for g in tree for p in g.children for m in p.children] == MEASURES
    by_label = {node.label: node for node in nodes(tree)}
    for field, expected in BY_HAND.items():
        for label, values in expected.items():
            assert counts(by_label[label], field) == values, (field, label)
    for label, expected in SHARES_BY_HAND.items():
        assert [str(share) for _, _, share, _, _ in by_label[label].row("progress")] == expected
    # Reposts (再掲) are not counted twice: 8 reports reported, 8 counted over the goals.
    assert sum(sum(counts(g, "progress")) for g in tree) == 8
    assert response.context["figures"]["reported_count"] == 8 and response.context["figures"]["total_count"] == 10
    assert [g.total for g in tree] == [5, 3]


def test_department_rows_and_state_board_match_the_hand_counts(exec_client, known):
    context = get(exec_client, DASHBOARD, plan="dash", year=2022).context
    assert [(n.label, counts(n, "progress")) for n in context["figures"]["departments_rows"]] == DEPARTMENTS_BY_HAND
    board = [(name, {k: v for k, v in states.items() if v}) for name, _, states in context["figures"]["board"]]
    assert board == BOARD_BY_HAND


def test_department_table_shows_unreported_with_shares_adding_up_to_100(exec_client, known):
    response = get(exec_client, DASHBOARD, plan="dash", year=2022)
    table = response.context["figures"]["department_table"]
    assert [label for label, _ in table] == [name for name, _ in DEPARTMENTS_BY_HAND]
    for label, cells in table:
        assert [c[0] for c in cells] == [*Progress.labels, "未報告"]
        assert ([c[1] for c in cells], [str(c[2]) for c in cells]) == DEPARTMENT_TABLE_BY_HAND[label], label
        assert sum(c[2] for c in cells) == Decimal("100.0")
    # The page shows the same counts under a 未報告 header, and the link lists those reports.
    root = page(response)
    html_table = table_after(root, "部ごとの進捗度")
    assert [text(th) for th in html_table.find(f"{HTML}thead").iter(f"{HTML}th")][-1] == "未報告"
    assert table_counts(html_table) == {k: v[0] for k, v in DEPARTMENT_TABLE_BY_HAND.items()}
    link = next(a for a in html_table.iter(f"{HTML}a") if a.get("aria-label") == "環境部 未報告 2件")
    assert names_listed(exec_client.get(link.get("href"))) == ["生成事業5", "生成事業6"]


def test_a_department_with_no_report_in_yet_is_listed_as_all_unreported(exec_client, known):
    cycle = known["cycles"][2022]
    for report in cycle.reports.filter(section__department__code="kikaku"):
        report.state = ReportState.DRAFT
        report.save()
    table = dict(get(exec_client, DASHBOARD, plan="dash", year=2022).context["figures"]["department_table"])
    assert [(c[1], str(c[2])) for c in table["企画部"]] == [(0, "0.0")] * 4 + [(2, "100.0")]


def test_achievement_and_trend_match_the_hand_counts(exec_client, known):
    context = get(exec_client, DASHBOARD, plan="dash", year=2022).context
    assert context["figures"]["achievement"] == ACHIEVEMENT_BY_HAND
    # The years whose cycle has not been opened say so (2023-2025).
    assert context["figures"]["trend_rows"] == [
        (label, TREND_BY_HAND[year], True) if year in TREND_BY_HAND else (f"{label}(未開始)", NOT_STARTED, False)
        for year, label in context["years"]
    ]


def test_every_node_row_has_shares_adding_up_to_100(exec_client, known):
    for params in ({}, {"item": "1"}, {"department": "shimin"}, {"item": "2", "department": "kikaku"},
                   {"item": "1-2", "level": 2}):
        context = get(exec_client, DASHBOARD, plan="dash", year=2022, **params).context
        for node in [*nodes(context["figures"]["tree"]), *context["figures"]["departments_rows"]]:
            for field in ("implementation_status", "progress", "direction", "decision"):
                row = node.row(field)
                total = sum(share for _, _, share, _, _ in row)
                if sum(count for _, count, _, _, _ in row):
                    assert total == Decimal("100.0"), (params, node.label, field, row)
                else:
                    assert total == Decimal("0.0"), (params, node.label, field, row)


def test_dashboard_agrees_with_the_summary_tables(exec_client, known):
    context = get(exec_client, DASHBOARD, plan="dash", year=2022).context
    tree = context["figures"]["tree"]
    dashboard_nodes = {n.label: n for n in [*nodes(tree), *context["figures"]["departments_rows"]]}
    tables = summary_tables(known["cycles"][2022])
    assert [t.field for t in tables] == ["implementation_status", "progress", "direction"]
    for summary in tables:
        groups = dict(summary.groups)
        whole = groups.pop("計画全体")
        # The whole plan = the sum of the goals.
        assert [r.count for r in whole] == [sum(col) for col in zip(*(counts(g, summary.field) for g in tree))]
        # Every goal, policy and department of the summary table is on the dashboard, with
        # the same counts and shares; every goal, policy and department of the dashboard
        # is in the summary table.
        for label, rows in groups.items():
            node = dashboard_nodes[label]
            assert [(r.key, r.count, r.share) for r in rows] == \
                [(value, count, share) for _, count, share, value, _ in node.row(summary.field)], label
        expected = {n.label for n in tree} | {p.label for g in tree for p in g.children} \
            | {n.label for n in context["figures"]["departments_rows"] if n.total}
        assert set(groups) == expected


def test_filters_narrow_every_figure(exec_client, known):
    """目標Ⅰ × 市民部: 0, 1, 8 reported (4 and 9 belong to 企画部 and 環境部)."""
    context = get(exec_client, DASHBOARD, plan="dash", year=2022, item="1", department="shimin").context
    tree = context["figures"]["tree"]
    assert [g.label for g in tree] == [GOAL_1]
    assert counts(tree[0], "progress") == [2, 1, 0, 0]
    assert [(n.label, counts(n, "progress")) for n in context["figures"]["departments_rows"]] == [("市民部", [2, 1, 0, 0])]
    assert [(name, states) for name, _, states in context["figures"]["board"]] == [("市民部", Counter({"submitted": 2, "confirmed": 1}))]
    assert context["figures"]["achievement"] == [("目標Ⅰ", 3, 2, Decimal("66.7"))]
    trend = [counts for _, counts, _ in context["figures"]["trend_rows"]]
    assert trend[:2] == [[2, 0, 0, 1, 0], [2, 1, 0, 0, 0]]  # 2021: 0, 1 ○ and 8 -
    assert context["figures"]["reported_count"] == 3 and context["figures"]["total_count"] == 3


@pytest.mark.parametrize(("params", "expected"), [
    ({"item": "1", "department": "shimin", "field": "progress", "value": "on_plan"}, [0, 8]),
    ({"field": "progress", "value": "on_plan"}, [0, 2, 3, 8]),  # 5 is on plan but a draft
    ({"item": "2", "field": "progress"}, [2, 3, 7]),  # every reported project of 目標Ⅱ
    ({"goal": 2, "field": "progress"}, [2, 3, 7]),  # the same by the links made before plans had levels
    ({"department": "kankyo", "field": "state", "value": "draft"}, [5]),
    ({"field": "decision", "value": "suspend"}, [7]),
    ({"field": "implementation_status", "value": "continuing"}, [0, 1, 3, 8]),
    ({"field": "direction", "value": "undecided", "item": "1"}, [4, 9]),
    ({"field": "progress", "node": "1-2-1"}, [1, 9]),
    ({"field": "progress", "item": "1", "node": "1-2"}, [1, 9]),
    ({"field": "progress", "item": "1-2-1"}, [1, 9]),
    ({"field": "progress", "item": "2", "node": "1-2"}, []),  # nothing is under both
    ({"field": "progress", "measure": "1-2-1"}, [1, 9]),  # links made before plans had levels
    ({"field": "progress", "policy": "1-1"}, [0, 4, 8]),
], ids=["item+dept+on_plan", "on_plan", "item2 reported", "goal2 reported", "dept drafts", "decision",
        "status", "direction+item", "node", "item+node", "item leaf", "item+node disjoint", "measure",
        "policy"])
def test_drill_down_lists_exactly_the_projects_behind_a_figure(exec_client, known, params, expected):
    response = get(exec_client, PROJECTS, plan="dash", year=2022, **params)
    assert names_listed(response) == sorted(f"生成事業{i}" for i in expected)
    html = response.content.decode()
    for i in expected:
        assert known["projects"][i].code in html


def test_drill_down_says_how_many_and_an_unknown_value_lists_nothing(exec_client, known):
    response = get(exec_client, PROJECTS, plan="dash", year=2022, field="progress", value="on_plan")
    assert len(response.context["reports"]) == 4 and "<p>4 事業</p>" in response.content.decode()
    response = get(exec_client, PROJECTS, plan="dash", year=2022, field="progress", value="bogus")
    assert names_listed(response) == [] and "該当する事業はありません。" in response.content.decode()


def test_drill_down_of_another_year_lists_that_years_projects(exec_client, known):
    response = get(exec_client, PROJECTS, plan="dash", year=2021, field="progress", value="behind")
    assert names_listed(response) == ["生成事業6", "生成事業7"]


def test_every_count_link_lists_as_many_projects_as_it_shows(exec_client, known):
    """A figure in a table links to the projects behind it: following the link lists
    exactly that many projects (rows of goals, policies, measures and departments)."""
    for by in ("progress", "implementation_status", "direction", "decision"):
        response = get(exec_client, DASHBOARD, plan="dash", year=2022, by=by)
        links = [a for a in page(response).iter(f"{HTML}a") if a.get("href", "").startswith(PROJECTS)
                 and a.get("aria-label")]
        assert links, by
        wrong = []
        for link in links:
            shown = int(text(link))
            listed = len(exec_client.get(link.get("href")).context["reports"])
            if listed != shown:
                wrong.append(f"{link.get('aria-label')}: lists {listed}")
        assert not wrong, f"by={by}: " + "; ".join(wrong)


def test_state_board_links_list_as_many_projects_as_they_show(exec_client, known):
    response = get(exec_client, DASHBOARD, plan="dash", year=2022)
    board = next(t for t in page(response).iter(f"{HTML}table")
                 if any(text(th) == "作成中" for th in t.iter(f"{HTML}th")))
    wrong = []
    for row in board.iter(f"{HTML}tr"):
        for link in row.iter(f"{HTML}a"):
            listed = len(exec_client.get(link.get("href")).context["reports"])
            if listed != int(text(link)):
                wrong.append(f"{text(row.find(f'{HTML}th'))} {link.get('href')}: shows {text(link)}, lists {listed}")
    assert not wrong, "; ".join(wrong)


def test_trend_counts_the_latest_cycle_of_each_year_only(exec_client, known, demo_users):
    """A year's cycle closed and opened again: the year is counted once, from the
    cycle the dashboard shows (the latest), in the trend as in the tables."""
    plan, first = known["plan"], known["cycles"][2022]
    first.status = CycleStatus.CLOSED
    first.save()
    again = open_cycle(user=demo_users["demo-joho"], plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2022,
                       deadline=date(2023, 6, 30))
    again.reports.update(state="confirmed", implementation_status="continuing", progress="behind",
                         direction="continue", work_done="再度")
    context = get(exec_client, DASHBOARD, plan="dash", year=2022).context
    assert context["cycle"] == again
    assert [sum(counts(g, "progress")) for g in context["figures"]["tree"]] == [6, 4]
    trend = [counts for _, counts, _ in context["figures"]["trend_rows"]]
    assert trend[1] == [0, 10, 0, 0, 0]


def test_departments_with_the_same_display_order_are_told_apart(exec_client, demo_users):
    """Departments added in the admin keep the default 表示順 (0): each still gets its row."""
    plan = make_plan(code="same", goals=1, policies=1, measures=1, projects=2, reposts=False)
    ensure_sheets(plan=plan)
    first = SectionFactory(department=DepartmentFactory(name="第一部"))
    second = SectionFactory(department=DepartmentFactory(name="第二部"))
    assert first.department.sort_order == second.department.sort_order == 0
    for sheet, section in zip(ProjectSheet.objects.filter(project__plan=plan).order_by("project__code"),
                              [first, second]):
        sheet.section = section
        sheet.save()
    cycle = open_cycle(user=demo_users["demo-joho"], plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2021,
                       deadline=date(2022, 5, 31))
    cycle.reports.update(state="submitted", implementation_status="continuing", progress="on_plan",
                         direction="continue")
    context = get(exec_client, DASHBOARD, plan="same", year=2021).context
    assert sorted((n.label, counts(n, "progress")) for n in context["figures"]["departments_rows"]) == \
        [("第一部", [1, 0, 0, 0]), ("第二部", [1, 0, 0, 0])]
    assert sorted(name for name, _, _ in context["figures"]["board"]) == ["第一部", "第二部"]


# ─── 2. The query count does not grow with the plan ───────────────────────

def generated(joho, *, code, projects, years):
    """A generated plan: each sheet in a section, with an indicator and its targets;
    annual cycles opened for `years`, reports submitted or confirmed with values."""
    plan = make_plan(code=code, projects=projects)
    ensure_sheets(plan=plan)
    sections = list(Section.objects.filter(code__in=["shimin", "kazei", "kankyo", "zaisei", "kanri"]))
    sheets = list(ProjectSheet.objects.filter(project__plan=plan).order_by("project__code"))
    for i, sheet in enumerate(sheets):
        sheet.section = sections[i % len(sections)]
    ProjectSheet.objects.bulk_update(sheets, ["section"])
    indicators = Indicator.objects.bulk_create(
        Indicator(sheet=sheet, position=1, name="件数", unit="件") for sheet in sheets)
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(indicator=indicator, fiscal_year=y, value=100) for indicator in indicators
        for y in plan.years)
    states = [ReportState.SUBMITTED, ReportState.CONFIRMED, ReportState.DECIDED, ReportState.DRAFT]
    statuses, progresses, directions = list(ImplementationStatus), list(Progress), list(Direction)
    decisions = ["", *Decision]
    for year in years:
        cycle = open_cycle(user=joho, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=year,
                           deadline=date(year + 1, 5, 31))
        reports = list(cycle.reports.order_by("sheet__project__code"))
        for i, report in enumerate(reports):
            report.state = states[i % len(states)]
            report.implementation_status = statuses[(i // 2) % len(statuses)]
            report.progress = progresses[(i // 3) % len(progresses)]
            report.direction = directions[(i // 4) % len(directions)]
            report.decision = decisions[i % len(decisions)] if report.state == ReportState.DECIDED else ""
            report.work_done = "実施した"
        AnnualReport.objects.bulk_update(
            reports, ["state", "implementation_status", "progress", "direction", "decision", "work_done"])
        results = list(IndicatorResult.objects.filter(report__cycle=cycle))
        for i, result in enumerate(results):
            result.actual = 50 + (i * 7) % 100
        IndicatorResult.objects.bulk_update(results, ["actual"])
    return plan


DASHBOARD_MOST = 25  # the most queries of one dashboard page


def test_dashboard_query_count_does_not_grow_with_projects_or_years(
    exec_client, demo_users, django_assert_max_num_queries, django_assert_num_queries
):
    joho = demo_users["demo-joho"]
    generated(joho, code="small", projects=30, years=[2021])
    generated(joho, code="large", projects=300, years=[2021, 2022, 2023, 2024, 2025])
    exec_client.get(f"{DASHBOARD}?plan=small&year=2022")  # warm up (session, content types), no figures
    exec_client.get(f"{PROJECTS}?plan=large&year=2022")  # the plan's outline is cached, no figures
    for extra in ("", "&item=2", "&department=shimin", "&item=3&department=kankyo", "&item=3-1",
                  "&goal=1&level=3", "&by=decision", "&by=implementation_status"):
        # 30 projects × 1 year, then as many queries for 300 × 5.
        with django_assert_max_num_queries(DASHBOARD_MOST, info=extra or "no filter") as queries:
            small = exec_client.get(f"{DASHBOARD}?plan=small&year=2021{extra}")
        few = len(queries)
        with django_assert_num_queries(few, info=extra or "no filter"):
            large = exec_client.get(f"{DASHBOARD}?plan=large&year=2021{extra}")
        assert small.status_code == large.status_code == 200
        # Both pages did show figures.
        assert small.context["figures"]["reported_count"] > 0 and large.context["figures"]["reported_count"] > 0
        assert large.context["figures"]["reported_count"] > small.context["figures"]["reported_count"]
    trend = [counts for _, counts, _ in large.context["figures"]["trend_rows"]]
    assert all(sum(row[:4]) == 225 and row[4] == 75 for row in trend)  # a quarter are drafts (未報告)


def figures_html(response):
    """The figures part of the page (the rest has per-request tokens)."""
    content = response.content.decode()
    return content[content.index('<p class="lead">'):content.index("</main>")]


def test_cached_dashboard_uses_fewer_queries_and_as_many_for_any_size(
    exec_client, demo_users, django_assert_max_num_queries, django_assert_num_queries
):
    joho = demo_users["demo-joho"]
    generated(joho, code="small", projects=30, years=[2021])
    generated(joho, code="large", projects=300, years=[2021, 2022, 2023])
    with django_assert_max_num_queries(DASHBOARD_MOST) as queries:
        first = exec_client.get(f"{DASHBOARD}?plan=small&year=2021")
    missed = len(queries)
    with django_assert_max_num_queries(missed - 1) as queries:
        again = exec_client.get(f"{DASHBOARD}?plan=small&year=2021")
    hit = len(queries)
    assert figures_html(again) == figures_html(first) != ""
    # The large plan: as many queries, missed and hit.
    with django_assert_num_queries(missed):
        first = exec_client.get(f"{DASHBOARD}?plan=large&year=2021")
    with django_assert_num_queries(hit):
        again = exec_client.get(f"{DASHBOARD}?plan=large&year=2021")
    assert figures_html(again) == figures_html(first) != ""


def test_cached_dashboard_changes_right_after_a_report_moves(exec_client, known, demo_users,
                                                             django_capture_on_commit_callbacks):
    from governance.cycles.services import return_report

    url = f"{DASHBOARD}?plan=dash&year=2022"
    assert "10 事業のうち 8 事業が報告済み" in get(exec_client, url).content.decode()
    assert "10 事業のうち 8 事業が報告済み" in get(exec_client, url).content.decode()  # cached
    report = known["cycles"][2022].reports.get(sheet__project__name="生成事業1")
    with django_capture_on_commit_callbacks(execute=True):  # the commit, then the stamp (core.stamps)
        return_report(user=demo_users["demo-joho"], report=report, reason="実績値を確認してください")
    response = get(exec_client, url)
    assert "10 事業のうち 7 事業が報告済み" in response.content.decode()
    table = table_counts(table_after(page(response), "部ごとの進捗度"))
    assert table["市民部"] == [3, 0, 0, 1, 1]


def test_a_cycle_with_nothing_reported_yet_says_so_and_lists_every_item_as_unreported(exec_client, known):
    """The goal view counts 未報告 as the department view does (#17): nothing vanishes."""
    known["cycles"][2022].reports.update(state=ReportState.DRAFT)
    # 目標Ⅰ: 0, 1, 4, 5, 8, 9; 目標Ⅱ: 2, 3, 6, 7; 環境部: 5, 9 (Ⅰ-2-1) and 6 (Ⅱ-1-1).
    for params, expected in (({}, [(GOAL_1, 6), (GOAL_2, 4)]), ({"department": "kankyo"}, [(GOAL_1, 2), (GOAL_2, 1)]),
                             ({"item": "2"}, [(GOAL_2, 4)])):
        response = get(exec_client, DASHBOARD, plan="dash", year=2022, **params)
        tree = response.context["figures"]["tree"]
        assert [(g.label, g.unreported) for g in tree] == expected, params
        assert all(counts(n, "progress") == [0, 0, 0, 0] for n in nodes(tree)), params
        assert "報告済みの事業はまだありません。" in response.content.decode()


def test_a_measure_with_only_drafts_in_the_filter_is_listed_as_unreported(exec_client, known):
    """環境部 has 5 (draft) and 6 (returned) under Ⅰ-2-1 and Ⅱ-1-1, and 9 (confirmed, ×) under Ⅰ-2-1."""
    tree = get(exec_client, DASHBOARD, plan="dash", year=2022, department="kankyo").context["figures"]["tree"]
    assert [(n.label, counts(n, "progress"), n.unreported) for n in nodes(tree)] == [
        (GOAL_1, [0, 0, 1, 0], 1), (POLICIES[1], [0, 0, 1, 0], 1), (MEASURES[1], [0, 0, 1, 0], 1),
        (GOAL_2, [0, 0, 0, 0], 1), (POLICIES[2], [0, 0, 0, 0], 1), (MEASURES[2], [0, 0, 0, 0], 1),
    ]


def test_another_filter_or_vocabulary_reads_no_report_until_the_data_change(
        exec_client, known, demo_users, django_capture_on_commit_callbacks):
    """The cycle's facts are counted once per change of the data; every other view of
    them is computed without reading the reports again, and is right after a change."""
    from governance.cycles.services import return_report

    def report_queries(**params):
        with CaptureQueriesContext(connection) as captured:
            response = get(exec_client, DASHBOARD, plan="dash", year=2022, **params)
        return [q["sql"] for q in captured.captured_queries if "governance_annualreport" in q["sql"]], response

    first, _ = report_queries()
    assert first  # counted from the reports
    for params in ({"item": "2"}, {"department": "shimin"}, {"item": "1-2", "level": 3}, {"by": "decision"},
                   {"item": "1", "by": "direction"}):
        queries, response = report_queries(**params)
        assert queries == [], params
    assert counts(response.context["figures"]["tree"][0], "direction") == BY_HAND["direction"][GOAL_1]
    report = known["cycles"][2022].reports.get(sheet__project__name="生成事業1")  # 市民部, 目標Ⅰ
    with django_capture_on_commit_callbacks(execute=True):
        return_report(user=demo_users["demo-joho"], report=report, reason="実績値を確認してください")
    queries, response = report_queries(department="shimin", by="implementation_status")
    assert queries  # counted again
    assert [(n.label, counts(n, "progress")) for n in response.context["figures"]["departments_rows"]] \
        == [("市民部", [3, 0, 0, 1])]
    assert response.context["figures"]["reported_count"] == 4


def test_cached_dashboard_changes_right_after_a_sheet_target_is_saved(exec_client, known,
                                                                      django_capture_on_commit_callbacks):
    """A sheet's new target (as the sheet edit saves it) changes the achievement at once."""
    url = f"{DASHBOARD}?plan=dash&year=2022"

    def goal_1_row():
        table = table_after(page(get(exec_client, url)), "指標の達成状況")
        return next([text(td) for td in tr.findall(f"{HTML}td")] for tr in table.iter(f"{HTML}tr")
                    if tr.find(f"{HTML}th") is not None and text(tr.find(f"{HTML}th")) == "目標Ⅰ")

    assert goal_1_row() == ["3", "2", "66.7%"]
    assert goal_1_row() == ["3", "2", "66.7%"]  # from the cache
    target = IndicatorTarget.objects.get(indicator__sheet__project__plan__code="dash",
                                         indicator__sheet__project__name="生成事業1", fiscal_year=2022)
    target.value = 400  # 生成事業1's result is 500
    with django_capture_on_commit_callbacks(execute=True):
        target.save()
    assert goal_1_row() == ["3", "3", "100.0%"]


def test_drill_down_query_count_does_not_grow_with_projects(
    exec_client, demo_users, django_assert_max_num_queries, django_assert_num_queries
):
    joho = demo_users["demo-joho"]
    generated(joho, code="small", projects=30, years=[2021])
    generated(joho, code="large", projects=300, years=[2021, 2022])
    url = f"{PROJECTS}?year=2021&field=progress&value=on_plan&plan="
    exec_client.get(url + "small")
    exec_client.get(url + "large")  # the plan's outline is cached
    with django_assert_max_num_queries(DASHBOARD_MOST) as queries:
        small = exec_client.get(url + "small")
    few = len(queries)
    with django_assert_num_queries(few):
        large = exec_client.get(url + "large")
    assert small.status_code == large.status_code == 200
    assert len(large.context["reports"]) > len(small.context["reports"]) > 0


# ─── 3. Filters live in the URL ───────────────────────────────────────────

def test_filter_form_is_a_get_form_showing_the_current_filters(exec_client, known):
    response = get(exec_client, DASHBOARD, plan="dash", year=2021, item="2", department="kikaku")
    form = next(f for f in page(response).iter(f"{HTML}form") if f.get("aria-label") == "表示の条件")
    assert form.get("method", "get").lower() == "get"
    assert form.get("action") in (None, "", DASHBOARD)
    selected = {}
    for select in form.iter(f"{HTML}select"):
        chosen = [o.get("value") for o in select.iter(f"{HTML}option") if o.get("selected") is not None]
        selected[select.get("name")] = chosen
    assert selected == {"plan": ["dash"], "year": ["2021"], "item": ["2"], "department": ["kikaku"]}
    # Every item of the plan is offered, indented by its level and named by it.
    items = next(select for select in form.iter(f"{HTML}select") if select.get("name") == "item")
    assert [(o.get("value"), text(o)) for o in items.iter(f"{HTML}option")] == [
        ("", "すべての項目"),
        ("1", "目標Ⅰ 目標1"), ("1-1", "基本方針Ⅰ-1 基本方針1-1"), ("1-1-1", "情報化施策Ⅰ-1-1 施策1-1-1"),
        ("1-2", "基本方針Ⅰ-2 基本方針1-2"), ("1-2-1", "情報化施策Ⅰ-2-1 施策1-2-1"),
        ("2", "目標Ⅱ 目標2"), ("2-1", "基本方針Ⅱ-1 基本方針2-1"), ("2-1-1", "情報化施策Ⅱ-1-1 施策2-1-1"),
        ("2-2", "基本方針Ⅱ-2 基本方針2-2"), ("2-2-1", "情報化施策Ⅱ-2-1 施策2-2-1"),
    ]
    assert [len(o.text) - len(o.text.lstrip("\u3000")) for o in items.iter(f"{HTML}option")] == \
        [0, 0, 1, 2, 1, 2, 0, 1, 2, 1, 2]


def test_drill_down_links_and_the_way_back_carry_the_filters(exec_client, known):
    """Filtered to 基本方針Ⅰ-2 and 市民部: every link keeps both filters; the rows below
    Ⅰ-2 narrow further by `node`, the rows of Ⅰ-2 and 目標Ⅰ (which count only Ⅰ-2's
    reports) do not."""
    response = get(exec_client, DASHBOARD, plan="dash", year=2022, item="1-2", department="shimin", level=2)
    links = [a.get("href") for a in page(response).iter() if a.tag in (f"{HTML}a", f"{SVG}a")]
    drill = [href for href in links if href and href.startswith(PROJECTS)]
    assert drill
    nodes_linked = set()
    for href in drill:
        query = parse_qs(urlsplit(href).query)
        assert query["plan"] == ["dash"] and query["year"] == ["2022"], href
        assert query["item"] == ["1-2"] and query["department"] == ["shimin"], href
        assert query["level"] == ["2"], href
        nodes_linked.update(query.get("node", []))
    assert nodes_linked == {"1-2-1"}
    # The vocabulary and level switches keep the filters too.
    switches = [h for h in links if h and ("by=" in h or "level=" in h)
                and not h.startswith((PROJECTS, "/dashboard/print.pdf"))]
    assert len(switches) == 4 + 3
    # 「印刷・PDF」 prints the dashboard as it is filtered.
    printed = [h for h in links if h and h.startswith("/dashboard/print.pdf")]
    assert len(printed) == 1
    for href in switches + printed:
        query = parse_qs(urlsplit(href).query)
        assert (query["plan"], query["year"], query["item"], query["department"]) == \
            (["dash"], ["2022"], ["1-2"], ["shimin"])
    # The drill-down's way back returns to the same filters, from any row.
    for href in (drill[0], next(h for h in drill if "node=" in h)):
        drilled = get(exec_client, href)
        back = next(a for a in page(drilled).iter(f"{HTML}a") if "ダッシュボードに戻る" in text(a))
        query = parse_qs(urlsplit(back.get("href")).query)
        assert urlsplit(back.get("href")).path == DASHBOARD
        assert (query["plan"], query["year"], query["item"], query["department"], query["level"]) == \
            (["dash"], ["2022"], ["1-2"], ["shimin"], ["2"])
        assert "node" not in query


@pytest.mark.parametrize(("params", "year", "item", "department", "level"), [
    ({"year": "1999"}, 2022, None, None, 1),  # outside the plan: the latest cycle's year
    ({"year": "2030"}, 2022, None, None, 1),
    ({"year": "abc"}, 2022, None, None, 1),
    ({"year": "-1"}, 2022, None, None, 1),
    ({"year": "2021", "goal": "9"}, 2021, None, None, 1),  # no 目標Ⅸ in this plan
    ({"goal": "abc"}, 2022, None, None, 1),
    ({"goal": "-1"}, 2022, None, None, 1),
    ({"goal": "²"}, 2022, None, None, 1),  # a digit to str.isdigit(), not to int()
    ({"goal": "1", "department": "no-such-dept"}, 2022, "1", None, 1),
    ({"item": "1-3"}, 2022, None, None, 1),  # no 基本方針Ⅰ-3
    ({"item": "1-2-1-1"}, 2022, None, None, 1),  # deeper than the plan
    ({"item": "1-"}, 2022, None, None, 1),
    ({"item": "Ⅰ-2"}, 2022, None, None, 1),  # a code, not a path
    ({"item": "2-1", "goal": "1"}, 2022, "2-1", None, 1),  # item wins over the old goal
    ({"level": "3"}, 2022, None, None, 3),
    ({"level": "4"}, 2022, None, None, 1),  # the plan has three levels
    ({"level": "0"}, 2022, None, None, 1),
    ({"level": "²"}, 2022, None, None, 1),
    ({"department": "'; drop table"}, 2022, None, None, 1),
    ({"by": "nothing"}, 2022, None, None, 1),
], ids=["year-before", "year-after", "year-text", "year-negative", "goal-unknown", "goal-text",
        "goal-negative", "goal-superscript", "dept-unknown", "item-unknown", "item-too-deep", "item-junk",
        "item-code", "item-and-goal", "level-3", "level-unknown", "level-zero", "level-superscript",
        "dept-junk", "by-unknown"])
def test_invalid_parameters_fall_back_to_defaults(exec_client, known, params, year, item, department, level):
    for url in (DASHBOARD, PROJECTS):
        response = exec_client.get(url, {"plan": "dash", **params})
        assert response.status_code == 200, (url, params)
        filters = response.context["filters"]
        assert (filters.plan.code, filters.year, filters.item, filters.department, filters.level) == \
            ("dash", year, item, department, level), (url, params)


def test_unknown_plan_is_a_404_like_a_wrong_address(exec_client, known):
    """One rule for every page with 「計画の選択」 (plans.choice): a plan that does not
    exist for the user is not silently replaced by another plan's figures."""
    for url in (DASHBOARD, PROJECTS):
        assert exec_client.get(url, {"plan": "no-such-plan", "year": "2022"}).status_code == 404


def test_no_plan_in_the_address_shows_the_current_plan(exec_client, known):
    for url in (DASHBOARD, PROJECTS):
        response = exec_client.get(url, {"year": "2022"})
        current = Plan.objects.current()
        filters = response.context["filters"]
        assert filters.plan == current and filters.year in current.years


def test_unknown_vocabulary_on_the_dashboard_shows_progress(exec_client, known):
    response = get(exec_client, DASHBOARD, plan="dash", year=2022, by="nothing")
    assert response.context["by"] == "progress"


@pytest.mark.parametrize("measure", ["1-2", "a-b-c", "1-2-3-4", "9-9-9", "²-1-1", "1--1"])
def test_invalid_measure_on_the_drill_down_falls_back_without_an_error(exec_client, known, measure):
    response = exec_client.get(PROJECTS, {"plan": "dash", "year": "2022", "field": "progress",
                                          "measure": measure})
    assert response.status_code == 200, measure


def test_a_year_without_a_cycle_says_so(exec_client, known):
    response = get(exec_client, DASHBOARD, plan="dash", year=2024)
    assert response.context["cycle"] is None
    assert "年次進行管理はまだ開始されていません" in response.content.decode()
    assert get(exec_client, PROJECTS, plan="dash", year=2024, field="progress").context["reports"].count() == 0


# ─── 4. Charts ────────────────────────────────────────────────────────────

CHARTS = {"items": "目標ごとの進捗度", "depts": "部ごとの進捗度", "trend": "進捗度の推移"}


def charts_of(response):
    return {svg.get("aria-labelledby").removesuffix("-title"): svg
            for svg in page(response).iter(f"{SVG}svg")}


def segments(svg, categories=None):
    """{bar label: [count per category]} from the segments' <title>「label:category N件」
    (categories: a vocabulary's labels, 進捗度 unless given)."""
    bars = {}
    categories = categories or list(Progress.labels)
    for rect in svg.iter(f"{SVG}rect"):
        title = rect.find(f"{SVG}title")
        if title is None:
            continue
        label, rest = title.text.rsplit(":", 1)
        category, count = rest.rsplit(" ", 1)
        bars.setdefault(label, [0] * len(categories))[categories.index(category)] = int(count.removesuffix("件"))
    return bars


def table_after(svg_root, heading_text):
    """The first table after the heading whose text is `heading_text`."""
    seen = False
    for element in svg_root.iter():
        if element.tag in (f"{HTML}h2", f"{HTML}h3") and text(element) == heading_text:
            seen = True
        elif seen and element.tag == f"{HTML}table":
            return element
    raise AssertionError(f"no table after {heading_text}")


def table_counts(table, labels=None):
    """{row header: [count per column]} of a data table (cells read as their count)."""
    rows = {}
    for tr in table.iter(f"{HTML}tr"):
        header = tr.find(f"{HTML}th")
        cells = tr.findall(f"{HTML}td")
        if header is None or not cells or header.get("scope") != "row":
            continue
        words = [text(td).split() for td in cells]
        if all(w and w[0].isdecimal() for w in words):  # a table of counts
            rows[text(header)] = [int(w[0]) for w in words]
    return rows


def test_charts_name_their_font_and_have_a_title(exec_client, known):
    response = get(exec_client, DASHBOARD, plan="dash", year=2022)
    charts = charts_of(response)
    # Each chart twice: the wide layout and the phone's narrow one.
    assert set(charts) == set(CHARTS) | {f"{uid}-narrow" for uid in CHARTS}
    for uid, title in [*CHARTS.items(), *((f"{uid}-narrow", title) for uid, title in CHARTS.items())]:
        svg = charts[uid]
        assert "BIZ UDPGothic" in svg.get("font-family") and "sans-serif" in svg.get("font-family")
        # A single image to assistive technology unless its bars are links.
        assert svg.get("role") == (None if svg.find(f".//{SVG}a") is not None else "img")
        first = svg.find(f"{SVG}title")
        assert first is not None and first.text == title and first.get("id") == f"{uid}-title"
        assert list(svg).index(first) == 0  # the chart's name comes first
    # ids stay unique on the page (each chart has its own patterns).
    ids = [e.get("id") for e in page(response).iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_a_phone_gets_each_chart_in_a_narrow_layout_with_the_same_numbers(exec_client, known):
    """At 390px the wide chart (640 units) would print its 12-unit text at about 7px: a
    phone gets a chart drawn 360 units wide (about 1:1), each label on its own line above
    its bar, not shortened to 16 characters, with the same segments as the wide one."""
    charts = charts_of(get(exec_client, DASHBOARD, plan="dash", year=2022))
    for uid in CHARTS:
        wide, narrow = charts[uid], charts[f"{uid}-narrow"]
        assert narrow.get("viewBox").split()[2] == "360" and narrow.get("font-size") == "12"
        categories = [*Progress.labels, "未報告"]
        assert segments(narrow, categories) == segments(wide, categories)
        wide_labels = {t.text for t in wide.iter(f"{SVG}text") if t.get("text-anchor") == "end"}
        narrow_labels = {t.text for t in narrow.iter(f"{SVG}text") if t.get("x") == "0"}
        assert wide_labels, uid
        # Every bar's label is there, whole where the wide chart had to shorten it.
        for label in wide_labels:
            assert any(n == label or n.startswith(label.removesuffix("…")) for n in narrow_labels), label
        # Nothing is drawn beyond the 360 units.
        for rect in narrow.iter(f"{SVG}rect"):
            if rect.get("x"):
                assert float(rect.get("x")) + float(rect.get("width", 0)) <= 360.5


def test_each_chart_is_shown_with_a_table_of_the_same_numbers(exec_client, known):
    response = get(exec_client, DASHBOARD, plan="dash", year=2022)
    root = page(response)
    charts = charts_of(response)
    progress = list(Progress.labels)

    goals = table_counts(table_after(root, "進捗度(目標 → 基本方針 → 情報化施策)"))
    goal_bars = segments(charts["items"], [*progress, "未報告"])
    assert set(goal_bars) == {GOAL_1, GOAL_2}
    unreported = {GOAL_1: 1, GOAL_2: 1}  # 5 (draft), 6 (returned)
    for label, bar in goal_bars.items():
        assert bar == goals[label] == [*BY_HAND["progress"][label], unreported[label]]

    departments = table_counts(table_after(root, "部ごとの進捗度"))
    assert segments(charts["depts"], [*progress, "未報告"]) == departments == \
        {name: values for name, (values, _) in DEPARTMENT_TABLE_BY_HAND.items()}

    trend = table_counts(table_after(root, "計画期間の推移"))
    trend_bars = segments(charts["trend"], [*progress, "未報告"])
    assert trend_bars == trend
    # The years not started show 未開始, not counts.
    assert list(trend.values()) == [TREND_BY_HAND[2021], TREND_BY_HAND[2022]]
    assert [text(td) for td in table_after(root, "計画期間の推移").iter(f"{HTML}td") if text(td) == "未開始"] \
        == ["未開始"] * 3
    # Every chart's legend names the four 進捗度 in order.
    for svg in charts.values():
        legend = [t.text for t in svg.iter(f"{SVG}text") if t.text in progress]
        assert legend == progress


def test_the_goal_chart_has_a_table_whatever_vocabulary_the_table_shows(exec_client, known):
    """The goal chart shows the vocabulary the table beside it shows, so its numbers
    are always in a table, whichever vocabulary the executive picks."""
    from governance.vocab import Direction

    response = get(exec_client, DASHBOARD, plan="dash", year=2022, by="direction")
    root = page(response)
    bars = segments(charts_of(response)["items"], [*Direction.labels, "未報告"])
    tables = [table_counts(t) for t in root.iter(f"{HTML}table")]
    assert any(all(table.get(label) == values for label, values in bars.items()) for table in tables), \
        "no table gives the goal chart's 進捗度 counts when by=direction"


def test_chart_segments_link_to_the_projects_they_count(exec_client, known):
    response = get(exec_client, DASHBOARD, plan="dash", year=2022)
    svg = charts_of(response)["items"]
    for link in svg.iter(f"{SVG}a"):
        title = link.find(f".//{SVG}title").text
        shown = int(title.rsplit(" ", 1)[1].removesuffix("件"))
        listed = len(exec_client.get(link.get("href")).context["reports"])
        assert listed == shown, f"{title}: {link.get('href')} lists {listed}"

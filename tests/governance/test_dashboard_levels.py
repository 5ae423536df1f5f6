"""The dashboard on plans of other shapes: the roll-up, labels, filters and query counts
come from the plan's own levels, whatever their names and number.

Two plans built by hand, with every figure worked out by hand below:
- a two-level plan (基本目標 → 施策, Arabic numbers), as other cities write them;
- a plan of the first plan's shape (目標 → 基本方針 → 基本施策 → 情報化施策, 目標 in Roman
  numbers), four levels between its 基本理念 and its 事業 (six counting those two);
and generated plans of two and five levels, small and large, for the query counts.
"""

from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import tinyhtml5

from accounts.models import Section
from governance.cycles.services import open_cycle
from governance.models import AnnualReport, CycleKind, IndicatorResult, ReportState
from governance.vocab import Decision, Direction, ImplementationStatus, Progress
from plans import structure
from plans.models import Numbering
from projects.models import Indicator, IndicatorTarget, ProjectSheet
from projects.services import ensure_sheets
from tests.factories import make_plan
from tests.governance.test_dashboard import DASHBOARD_MOST

HTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
DASHBOARD = "/dashboard/"
PROJECTS = "/dashboard/projects/"
VOCAB_OF = {"progress": Progress, "implementation_status": ImplementationStatus, "direction": Direction,
            "decision": Decision}


def build(joho, *, code, levels, tree, reports):
    """A plan with `levels` (LevelSpec), the items of `tree` ({title: subtree} at each level,
    projects as a list of names at the last), sheets, and its FY2022 cycle with `reports`
    {project name: (section, state, 実施状況, 進捗度, 方向性, 判断, actual or None)}; every
    project has one indicator (target 100)."""
    plan = structure.create_plan(levels=levels, in_preparation=False, code=code, name=f"計画{code}",
                                 start_year=2021, end_year=2025)

    def grow(parent, subtree):
        for title, below in subtree.items():
            item = structure.add_item(plan, parent=parent, title=title)
            if isinstance(below, dict):
                grow(item, below)
            else:
                for name in below:
                    structure.create_project(item, name=name)

    grow(None, tree)
    ensure_sheets(plan=plan)
    sheets = {s.project.name: s for s in ProjectSheet.objects.filter(project__plan=plan).select_related("project")}
    assert set(sheets) == set(reports)
    sections = {s.code: s for s in Section.objects.all()}
    for name, sheet in sheets.items():
        sheet.section = sections[reports[name][0]]
        sheet.save()
        indicator = Indicator.objects.create(sheet=sheet, position=1, name="件数", unit="件")
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=indicator, fiscal_year=y, value=100) for y in plan.years)
    cycle = open_cycle(user=joho, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2022, deadline=date(2023, 5, 31))
    for name, (_, state, status, progress, direction, decision, actual) in reports.items():
        AnnualReport.objects.filter(cycle=cycle, sheet=sheets[name]).update(
            state=state, implementation_status=status, progress=progress, direction=direction,
            decision=decision, work_done="実施した")
        IndicatorResult.objects.filter(report__cycle=cycle, report__sheet=sheets[name]).update(actual=actual)
    return plan


# ─── A two-level plan: 基本目標 → 施策 ────────────────────────────────────────
#
#   1 行政手続のオンライン化     1-1 電子申請の拡充: P1, P2    1-2 キャッシュレス決済: P3 (+ P5 再掲)
#   2 デジタル人材の育成        2-1 職員研修: P4, P5
# P3 is a draft: 1-2 has nothing reported and is listed with 未報告 1 (#17: every view
# counts 未報告). P5's 再掲 under 1-2 counts nowhere.
TWO_LEVELS = [structure.LevelSpec("基本目標"), structure.LevelSpec("施策")]
TWO_TREE = {
    "行政手続のオンライン化": {"電子申請の拡充": ["P1", "P2"], "キャッシュレス決済": ["P3"]},
    "デジタル人材の育成": {"職員研修": ["P4", "P5"]},
}
TWO_REPORTS = {
    "P1": ("shimin", "submitted", "continuing", "on_plan", "continue", "", 120),
    "P2": ("kazei", "confirmed", "continuing", "behind", "continue", "", 50),
    "P3": ("shimin", "draft", "continuing", "on_plan", "continue", "", 100),
    "P4": ("kankyo", "decided", "not_started", "not_done", "undecided", "expand", 100),
    "P5": ("shimin", "confirmed", "completed", "on_plan", "complete", "", 100),
}
TWO_BY_HAND = {  # 進捗度 ○ △ × -, by hand from TWO_REPORTS
    "基本目標1 行政手続のオンライン化": [1, 1, 0, 0],  # P1 | P2
    "1-1 電子申請の拡充": [1, 1, 0, 0],
    "1-2 キャッシュレス決済": [0, 0, 0, 0],  # P3 未報告
    "基本目標2 デジタル人材の育成": [1, 0, 1, 0],  # P5 | P4
    "2-1 職員研修": [1, 0, 1, 0],
}


# ─── The first plan's shape: 目標 → 基本方針 → 基本施策 → 情報化施策 ───────────────
#
#   Ⅰ 市民サービス
#     Ⅰ-1 窓口      Ⅰ-1-1 申請  Ⅰ-1-1-1 電子申請: A, B    Ⅰ-1-1-2 証明書のコンビニ交付: C
#                   Ⅰ-1-2 相談  Ⅰ-1-2-1 オンライン相談: D
#     Ⅰ-2 情報発信  Ⅰ-2-1 ウェブ  Ⅰ-2-1-1 ホームページ: E
#   Ⅱ 行政運営
#     Ⅱ-1 効率化    Ⅱ-1-1 業務改革  Ⅱ-1-1-1 RPA: F, G (G a draft)
FOUR_LEVELS = [structure.LevelSpec("目標", Numbering.ROMAN), structure.LevelSpec("基本方針"),
               structure.LevelSpec("基本施策"), structure.LevelSpec("情報化施策")]
FOUR_TREE = {
    "市民サービス": {
        "窓口": {"申請": {"電子申請": ["A", "B"], "証明書のコンビニ交付": ["C"]},
                 "相談": {"オンライン相談": ["D"]}},
        "情報発信": {"ウェブ": {"ホームページ": ["E"]}},
    },
    "行政運営": {"効率化": {"業務改革": {"RPA": ["F", "G"]}}},
}
FOUR_REPORTS = {
    "A": ("shimin", "submitted", "continuing", "on_plan", "continue", "", 100),
    "B": ("kazei", "confirmed", "continuing", "behind", "continue", "", 50),
    "C": ("shimin", "confirmed", "completed", "on_plan", "complete", "", 120),
    "D": ("kankyo", "evaluated", "postponed", "not_done", "undecided", "", None),
    "E": ("shimin", "reflected", "discontinued", "not_rated", "discontinue", "suspend", 0),
    "F": ("kikaku-seisaku", "decided", "continuing", "on_plan", "continue", "expand", 100),
    "G": ("kankyo", "draft", "continuing", "on_plan", "continue", "", 100),
}
# Every node in the order of the table, with its 進捗度 ○ △ × -, by hand from FOUR_REPORTS.
FOUR_BY_HAND = [
    ("目標Ⅰ 市民サービス", 1, [2, 1, 1, 1]),  # A C | B | D | E
    ("Ⅰ-1 窓口", 2, [2, 1, 1, 0]),
    ("Ⅰ-1-1 申請", 3, [2, 1, 0, 0]),
    ("Ⅰ-1-1-1 電子申請", 4, [1, 1, 0, 0]),
    ("Ⅰ-1-1-2 証明書のコンビニ交付", 4, [1, 0, 0, 0]),
    ("Ⅰ-1-2 相談", 3, [0, 0, 1, 0]),
    ("Ⅰ-1-2-1 オンライン相談", 4, [0, 0, 1, 0]),
    ("Ⅰ-2 情報発信", 2, [0, 0, 0, 1]),
    ("Ⅰ-2-1 ウェブ", 3, [0, 0, 0, 1]),
    ("Ⅰ-2-1-1 ホームページ", 4, [0, 0, 0, 1]),
    ("目標Ⅱ 行政運営", 1, [1, 0, 0, 0]),  # F (G is a draft)
    ("Ⅱ-1 効率化", 2, [1, 0, 0, 0]),
    ("Ⅱ-1-1 業務改革", 3, [1, 0, 0, 0]),
    ("Ⅱ-1-1-1 RPA", 4, [1, 0, 0, 0]),
]
FOUR_OTHER_VOCABS = {  # the top level in the other vocabularies
    "implementation_status": {"目標Ⅰ 市民サービス": [1, 2, 1, 1, 0], "目標Ⅱ 行政運営": [0, 1, 0, 0, 0]},
    "direction": {"目標Ⅰ 市民サービス": [1, 2, 1, 1], "目標Ⅱ 行政運営": [0, 1, 0, 0]},
    "decision": {"目標Ⅰ 市民サービス": [0, 0, 0, 0, 1, 0], "目標Ⅱ 行政運営": [1, 0, 0, 0, 0, 0]},
}
# Indicators with a result / at or above the target (100): A 100 ✓, B 50, C 120 ✓, D none,
# E 0, F 100 ✓ (G is a draft).
FOUR_ACHIEVEMENT = {
    1: [("目標Ⅰ", 4, 2, Decimal("50.0")), ("目標Ⅱ", 1, 1, Decimal("100.0"))],
    2: [("基本方針Ⅰ-1", 3, 2, Decimal("66.7")), ("基本方針Ⅰ-2", 1, 0, Decimal("0.0")),
        ("基本方針Ⅱ-1", 1, 1, Decimal("100.0"))],
    4: [("情報化施策Ⅰ-1-1-1", 2, 1, Decimal("50.0")), ("情報化施策Ⅰ-1-1-2", 1, 1, Decimal("100.0")),
        ("情報化施策Ⅰ-2-1-1", 1, 0, Decimal("0.0")), ("情報化施策Ⅱ-1-1-1", 1, 1, Decimal("100.0"))],
}


@pytest.fixture
def two(demo_users):
    return build(demo_users["demo-joho"], code="two", levels=TWO_LEVELS, tree=TWO_TREE, reports=TWO_REPORTS)


@pytest.fixture
def four(demo_users):
    return build(demo_users["demo-joho"], code="four", levels=FOUR_LEVELS, tree=FOUR_TREE, reports=FOUR_REPORTS)


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
    for node in tree:
        yield node
        yield from nodes(node.children)


def counts(node, field="progress"):
    return [count for _, count, _, _, _ in node.row(field)]


def listed(client, **params):
    return sorted(r.sheet.project.name for r in get(client, PROJECTS, **params).context["reports"])


def assert_children_add_up(tree):
    """Every node's counts are the sum of its children's, in every vocabulary."""
    for node in nodes(tree):
        if node.children:
            for field in VOCAB_OF:
                assert counts(node, field) == [sum(c) for c in zip(*(counts(ch, field) for ch in node.children))], \
                    (node.label, field)


def chart_bars(response, uid="items"):
    svg = next(s for s in page(response).iter(f"{SVG}svg") if s.get("aria-labelledby") == f"{uid}-title")
    bars = {}
    for rect in svg.iter(f"{SVG}rect"):
        title = rect.find(f"{SVG}title")
        if title is not None:
            label, rest = title.text.rsplit(":", 1)
            category, count = rest.rsplit(" ", 1)
            categories = [*Progress.labels, "未報告"]
            bars.setdefault(label, [0] * 5)[categories.index(category)] = int(count.removesuffix("件"))
    return svg.find(f"{SVG}title").text, bars


# ─── The two-level plan ───────────────────────────────────────────────────

def test_two_level_plan_rolls_up_to_its_top_level_with_its_names(exec_client, two):
    response = get(exec_client, DASHBOARD, plan="two", year=2022)
    figures = response.context["figures"]
    tree = figures["tree"]
    assert [(n.label, n.depth, counts(n)) for n in nodes(tree)] == \
        [(label, 2 if label[0].isdigit() else 1, values) for label, values in TWO_BY_HAND.items()]
    assert_children_add_up(tree)
    assert [n.unreported for n in nodes(tree)] == [1, 0, 1, 0, 0]  # P3
    assert (figures["reported_count"], figures["total_count"]) == (4, 5)
    html = response.content.decode()
    assert "<h2>基本目標ごとの状況</h2>" in html and "進捗度(基本目標 → 施策)" in html
    for word in ("目標ごと", "基本方針", "情報化施策"):
        assert word not in html.replace("基本目標ごと", ""), word
    assert chart_bars(response) == ("基本目標ごとの進捗度", {
        "基本目標1 行政手続のオンライン化": [1, 1, 0, 0, 1], "基本目標2 デジタル人材の育成": [1, 0, 1, 0, 0]})
    # P1 120 ✓, P2 50 | P4 100 ✓, P5 100 ✓ (P3 is a draft)
    assert figures["achievement"] == [("基本目標1", 2, 1, Decimal("50.0")), ("基本目標2", 2, 2, Decimal("100.0"))]


def test_two_level_plan_by_its_second_level(exec_client, two):
    response = get(exec_client, DASHBOARD, plan="two", year=2022, level=2)
    assert chart_bars(response) == ("施策ごとの進捗度", {
        "1-1 電子申請の拡充": [1, 1, 0, 0, 0], "1-2 キャッシュレス決済": [0, 0, 0, 0, 1], "2-1 職員研修": [1, 0, 1, 0, 0]})
    assert response.context["figures"]["achievement"] == \
        [("施策1-1", 2, 1, Decimal("50.0")), ("施策2-1", 2, 2, Decimal("100.0"))]
    assert "<h2>施策ごとの状況</h2>" in response.content.decode()


@pytest.mark.parametrize("params", [{"item": "1"}, {"goal": "1"}], ids=["item", "goal alias"])
def test_two_level_plan_filtered_to_a_top_item(exec_client, two, params):
    figures = get(exec_client, DASHBOARD, plan="two", year=2022, **params).context["figures"]
    assert [(n.label, counts(n)) for n in nodes(figures["tree"])] == \
        [("基本目標1 行政手続のオンライン化", [1, 1, 0, 0]), ("1-1 電子申請の拡充", [1, 1, 0, 0]),
         ("1-2 キャッシュレス決済", [0, 0, 0, 0])]
    assert [n.unreported for n in nodes(figures["tree"])] == [1, 0, 1]  # P3
    assert (figures["reported_count"], figures["total_count"]) == (2, 3)  # P1, P2 | P3
    assert figures["achievement"] == [("基本目標1", 2, 1, Decimal("50.0"))]
    assert {label: counts for label, counts, _ in figures["trend_rows"]}["令和4年度(2022年度)"] == [1, 1, 0, 0, 1]
    assert listed(exec_client, plan="two", year=2022, field="progress", **params) == ["P1", "P2"]
    assert listed(exec_client, plan="two", year=2022, field="state", value="draft", **params) == ["P3"]


def test_two_level_plan_filtered_to_a_leaf(exec_client, two):
    figures = get(exec_client, DASHBOARD, plan="two", year=2022, item="2-1").context["figures"]
    assert [(n.label, counts(n)) for n in nodes(figures["tree"])] == \
        [("基本目標2 デジタル人材の育成", [1, 0, 1, 0]), ("2-1 職員研修", [1, 0, 1, 0])]
    # P5 is also listed (再掲) under 1-2: it counts under its home 2-1 only.
    assert listed(exec_client, plan="two", year=2022, field="progress", item="1-2") == []
    assert listed(exec_client, plan="two", year=2022, field="progress", item="2-1") == ["P4", "P5"]


# ─── The first plan's shape: four levels ──────────────────────────────────

def test_four_level_plan_rolls_up_level_by_level(exec_client, four):
    response = get(exec_client, DASHBOARD, plan="four", year=2022)
    figures = response.context["figures"]
    tree = figures["tree"]
    assert [(n.label, n.depth, counts(n)) for n in nodes(tree)] == FOUR_BY_HAND
    assert_children_add_up(tree)
    for field, expected in FOUR_OTHER_VOCABS.items():
        assert {n.label: counts(n, field) for n in tree} == expected, field
    assert (figures["reported_count"], figures["total_count"]) == (6, 7)
    # The table shows every level, indented by depth, under the plan's level names.
    html = response.content.decode()
    assert "進捗度(目標 → 基本方針 → 基本施策 → 情報化施策)" in html
    table = next(t for t in page(response).iter(f"{HTML}table")
                 if text(t.find(f".//{HTML}th")) == "目標・基本方針・基本施策・情報化施策")
    rows = [(text(th), th.get("class")) for th in table.iter(f"{HTML}th") if th.get("scope") == "row"]
    assert rows == [(label, None if depth == 1 else f"indent-{depth - 1}") for label, depth, _ in FOUR_BY_HAND]


@pytest.mark.parametrize("level", [1, 2, 4])
def test_four_level_plan_achievement_by_any_level(exec_client, four, level):
    figures = get(exec_client, DASHBOARD, plan="four", year=2022, level=level).context["figures"]
    assert figures["achievement"] == FOUR_ACHIEVEMENT[level]


def test_four_level_plan_chart_by_its_third_level(exec_client, four):
    response = get(exec_client, DASHBOARD, plan="four", year=2022, level=3)
    assert chart_bars(response) == ("基本施策ごとの進捗度", {
        "Ⅰ-1-1 申請": [2, 1, 0, 0, 0], "Ⅰ-1-2 相談": [0, 0, 1, 0, 0], "Ⅰ-2-1 ウェブ": [0, 0, 0, 1, 0],
        "Ⅱ-1-1 業務改革": [1, 0, 0, 0, 1]})  # G 未報告
    nav = next(n for n in page(response).iter(f"{HTML}nav") if n.get("aria-label") == "集計する階層")
    links = [(text(a), a.get("aria-current")) for a in nav.iter(f"{HTML}a")]
    assert links == [("目標", None), ("基本方針", None), ("基本施策", "true"), ("情報化施策", None)]


def test_four_level_plan_filtered_to_an_intermediate_item(exec_client, four):
    """基本方針Ⅰ-1: its ancestor 目標Ⅰ is shown with Ⅰ-1's counts only."""
    response = get(exec_client, DASHBOARD, plan="four", year=2022, item="1-1")
    figures = response.context["figures"]
    expected = [(label, values) for label, _, values in FOUR_BY_HAND if label.startswith(("Ⅰ-1", "目標Ⅰ "))]
    expected[0] = ("目標Ⅰ 市民サービス", [2, 1, 1, 0])  # A C | B | D, not E
    assert [(n.label, counts(n)) for n in nodes(figures["tree"])] == expected
    assert_children_add_up(figures["tree"])
    assert (figures["reported_count"], figures["total_count"]) == (4, 4)
    assert figures["achievement"] == [("目標Ⅰ", 3, 2, Decimal("66.7"))]
    # Every count links to as many projects as it shows, through the filter and the row.
    for node in nodes(figures["tree"]):
        for _, count, _, _, url in node.row("progress"):
            query = parse_qs(urlsplit(url).query)
            assert query["item"] == ["1-1"]
            assert query.get("node", [None]) == ([None] if node.depth <= 2 else [node.key[0]]), node.label
            assert len(exec_client.get(url).context["reports"]) == count, (node.label, url)


@pytest.mark.parametrize(("params", "expected"), [
    ({"item": "1-1"}, ["A", "B", "C", "D"]),
    ({"item": "1-1-1", "value": "on_plan"}, ["A", "C"]),
    ({"item": "1-1-1-2"}, ["C"]),
    ({"item": "1", "node": "1-1-2-1"}, ["D"]),
    ({"goal": "1"}, ["A", "B", "C", "D", "E"]),
    ({"goal": "2"}, ["F"]),
    ({"policy": "1-2"}, ["E"]),  # the drill-down's links before plans had levels
    ({"measure": "1-1-1"}, ["A", "B", "C"]),
    ({"item": "2", "node": "1-1"}, []),
], ids=["policy", "measure on plan", "leaf", "item+node", "goal 1", "goal 2", "old policy", "old measure",
        "disjoint"])
def test_four_level_plan_drill_down(exec_client, four, params, expected):
    assert listed(exec_client, plan="four", year=2022, field="progress", **params) == expected


def test_four_level_plan_filter_offers_every_item_by_its_level(exec_client, four):
    response = get(exec_client, DASHBOARD, plan="four", year=2022, item="1-1-2")
    select = next(s for s in page(response).iter(f"{HTML}select") if s.get("name") == "item")
    options = [(o.get("value"), o.text, o.get("selected") is not None) for o in select.iter(f"{HTML}option")]
    assert options[:5] == [
        ("", "すべての項目", False),
        ("1", "目標Ⅰ 市民サービス", False),
        ("1-1", "\u3000基本方針Ⅰ-1 窓口", False),
        ("1-1-1", "\u3000\u3000基本施策Ⅰ-1-1 申請", False),
        ("1-1-1-1", "\u3000\u3000\u3000情報化施策Ⅰ-1-1-1 電子申請", False),
    ]
    assert len(options) == 1 + 14 and [v for v, _, chosen in options if chosen] == ["1-1-2"]


# ─── The second plan itself reads as before ───────────────────────────────

def test_second_plan_labels_are_the_plans_own(exec_client, cycle, shimin_sheets):
    """The seed's two 市民課 reports, under 情報化施策 Ⅰ-2-1 (p.16); the others are drafts."""
    cycle.reports.filter(sheet__in=shimin_sheets).update(
        state=ReportState.SUBMITTED, implementation_status="continuing", progress="on_plan", direction="continue")
    tree = get(exec_client, DASHBOARD, plan="second", year=2016).context["figures"]["tree"]
    # The items of the drafts are listed too, as 未報告 only.
    assert [(n.label, counts(n)) for n in nodes(tree) if n.total] == [
        ("目標Ⅰ 市民ニーズに合った e(いい)行政サービスの提供", [2, 0, 0, 0]),
        ("Ⅰ-2 市民に身近な行政窓口の拡充", [2, 0, 0, 0]),
        ("Ⅰ-2-1 身近な行政窓口の拡充", [2, 0, 0, 0]),
    ]


# ─── Query counts: not with depth, not with size ──────────────────────────

def generated(joho, *, code, projects, fanout):
    plan = make_plan(code=code, projects=projects, fanout=fanout)
    ensure_sheets(plan=plan)
    sections = list(Section.objects.filter(code__in=["shimin", "kazei", "kankyo", "zaisei", "kanri"]))
    sheets = list(ProjectSheet.objects.filter(project__plan=plan).order_by("project__code"))
    for i, sheet in enumerate(sheets):
        sheet.section = sections[i % len(sections)]
    ProjectSheet.objects.bulk_update(sheets, ["section"])
    indicators = Indicator.objects.bulk_create(
        Indicator(sheet=sheet, position=1, name="件数", unit="件") for sheet in sheets)
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(indicator=indicator, fiscal_year=2021, value=100) for indicator in indicators)
    cycle = open_cycle(user=joho, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2021, deadline=date(2022, 5, 31))
    reports = list(cycle.reports.order_by("sheet__project__code"))
    for i, report in enumerate(reports):
        report.state = [ReportState.SUBMITTED, ReportState.CONFIRMED, ReportState.DRAFT][i % 3]
        report.progress = list(Progress)[i % 4]
        report.implementation_status = list(ImplementationStatus)[i % 5]
        report.direction = list(Direction)[i % 4]
    AnnualReport.objects.bulk_update(reports, ["state", "progress", "implementation_status", "direction"])
    IndicatorResult.objects.filter(report__cycle=cycle).update(actual=100)
    return plan


PLANS = {  # two levels and five, small and large
    "two-s": dict(projects=12, fanout=(2, 3)),
    "two-l": dict(projects=150, fanout=(4, 9)),
    "five-s": dict(projects=12, fanout=(2, 2, 1, 1, 2)),
    "five-l": dict(projects=150, fanout=(3, 2, 2, 3, 3)),
}


def test_dashboard_and_drill_down_queries_do_not_grow_with_depth_or_size(
    exec_client, demo_users, django_assert_max_num_queries, django_assert_num_queries
):
    for code, shape in PLANS.items():
        generated(demo_users["demo-joho"], code=code, **shape)
        exec_client.get(f"{PROJECTS}?plan={code}&year=2021")  # warm up (session, the plan's outline)
    for extra in ("", "&item=1", "&item=1-2&level=2", "&goal=2&department=shimin", "&level=2&by=direction"):
        few = None
        for code in PLANS:
            if few is None:
                with django_assert_max_num_queries(DASHBOARD_MOST, info=extra) as queries:
                    response = exec_client.get(f"{DASHBOARD}?plan={code}&year=2021{extra}")
                few = len(queries)
            else:
                with django_assert_num_queries(few, info=f"{code}{extra}"):
                    response = exec_client.get(f"{DASHBOARD}?plan={code}&year=2021{extra}")
            assert response.status_code == 200, (code, extra)
            # The figures were computed (a page with a department may have none to show).
            assert response.context["figures"]["total_count"] > 0 or "department" in extra, (code, extra)
            assert_children_add_up(response.context["figures"]["tree"])
    for extra in ("&field=progress&value=on_plan", "&item=1&node=1-2&field=progress",
                  "&goal=1&field=state&value=draft"):
        few = None
        for code in PLANS:
            url = f"{PROJECTS}?plan={code}&year=2021{extra}"
            if few is None:
                with django_assert_max_num_queries(DASHBOARD_MOST, info=extra) as queries:
                    response = exec_client.get(url)
                few = len(queries)
            else:
                with django_assert_num_queries(few, info=f"{code}{extra}"):
                    response = exec_client.get(url)
            assert len(response.context["reports"]) > 0, (code, extra)

"""Summary tables (表4-2〜4-4) of plans of other shapes, against counts made by hand:
a two-level plan (基本目標 → 施策) and the first plan's four levels (目標 → 基本方針 →
基本施策 → 情報化施策). A report counts once, under its project's home item and that
item's ancestors, never under a 再掲; every table adds up to 100.0%; the query count
does not grow with the plan's depth or size."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Section
from governance.cycles.services import open_cycle
from governance.cycles.tables import grouped_depths, summary_tables
from governance.models import AnnualReport, CycleKind, ReportState
from plans import structure
from plans.models import Numbering
from projects.services import ensure_sheets
from tests.governance.conftest import generated_cycle

ON, BEHIND, NOT_DONE, NOT_RATED = "on_plan", "behind", "not_done", "not_rated"
LEFT_OUT = {"draft": ReportState.DRAFT, "returned": ReportState.RETURNED}

# A project is (name, progress, section code, extra) where the progress "draft" or
# "returned" leaves its report out; extra may say "repost:<leaf title>" to list the
# project again under another item. An item is (title, children); the last level's
# children are projects.
TWO_LEVELS = [
    structure.LevelSpec("基本目標", Numbering.ROMAN, has_text=True),
    structure.LevelSpec("施策", has_text=True),
]
TWO_TREE = [
    ("市民サービスの向上", [
        ("窓口の拡充", [("A", ON, "shimin", "repost:電子申請の拡充"), ("B", ON, "shimin", ""),
                      ("C", BEHIND, "kankyo", "")]),
        ("電子申請の拡充", [("D", NOT_RATED, "kankyo", "")]),
    ]),
    ("行政運営の効率化", [
        ("業務改革", [("E", ON, "zaisei", ""), ("F", "draft", "joho-suishin", ""),
                    ("G", BEHIND, "zaisei", "")]),
    ]),
]

FOUR_LEVELS = [
    structure.LevelSpec("目標", Numbering.ROMAN, has_text=True),
    structure.LevelSpec("基本方針"),
    structure.LevelSpec("基本施策"),
    structure.LevelSpec("情報化施策", has_text=True),
]
FOUR_TREE = [
    ("市民ニーズに合ったサービス", [
        ("情報提供", [
            ("情報発信の拡充", [
                ("ホームページ", [("A", ON, "shimin", ""), ("B", BEHIND, "shimin", "repost:電子窓口")]),
                ("広報", [("C", ON, "kazei", "")]),
            ]),
            ("情報格差の是正", [
                ("講座", [("D", NOT_DONE, "kankyo", "")]),
            ]),
        ]),
        ("身近な窓口", [
            ("窓口の電子化", [
                ("電子窓口", [("E", ON, "zaisei", "")]),
            ]),
        ]),
    ]),
    ("信頼される行政運営", [
        ("業務の最適化", [
            ("システムの最適化", [
                ("基幹系", [("F", NOT_RATED, "joho-suishin", ""), ("G", "returned", "shimin", ""),
                          ("H", ON, "kankyo", "")]),
            ]),
        ]),
    ]),
]


def build_plan(*, code, levels, tree):
    """A plan of `levels` holding `tree`, through plans.structure; its projects by name,
    each with the progress and section its report will have."""
    plan = structure.create_plan(levels=levels, in_preparation=False, code=code, name=f"{code}計画",
                                 start_year=2021, end_year=2025)
    projects, reposts, leaves = {}, [], {}

    def grow(parent, nodes):
        for title, children in nodes:
            item = structure.add_item(plan, parent=parent, title=title, text=f"{title}の説明")
            if children and isinstance(children[0][1], list):
                grow(item, children)
                continue
            leaves[title] = item
            for name, progress, section, extra in children:
                projects[name] = (structure.create_project(item, name=f"事業{name}"), progress, section)
                if extra.startswith("repost:"):
                    reposts.append((name, extra.removeprefix("repost:")))

    grow(None, tree)
    for name, leaf in reposts:
        structure.place_project(projects[name][0], leaves[leaf])
    return plan, projects


def build_cycle(user, *, code, levels, tree):
    """build_plan, its sheets given to the named sections, its FY2021 cycle opened and
    every report set to its state and progress."""
    plan, projects = build_plan(code=code, levels=levels, tree=tree)
    ensure_sheets(plan=plan)
    cycle = open_cycle(user=user, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2021, deadline=date(2022, 5, 31))
    by_project = {report.sheet.project_id: report for report in cycle.reports.select_related("sheet")}
    reports = []
    for project, progress, section in projects.values():
        report = by_project[project.pk]
        report.section = Section.objects.get(code=section)
        report.state = LEFT_OUT.get(progress, ReportState.SUBMITTED)
        report.progress = "" if progress in LEFT_OUT else progress
        report.implementation_status = "continuing"
        report.direction = "continue"
        reports.append(report)
    AnnualReport.objects.bulk_update(reports, ["section", "state", "progress", "implementation_status", "direction"])
    return cycle


def progress_of(cycle, **kwargs):
    """{label: (counts, shares)} of the 進捗度 tables, in their order."""
    summary = next(t for t in summary_tables(cycle, **kwargs) if t.field == "progress")
    return {label: ([row.count for row in rows], [str(row.share) for row in rows]) for label, rows in summary.groups}


def assert_every_table_adds_up(cycle, **kwargs):
    for summary in summary_tables(cycle, **kwargs):
        for label, rows in summary.groups:
            assert sum(row.share for row in rows) == Decimal("100.0"), (summary.title, label)


@pytest.fixture
def two_level_cycle(demo_users):
    return build_cycle(demo_users["demo-joho"], code="two", levels=TWO_LEVELS, tree=TWO_TREE)


@pytest.fixture
def four_level_cycle(demo_users):
    return build_cycle(demo_users["demo-joho"], code="four", levels=FOUR_LEVELS, tree=FOUR_TREE)


# ─── Two levels: 基本目標 → 施策 ─────────────────────────────────────────────

def test_two_level_plan_is_grouped_by_its_first_level_then_by_department(two_level_cycle):
    # 計画全体: A, B, E ○; C, G △; D -; F is a draft. A's 再掲 under Ⅰ-2 does not count there.
    got = progress_of(two_level_cycle)
    assert list(got)[:3] == ["計画全体", "基本目標Ⅰ 市民サービスの向上", "基本目標Ⅱ 行政運営の効率化"]
    assert got["計画全体"] == ([3, 2, 0, 1], ["50.0", "33.3", "0.0", "16.7"])
    assert got["基本目標Ⅰ 市民サービスの向上"] == ([2, 1, 0, 1], ["50.0", "25.0", "0.0", "25.0"])
    assert got["基本目標Ⅱ 行政運営の効率化"] == ([1, 1, 0, 0], ["50.0", "50.0", "0.0", "0.0"])
    assert got["市民部"] == ([2, 0, 0, 0], ["100.0", "0.0", "0.0", "0.0"])
    assert got["環境部"] == ([0, 1, 0, 1], ["0.0", "50.0", "0.0", "50.0"])
    assert got["企画部"] == ([1, 1, 0, 0], ["50.0", "50.0", "0.0", "0.0"])
    assert len(got) == 6  # the draft's 総務部 has nothing reported
    assert_every_table_adds_up(two_level_cycle)


def test_two_level_plan_counts_its_last_level_when_asked(two_level_cycle):
    got = progress_of(two_level_cycle, depths=[1, 2])
    assert list(got)[1:6] == ["基本目標Ⅰ 市民サービスの向上", "基本目標Ⅱ 行政運営の効率化",
                              "Ⅰ-1 窓口の拡充", "Ⅰ-2 電子申請の拡充", "Ⅱ-1 業務改革"]
    assert got["Ⅰ-1 窓口の拡充"] == ([2, 1, 0, 0], ["66.7", "33.3", "0.0", "0.0"])
    assert got["Ⅰ-2 電子申請の拡充"] == ([0, 0, 0, 1], ["0.0", "0.0", "0.0", "100.0"])  # not A's 再掲
    assert got["Ⅱ-1 業務改革"] == ([1, 1, 0, 0], ["50.0", "50.0", "0.0", "0.0"])
    assert_every_table_adds_up(two_level_cycle, depths=[1, 2])


# ─── Four levels: 目標 → 基本方針 → 基本施策 → 情報化施策 ─────────────────────────

FOUR_EXPECTED = {
    # A, C, E, H ○; B △; D ×; F -; G was returned. B's 再掲 under Ⅰ-2-1-1 does not count there.
    "計画全体": ([4, 1, 1, 1], ["57.1", "14.3", "14.3", "14.3"]),
    "目標Ⅰ 市民ニーズに合ったサービス": ([3, 1, 1, 0], ["60.0", "20.0", "20.0", "0.0"]),
    "目標Ⅱ 信頼される行政運営": ([1, 0, 0, 1], ["50.0", "0.0", "0.0", "50.0"]),
    "Ⅰ-1 情報提供": ([2, 1, 1, 0], ["50.0", "25.0", "25.0", "0.0"]),
    "Ⅰ-2 身近な窓口": ([1, 0, 0, 0], ["100.0", "0.0", "0.0", "0.0"]),
    "Ⅱ-1 業務の最適化": ([1, 0, 0, 1], ["50.0", "0.0", "0.0", "50.0"]),
    "Ⅰ-1-1 情報発信の拡充": ([2, 1, 0, 0], ["66.7", "33.3", "0.0", "0.0"]),
    "Ⅰ-1-2 情報格差の是正": ([0, 0, 1, 0], ["0.0", "0.0", "100.0", "0.0"]),
    "Ⅰ-2-1 窓口の電子化": ([1, 0, 0, 0], ["100.0", "0.0", "0.0", "0.0"]),
    "Ⅱ-1-1 システムの最適化": ([1, 0, 0, 1], ["50.0", "0.0", "0.0", "50.0"]),
}
FOUR_LEAVES = {
    "Ⅰ-1-1-1 ホームページ": ([1, 1, 0, 0], ["50.0", "50.0", "0.0", "0.0"]),
    "Ⅰ-1-1-2 広報": ([1, 0, 0, 0], ["100.0", "0.0", "0.0", "0.0"]),
    "Ⅰ-1-2-1 講座": ([0, 0, 1, 0], ["0.0", "0.0", "100.0", "0.0"]),
    "Ⅰ-2-1-1 電子窓口": ([1, 0, 0, 0], ["100.0", "0.0", "0.0", "0.0"]),
    "Ⅱ-1-1-1 基幹系": ([1, 0, 0, 1], ["50.0", "0.0", "0.0", "50.0"]),
}


def test_four_level_plan_is_grouped_by_every_level_above_the_last(four_level_cycle):
    got = progress_of(four_level_cycle)
    assert list(got)[:len(FOUR_EXPECTED)] == list(FOUR_EXPECTED)  # the plan's order, level by level
    assert {label: got[label] for label in FOUR_EXPECTED} == FOUR_EXPECTED
    assert not set(got) & set(FOUR_LEAVES)
    # Each level covers every reported project exactly once.
    for depth in (1, 2, 3):
        labels = [label for label in FOUR_EXPECTED if label != "計画全体" and label.count("-") == depth - 1]
        assert sum(sum(got[label][0]) for label in labels) == 7, depth
    assert_every_table_adds_up(four_level_cycle)


def test_four_level_plan_counts_its_last_level_when_asked(four_level_cycle):
    got = progress_of(four_level_cycle, depths=[1, 2, 3, 4])
    assert {label: got[label] for label in FOUR_LEAVES} == FOUR_LEAVES
    assert list(got)[len(FOUR_EXPECTED):len(FOUR_EXPECTED) + len(FOUR_LEAVES)] == list(FOUR_LEAVES)
    assert_every_table_adds_up(four_level_cycle, depths=[1, 2, 3, 4])


def test_four_level_summary_page_prints_every_level(client, demo_users, four_level_cycle):
    client.force_login(demo_users["demo-advisor"])
    html = client.get(reverse("governance:cycle_summary", kwargs={"pk": four_level_cycle.pk})).text
    for label in FOUR_EXPECTED:
        assert f"<caption>{label}</caption>" in html
    assert '<th scope="row">○ 計画どおり</th><td class="num">4</td><td class="num">57.1%</td>' in html


def test_the_levels_grouped_are_those_above_the_last_or_the_only_one():
    assert grouped_depths([1, 2, 3]) == [1, 2]
    assert grouped_depths({4, 1, 3, 2}) == [1, 2, 3]
    assert grouped_depths([1]) == [1]
    assert grouped_depths([]) == []


# ─── Queries ─────────────────────────────────────────────────────────────────

def queries_of(cycle, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        summary_tables(cycle, **kwargs)
    return len(captured.captured_queries)


def test_summary_tables_take_as_many_queries_for_any_depth_or_size(demo_users, two_level_cycle, four_level_cycle):
    joho = demo_users["demo-joho"]
    deep = generated_cycle(joho, code="deep", projects=200, goals=2, policies=2, measures=2)
    counts = {
        "two levels, 6 reports": queries_of(two_level_cycle),
        "four levels, 8 reports": queries_of(four_level_cycle),
        "four levels, every level": queries_of(four_level_cycle, depths=[1, 2, 3, 4]),
        "three levels, 200 reports": queries_of(deep),
    }
    assert set(counts.values()) == {10}, counts


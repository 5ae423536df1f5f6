"""A plan of another shape, end to end: a six-level plan (基本理念 → 目標 → 基本方針 →
基本施策 → 情報化施策 → 事業, the first plan's shape, p.11) and a three-level one
(基本理念 → 基本目標 → 施策 → 事業) typed as a plan file, imported, adopted, given a
cycle, and then read on every page that shows a plan: the tree, an item, a project,
the dashboard, the summary tables and the plan book. Expected codes are worked out by
hand from the rule (level numbering, hyphen-joined; 事業コード = home numbers + serial)."""

from datetime import date

import pytest

from accounts.models import Section
from exchange.plan_files import run_plan_import
from governance.books import render as books
from governance.cycles.services import open_cycle
from governance.models import AnnualReport, CycleKind, ReportState
from plans.models import Plan, Project
from tests.exchange.test_plan_files import book, fields, item, project
from tests.governance.test_books import pdf_text, squash

SIX = {
    "levels": [[1, "目標", "ローマ数字", "あり", None], [2, "基本方針", "算用数字", "なし", None],
               [3, "基本施策", "算用数字", "なし", None], [4, "情報化施策", "算用数字", "あり", None]],
    "tree": [
        item("目標", "Ⅰ", None, "便利な市役所"),
        item("基本方針", "Ⅰ-1", "Ⅰ", "窓口の改善"),
        item("基本施策", "Ⅰ-1-1", "Ⅰ-1", "手続のオンライン化"),
        item("情報化施策", "Ⅰ-1-1-1", "Ⅰ-1-1", "電子申請の拡充", 説明="電子申請で出せる手続を増やす。"),
        project("Ⅰ-1-1-1", "電子申請システムの更新"),
        project("Ⅰ-1-1-1", "施設予約のオンライン化"),
        item("情報化施策", "Ⅰ-1-1-2", "Ⅰ-1-1", "窓口の連携"),
        project("Ⅰ-1-1-2", "窓口キャッシュレス決済", 予定事業="はい"),
        project("Ⅰ-1-1-2", "施設予約のオンライン化", 再掲="はい"),
        item("目標", "Ⅱ", None, "安全な情報基盤"),
        item("基本方針", "Ⅱ-1", "Ⅱ", "セキュリティ"),
        item("基本施策", "Ⅱ-1-1", "Ⅱ-1", "対策の強化"),
        item("情報化施策", "Ⅱ-1-1-1", "Ⅱ-1-1", "研修"),
        project("Ⅱ-1-1-1", "職員研修"),
    ],
    # Home item numbers and serials: (1-1-1-1) 01, 02; (1-1-1-2) 01; (2-1-1-1) 01.
    "codes": {"電子申請システムの更新": "1-1-1-1-01", "施設予約のオンライン化": "1-1-1-1-02",
              "窓口キャッシュレス決済": "1-1-1-2-01", "職員研修": "2-1-1-1-01"},
}
THREE = {
    "levels": [[1, "基本目標", "算用数字", "あり", None], [2, "施策", "算用数字", "あり", None]],
    "tree": [
        item("基本目標", "1", None, "くらし"),
        item("施策", "1-1", "1", "行政手続のデジタル化"),
        project("1-1", "電子申請システムの更新"),
        project("1-1", "施設予約のオンライン化"),
        item("施策", "1-2", "1", "窓口の連携"),
        project("1-2", "窓口キャッシュレス決済"),
        project("1-2", "施設予約のオンライン化", 再掲="はい"),
        item("基本目標", "2", None, "しごと"),
        item("施策", "2-1", "2", "職員の力"),
        project("2-1", "職員研修"),
    ],
    "codes": {"電子申請システムの更新": "1-1-01", "施設予約のオンライン化": "1-1-02",
              "窓口キャッシュレス決済": "1-2-01", "職員研修": "2-1-01"},
}
PROGRESS = {"電子申請システムの更新": "on_plan", "施設予約のオンライン化": "behind",
            "窓口キャッシュレス決済": "on_plan", "職員研修": "ahead"}


@pytest.fixture(params=["six", "three"])
def shape(request, demo_users):
    """The plan imported from its file, adopted, with a FY2024 cycle whose four reports are in."""
    data = {"six": SIX, "three": THREE}[request.param]
    joho = demo_users["demo-joho"]
    code = f"shape-{request.param}"
    outcome = run_plan_import(book(fields(code), data["levels"], data["tree"]), user=joho, code=code, commit=True)
    assert outcome.ok, outcome.errors
    plan = Plan.objects.get(code=code)
    assert plan.in_preparation  # an imported plan is a draft until adopted
    Plan.objects.filter(pk=plan.pk).update(in_preparation=False)
    plan.refresh_from_db()
    cycle = open_cycle(user=joho, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2024, deadline=date(2025, 5, 31))
    shimin = Section.objects.get(code="shimin")
    for report in cycle.reports.select_related("sheet__project"):
        AnnualReport.objects.filter(pk=report.pk).update(
            section=shimin, state=ReportState.SUBMITTED, progress=PROGRESS[report.sheet.project.name],
            implementation_status="continuing", direction="continue")
    return request.param, data, plan, cycle


def test_every_project_has_its_code_and_its_sheet(shape):
    _, data, plan, cycle = shape
    assert dict(Project.objects.filter(plan=plan).values_list("name", "code")) == data["codes"]
    assert cycle.reports.count() == 4  # every project has a sheet, so every one a report


def test_the_tree_item_and_project_pages_name_the_plans_levels_and_reposts(client, demo_users, shape):
    name, data, plan, _ = shape
    client.force_login(demo_users["demo-staff-a"])
    tree = client.get(plan.get_absolute_url()).text
    chain = "目標 → 基本方針 → 基本施策 → 情報化施策" if name == "six" else "基本目標 → 施策"
    assert f"基本理念 → {chain} → 事業" in tree
    leaf = "Ⅰ-1-1-2" if name == "six" else "1-2"
    assert f'<span class="code-label">{leaf}</span>' in tree
    assert tree.count("施設予約のオンライン化") == 2 and "(再掲)" in tree
    top = client.get(f"/plans/{plan.code}/items/1/").text
    assert ("目標Ⅰ 便利な市役所" if name == "six" else "基本目標1 くらし") in top
    reposted = Project.objects.get(plan=plan, name="施設予約のオンライン化")
    page = client.get(reposted.get_absolute_url()).text
    assert "主たる掲載" in page and "(再掲)" in page
    assert client.get(f"/sheets/{plan.code}/{reposted.code}/").status_code == 200


def test_the_dashboard_rolls_up_each_level_exactly(client, demo_users, shape):
    name, _, plan, _ = shape
    client.force_login(demo_users["demo-exec"])
    for depth in range(1, len(plan.level_list) + 1):
        assert client.get("/dashboard/", {"plan": plan.code, "year": 2024, "level": depth}).status_code == 200
    response = client.get("/dashboard/", {"plan": plan.code, "year": 2024})
    assert "4 事業が報告済み" in response.text
    tree = response.context["figures"]["tree"]

    def progress(node):
        return dict(node.counts["progress"])

    def walk(nodes):
        for node in nodes:
            yield node
            yield from walk(node.children)

    by_label = {node.label: node for node in walk(tree)}
    # By hand: Ⅰ holds 電子申請 (on_plan), 施設予約 (behind; its 再掲 is not counted
    # again) and キャッシュレス (on_plan); Ⅱ holds 職員研修 (ahead).
    first, second = ("目標Ⅰ 便利な市役所", "目標Ⅱ 安全な情報基盤") if name == "six" else (
        "基本目標1 くらし", "基本目標2 しごと")
    assert progress(by_label[first]) == {"on_plan": 2, "behind": 1}
    assert progress(by_label[second]) == {"ahead": 1}
    leaves = ("Ⅰ-1-1-1 電子申請の拡充", "Ⅰ-1-1-2 窓口の連携") if name == "six" else (
        "1-1 行政手続のデジタル化", "1-2 窓口の連携")
    assert progress(by_label[leaves[0]]) == {"on_plan": 1, "behind": 1}
    assert progress(by_label[leaves[1]]) == {"on_plan": 1}
    # Every node's counts are the sum of its children's, at every level.
    for node in walk(tree):
        if node.children:
            total = sum((node_counts for node_counts in (child.counts["progress"] for child in node.children)),
                        start=type(node.counts["progress"])())
            assert node.counts["progress"] == total, node.label


def test_the_summary_tables_group_by_the_plans_levels(client, demo_users, shape):
    name, _, plan, cycle = shape
    client.force_login(demo_users["demo-joho"])
    text = client.get(f"/cycles/{cycle.pk}/summary/").text
    if name == "six":
        for label in ("目標Ⅰ 便利な市役所", "Ⅰ-1 窓口の改善", "Ⅰ-1-1 手続のオンライン化"):
            assert label in text
    else:
        assert "基本目標1 くらし" in text


def test_the_plan_book_prints_levels_codes_and_reposts(shape):
    name, _, plan, _ = shape
    text = squash(pdf_text(books.plan_book(plan)))
    if name == "six":
        for printed in ("目標Ⅰ", "Ⅰ-1-1-1", "電子申請の拡充", "電子申請で出せる手続を増やす。", "基本施策"):
            assert squash(printed) in text
    else:
        for printed in ("基本目標1", "1-2", "窓口の連携"):
            assert squash(printed) in text
    assert squash("施設予約のオンライン化(再掲)") in text

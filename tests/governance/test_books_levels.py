"""Books of plans of other shapes: the plan book prints a two-level and a four-level
plan with their own level names, codes, texts and marks (〔予定事業〕, start years,
(再掲), security groups); the first plan, which has levels but no items, prints its
levels and the counts its successor states. The yearly report groups by the plan's
levels. The sheet names the master-plan code as the plan does, and the city's name
comes from settings."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.books import render as books
from plans import structure
from plans.models import Numbering, Plan, SecurityMeasureKind
from projects.forms import SheetForm
from projects.models import ProjectSheet
from projects.services import ensure_sheets
from tests.governance.test_books import assert_in_order, book_entries, pdf_text, squash
from tests.governance.test_tables_levels import FOUR_LEVELS, FOUR_TREE, build_cycle, build_plan


@pytest.fixture
def two_level_plan(seed):
    """基本目標 → 施策, with texts, a start year, a 〔予定事業〕, a project listed twice,
    an item that is a 再掲 of another, and security measures grouped by kind."""
    plan = structure.create_plan(
        levels=[structure.LevelSpec("基本目標", Numbering.ROMAN, has_text=True), structure.LevelSpec("施策", has_text=True)],
        in_preparation=False, code="two", name="二階層の計画", start_year=2021, end_year=2025,
        philosophy="ICTでつなぐまち")
    service = structure.add_item(plan, parent=None, title="便利な行政サービス", subtitle="顧客としての市民",
                                 text="行政サービスの説明文。")
    online = structure.add_item(plan, parent=service, title="電子申請の拡充", text="電子申請の説明文。")
    applying = structure.create_project(online, name="電子申請システムの利用促進", since_year=2014)
    structure.create_project(online, name="施設予約システムの導入", is_planned=True)
    again = structure.add_item(plan, parent=service, title="電子申請の拡充", text="電子申請の説明文。",
                               reposted_from=online)
    structure.place_project(applying, again)
    operation = structure.add_item(plan, parent=None, title="安全な行政運営")
    security = structure.add_item(plan, parent=operation, title="情報セキュリティの強化")
    for name, kind in (("研修の継続", SecurityMeasureKind.ORGANISATIONAL), ("認証の強化", SecurityMeasureKind.TECHNICAL),
                       ("入退室管理", SecurityMeasureKind.PHYSICAL)):
        structure.create_project(security, name=name, security_kind=kind)
    return Plan.objects.get(pk=plan.pk)


def book_text(plan):
    return pdf_text(books.plan_book(Plan.objects.get(pk=plan.pk)))


def test_two_level_plan_book_prints_its_levels_codes_texts_and_marks(two_level_plan):
    text = book_text(two_level_plan)
    assert "【階層】基本理念→基本目標→施策→事業" in text
    assert "情報化の基本理念及び基本目標" in text and "【情報化の基本目標】" in text
    assert "基本目標Ⅰ:便利な行政サービス(顧客としての市民)" in text
    # The tree of chapter 2: the first level by its name and code, the items below by code.
    assert_in_order(text, ["基本目標Ⅰ便利な行政サービス", "Ⅰ-1電子申請の拡充", "Ⅰ-2電子申請の拡充(再掲)",
                           "基本目標Ⅱ安全な行政運営", "Ⅱ-1情報セキュリティの強化"])
    body = text[text.index("Ⅰ.便利な行政サービス(顧客としての市民)"):]
    assert_in_order(body, book_entries(two_level_plan))
    assert_in_order(body, [
        "行政サービスの説明文。", "【施策】Ⅰ-1電子申請の拡充", "電子申請の説明文。", "【主な事業や取り組み】",
        "電子申請システムの利用促進(平成26年度〜)", "施設予約システムの導入〔予定事業〕",
        "【施策】Ⅰ-2電子申請の拡充(再掲)", "電子申請システムの利用促進(平成26年度〜)(再掲)",
        "Ⅱ.安全な行政運営", "【施策】Ⅱ-1情報セキュリティの強化",
        "〔組織的・人的対策〕研修の継続", "〔技術的対策〕認証の強化", "〔物理的対策〕入退室管理",
    ])
    assert "【基本方針】" not in text and "【情報化施策】" not in text


def test_four_level_plan_book_prints_every_level_with_its_name(seed):
    plan, _ = build_plan(code="four", levels=FOUR_LEVELS, tree=FOUR_TREE)
    text = book_text(plan)
    assert "【階層】基本理念→目標→基本方針→基本施策→情報化施策→事業" in text
    assert_in_order(text, ["目標Ⅰ市民ニーズに合ったサービス", "Ⅰ-1情報提供", "Ⅰ-1-1情報発信の拡充", "Ⅰ-1-1-1ホームページ"])
    body = text[text.index("Ⅰ.市民ニーズに合ったサービス"):]
    assert_in_order(body, book_entries(plan))
    assert_in_order(body, ["【基本方針】Ⅰ-1情報提供", "【基本施策】Ⅰ-1-1情報発信の拡充",
                           "【情報化施策】Ⅰ-1-1-1ホームページ", "ホームページの説明", "事業A", "事業B",
                           "【情報化施策】Ⅰ-2-1-1電子窓口", "事業E", "事業B(再掲)", "Ⅱ.信頼される行政運営"])


def test_first_plan_book_prints_its_levels_and_the_stated_counts(seed):
    text = book_text(seed["first"])
    assert "【階層】基本理念→目標→基本方針→基本施策→情報化施策→事業" in text
    assert "計画書に記載された施策体系の規模" in text
    assert_in_order(text, ["目標3", "基本方針9", "基本施策16", "情報化施策27", "事業55"])
    assert "この計画には施策体系の項目が登録されていません。" in text


def test_plan_book_takes_as_many_queries_for_any_depth_or_size(seed, two_level_plan):
    four, _ = build_plan(code="four", levels=FOUR_LEVELS, tree=FOUR_TREE)
    seed["second"].chapters.all().delete()  # its book as chapter 2 alone (chapters: test_plan_book_chapters)
    counts = {}
    for plan in (two_level_plan, four, seed["second"], seed["first"]):
        plan = Plan.objects.get(pk=plan.pk)
        with CaptureQueriesContext(connection) as captured:
            books.plan_book(plan)
        counts[plan.code] = len(captured.captured_queries)
    # The chapters (none here: chapter 2 from the hierarchy), the levels, the items and their
    # placements; a plan without items has no placements to read.
    assert counts == {"two": 4, "four": 4, "second": 4, "first": 3}


def test_yearly_report_groups_by_the_plans_levels(demo_users):
    cycle = build_cycle(demo_users["demo-joho"], code="four", levels=FOUR_LEVELS, tree=FOUR_TREE)
    text = pdf_text(books.cycle_report(cycle))
    # The dashboard's charts by the first level and by department, each with its data table.
    assert "目標ごとの進捗度(グラフの数値)" in text and "部ごとの進捗度(グラフの数値)" in text
    for label in ("目標Ⅰ市民ニーズに合ったサービス", "Ⅰ-1情報提供", "Ⅰ-1-1情報発信の拡充", "Ⅱ-1-1システムの最適化"):
        assert f"進捗度({label})" in text, label
    assert "Ⅰ-1-1-1ホームページ)" not in text  # the last level is not grouped


# ─── The sheet's master-plan code and the city's name ───────────────────────

def test_the_sheet_names_the_master_plan_code_as_the_plan_does(client, demo_users):
    plan, projects = build_plan(code="four", levels=FOUR_LEVELS, tree=FOUR_TREE)
    ensure_sheets(plan=plan)
    client.force_login(demo_users["demo-joho"])
    second = ProjectSheet.objects.select_related("project__plan").get(project__plan__code="second",
                                                                      project__code="1-2-1-02")
    other = ProjectSheet.objects.select_related("project__plan").get(project=projects["A"][0])
    for sheet, label in ((second, "第五次総合基本計画コード"), (other, "総合基本計画コード")):
        kwargs = {"plan": sheet.project.plan.code, "code": sheet.project.code}
        page = client.get(reverse("projects:sheet_detail", kwargs=kwargs)).text
        assert f'<th scope="row" class="label">{label}</th>' in page
        assert SheetForm(instance=sheet).fields["master_plan_code"].label == label
        response = client.get(reverse("projects:sheet_pdf", kwargs=kwargs))
        assert squash(label) in pdf_text(b"".join(response.streaming_content) if response.streaming
                                         else response.content)
    assert '<th scope="row" class="label">第五次総合基本計画コード</th>' not in page


def test_the_city_name_comes_from_settings(client, demo_users, seed, settings):
    settings.CITY_NAME = "架空市"
    assert "架空市 情報化推進計画" in client.get(reverse("login")).text
    client.force_login(demo_users["demo-exec"])
    page = client.get(reverse("governance:book_list")).text
    assert "<title>" in page and "| 架空市 情報化推進計画</title>" in page
    assert "<p>架空市 総務部 情報推進課</p>" in page and "昭島市 情報化推進計画" not in page
    text = book_text(seed["second"])
    # The plan keeps its own name (data); the cover names the city of the settings.
    assert text.startswith(squash("第二期昭島市情報化推進計画")) and "架空市" in text[:80]

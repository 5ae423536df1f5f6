"""The whole plan book: the chapters in order, each from a new page, a 目次 with
the pages they start on, bookmarks for chapters and sections, and the parts the
data draws where the chapters place them. Expected texts are the plan's own
(pp.6-7 表1-1, p.52 別表, p.28 図3-3)."""

import re
import subprocess

import pikepdf
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from governance.books import plan_book as parts
from governance.books import render as books
from plans import chapters
from plans.models import Plan
from tests.factories import make_plan

# Ordered with the other database tests: the module's book is made from the seeded
# database, which the transactional tests (run last) empty.
pytestmark = pytest.mark.django_db

SAMPLE = """=== | 第二期昭島市情報化推進計画を策定するにあたり
# 第一期計画策定の背景と現状
本市は、「住民サービス向上」や「地域の活性化」、「効率的な情報システムの再構築」
等を視野に入れた「昭島市情報化推進計画」を策定しました。

=== 第1章 | 第二期昭島市情報化推進計画の総論
# 1. 計画策定における基本的な考え方
!図 1-1 本計画策定における基本的な考え方 | 第一の柱(組織体制の整備と情報セキュリティ対策の強化)と第二の柱(第一期計画の継続性の確保)

# 4. 情報化推進に向けた重点的な取り組み
## 4.1 ICT ガバナンスの強化
: 表 1-1 本市における情報化の推進体制一覧
{{推進体制}}
## 4.2 情報セキュリティの強化
### (1)組織的・人的対策
- ① 評価
- ② 実行性

=== 第2章 | 情報化の施策体系及び事業
# 1. 情報化施策体系
{{施策体系図}}
: 図 2-3 情報化施策体系(全体像)
# 2. 事業及び取り組み
{{施策体系}}

=== 第3章 | 第二期昭島市情報化推進計画の推進
# 3. 情報化推進スケジュール
: 図 3-3 情報化推進スケジュール(案)
{{スケジュール}}

=== 第4章 | 資料編
# 3. 関連要綱
別表(第3条関係)
{{別表}}

=== | 用語解説集
| 用語 | 説明 |
|---|---|
| インシデント | 出来事、事件、事故などの意味を持つ英単語。 |
"""

CHAPTERS = ["第二期昭島市情報化推進計画を策定するにあたり", "第1章 第二期昭島市情報化推進計画の総論",
            "第2章 情報化の施策体系及び事業", "第3章 第二期昭島市情報化推進計画の推進", "第4章 資料編", "用語解説集"]

# 別表(第3条関係), p.52.
MEMBERS = ["企画部企画政策課長", "企画部財政課長", "総務部契約管財課長", "市民部市民課長", "市民部課税課長", "市民部納税課長",
           "市民部生活コミュニティ課長", "保健福祉部生活福祉課長", "保健福祉部介護福祉課長", "保健福祉部保険年金課長",
           "子ども家庭部子ども子育て推進課長", "環境部環境課長", "都市整備部管理課長", "都市計画部都市計画課長",
           "水道部業務課長", "学校教育部庶務課長", "学校教育部指導課長", "生涯学習部社会教育課長"]


def pages_text(data: bytes, *, lines=False) -> list:
    """Each page's text, whitespace removed (or each page's lines so)."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                         check=True).stdout.decode()
    if lines:
        return [[re.sub(r"\s+", "", line) for line in page.splitlines() if line.strip()] for page in out.split("\f")]
    return [re.sub(r"\s+", "", page) for page in out.split("\f")]


def contents_entries(data: bytes) -> dict[str, int]:
    """The 目次's entries: {heading: page}."""
    found = {}
    for line in pages_text(data, lines=True)[1]:
        entry = re.fullmatch(r"(.+?)[.]+(\d+)", line)
        if entry:
            found[entry.group(1)] = int(entry.group(2))
    return found


def load_sample(plan, tmp_dir):
    plan.chapters.all().delete()
    path = tmp_dir / "book.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    assert chapters.load_book(plan, path) == len(CHAPTERS)


@pytest.fixture(scope="module")
def book(django_db_blocker, django_db_setup, tmp_path_factory):
    """The second plan's book with the sample chapters (rolled back afterwards)."""
    with django_db_blocker.unblock(), transaction.atomic():
        plan = Plan.objects.get(code="second")
        load_sample(plan, tmp_path_factory.mktemp("book"))
        data = books.plan_book(plan)
        transaction.set_rollback(True)
    return data


def test_the_contents_list_every_chapter_and_section_with_the_page_it_starts_on(book):
    pages = pages_text(book)
    assert pages[1].startswith("目次")
    contents = contents_entries(book)
    for heading in CHAPTERS:
        page = contents[heading.replace(" ", "")]
        # The chapter starts that page (a new page each), and not the page before.
        assert pages[page - 1].replace("-", "").find(heading.replace(" ", "")) >= 0, heading
        if page - 2 > 1:  # (the page before the first chapter is the 目次 itself)
            assert heading.replace(" ", "") not in pages[page - 2], heading
    assert contents["4.1ICTガバナンスの強化"] == contents["第1章第二期昭島市情報化推進計画の総論"]  # a short chapter
    assert "(1)組織的・人的対策" not in contents  # level 3 is not in the 目次
    assert contents["第二期昭島市情報化推進計画を策定するにあたり"] == 3  # after the cover and the 目次
    assert len(contents) == len(CHAPTERS) + 9  # and the sections of levels 1-2 (# and ##): 1 + 4 + 2 + 1 + 1


def test_chapters_and_sections_are_pdf_bookmarks(book, tmp_path):
    path = tmp_path / "book.pdf"
    path.write_bytes(book)
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        top = [item.title for item in outline.root]
        first_chapter = next(item for item in outline.root if item.title == CHAPTERS[1])
        sections = [item.title for item in first_chapter.children]
        policy = next(item for item in first_chapter.children if item.title.startswith("4."))
        deeper = [item.title for item in policy.children]
        deepest = [item.title for item in policy.children[1].children]
    assert top == ["目次", *CHAPTERS]
    assert sections == ["1. 計画策定における基本的な考え方", "4. 情報化推進に向けた重点的な取り組み"]
    assert deeper == ["4.1 ICT ガバナンスの強化", "4.2 情報セキュリティの強化"]
    assert deepest == ["(1)組織的・人的対策"]


def test_the_chapters_text_and_figures_are_printed(book):
    text = "".join(pages_text(book))
    assert "本市は、「住民サービス向上」や「地域の活性化」、「効率的な情報システムの再構築」等を視野に入れた" in text
    assert "図1-1本計画策定における基本的な考え方" in text and "第一の柱(組織体制の整備と情報セキュリティ対策の強化)" in text
    assert "①評価" in text and "インシデント" in text


def test_the_governance_table_and_the_members_come_from_the_bodies(book):
    text = "".join(pages_text(book))
    assert "表1-1本市における情報化の推進体制一覧" in text
    for body in ("情報化戦略本部", "情報化推進検討会議", "情報セキュリティ委員会"):
        assert body in text
    assert "本部長:副市長" in text and "会長:総務部長" in text and "副会長:企画部企画政策課長" in text
    # №5 and №6 of the printed table (p.7), in order after the bodies.
    table = text[text.index("表1-1本市における情報化の推進体制一覧"):]
    assert table.index("4情報セキュリティ委員会") < table.index("5ICT推進リーダー各業務部門職員") < table.index(
        "兼情報セキュリティリーダー") < table.index("6事務局総務部情報推進課情報化施策全般に関する業務を推進し")
    members = text[text.index("別表(第3条関係)"):]
    assert "".join(f"{number}{name}" for number, name in enumerate(MEMBERS, start=1)) in members


def test_the_diagram_the_hierarchy_and_the_schedule_are_drawn(book):
    pages = pages_text(book)
    text = "".join(pages)
    diagram_page = next(page for page in pages if "図2-3情報化施策体系(全体像)" in page)
    assert "基本理念" in diagram_page and "Ⅲ-3-1" in diagram_page
    assert "【目標】Ⅰ.市民ニーズに合ったe(いい)行政サービスの提供" in text
    assert "【情報化施策】Ⅰ-1-1ホームページ等による情報提供の拡充" in text
    assert "市議会インターネット映像配信サービス" in text
    assert "28年度29年度30年度31年度32年度" in text and "中間見直し" in text and "最終見直し" in text


def test_the_survey_of_the_predecessor_plan_or_a_note_when_there_is_none(seed):
    assert "(調査結果なし)" in parts.survey(Plan.objects.get(code="first"))  # it follows no plan
    plan = Plan.objects.get(code="second")
    html = re.sub(r"\s+", "", str(parts.survey(plan)))
    # 表4-2 as the second plan prints it (p.32): 4, 47, 0, 4, 0 of 55, from the first plan's record.
    assert "<caption>表4-2第一期計画における事業の実施状況</caption>" in html  # as printed, p.32
    assert ('<thscope="row">継続</th><td>現在も事業が継続して実施。</td><tdclass="num">47事業</td>'
            '<tdclass="num">85.4%</td>') in html
    assert '<thscope="row"colspan="2">合計</th><tdclass="num">55事業</td><tdclass="num">100.0%</td>' in html
    assert html.count("<caption>") == 3
    # One table alone, where the plan prints it: 表4-4 (p.33).
    only = re.sub(r"\s+", "", str(parts.survey(plan, 2)))
    assert only.count("<caption>") == 1 and "<caption>表4-4" in only and "81.8%" in only


def test_the_book_context_takes_the_same_queries_for_few_chapters_or_many(seed, tmp_path):
    plan = Plan.objects.get(code="second")
    load_sample(plan, tmp_path)

    def count():
        fresh = Plan.objects.get(pk=plan.pk)
        with CaptureQueriesContext(connection) as captured:
            parts.chapter_views(fresh)
        return len(captured)

    few = count()
    for index in range(10):
        chapters.add_chapter(plan, number=f"第{index + 5}章", title="追加の章",
                             body="# 1. 節\n本文\n{{推進体制}}\n{{別表}}\n{{施策体系図}}\n{{スケジュール}}")
    assert count() == few


def test_a_plan_with_chapters_still_prints_its_sheets_after_them(seed, tmp_path):
    plan = make_plan(code="withsheets", fanout=(1, 1, 1), projects=2, reposts=False)
    from projects.services import ensure_sheets

    ensure_sheets(plan=plan)
    chapters.add_chapter(plan, number="第1章", title="総論", body="# 1. 考え方\n本文の段落です。")
    pages = pages_text(books.plan_book(plan, with_sheets=True))
    assert "資料情報化事業シート" in pages[1]  # in the 目次
    sheets_page = next(index for index, page in enumerate(pages) if page.startswith("資料情報化事業シート") or
                       "資料情報化事業シート" in page and index > 1)
    assert any("本文の段落です。" in page for page in pages[:sheets_page])
    assert "生成事業0" in "".join(pages[sheets_page:])

"""A whole plan as one file (exchange.plan_files): the export's layout, the round
trip of the second plan, the import into a new plan and into a plan in
preparation (preview of every change, all or nothing), and each bad file refused
with its row named and nothing changed."""

import io

import pytest
import tablib
from openpyxl import load_workbook

from exchange.files import SheetSpec, read_upload, write_xlsx
from exchange.plan_files import export_plan, run_plan_import
from exchange.plan_files.layout import LEVEL_COLUMNS, PLAN_COLUMNS, TREE_COLUMNS
from plans import structure
from plans.models import Placement, Plan, PlanEdit, PlanItem, PlanLevel, Project
from plans.resources import PlacementResource
from projects.models import ProjectSheet

COUNTED = (Plan, PlanLevel, PlanItem, Project, Placement, ProjectSheet, PlanEdit)


@pytest.fixture
def office(demo_users):
    return demo_users["demo-joho"]


@pytest.fixture
def second(seed):
    return seed["second"]


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def upload_of(data: bytes, name="plan.xlsx"):
    return read_upload(io.BytesIO(data), name)


def exported(plan, fmt="xlsx"):
    data, _ = export_plan(plan, fmt)
    return upload_of(data, f"plan.{fmt}")


def cells(data: bytes) -> dict:
    """Every sheet's cell values, as a reader of the file sees them."""
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def rows(upload, sheet="体系") -> list[dict]:
    return [dict(row) for row in upload.sheets[sheet].dict]


def replace(upload, sheet, new_rows):
    """The upload with `sheet` holding `new_rows` (dicts by header), as edited in Excel."""
    headers = upload.sheets[sheet].headers
    data = tablib.Dataset(headers=headers, title=sheet)
    for row in new_rows:
        data.append([row.get(h) for h in headers])
    upload.sheets[sheet] = data
    return upload


def row_of(tree, **match):
    return next(r for r in tree if all(r.get(k) == v for k, v in match.items()))


def book(plan_rows, levels, tree):
    """A plan file written from scratch, as 情報推進課 would type one."""
    specs = [
        SheetSpec("計画", tablib.Dataset(*plan_rows, headers=list(PLAN_COLUMNS))),
        SheetSpec("階層", tablib.Dataset(*levels, headers=list(LEVEL_COLUMNS))),
        SheetSpec("体系", tablib.Dataset(*[[r.get(c) for c in TREE_COLUMNS] for r in tree], headers=list(TREE_COLUMNS))),
    ]
    return upload_of(write_xlsx(specs))


def fields(code, name="テスト市DX推進計画"):
    return [("計画コード", code), ("計画名", name), ("計画期間(開始年度)", "令和6年度"),
            ("計画期間(終了年度)", "2028"), ("基本理念", "デジタルで、つながるまち")]


def item(level, code, parent, title, **extra):
    return {"種別": "項目", "階層名": level, "コード": code, "上位コード": parent, "名称": title, **extra}


def project(parent, name, **extra):
    return {"種別": "事業", "上位コード": parent, "名称": name, **extra}


# ─── Export ──────────────────────────────────────────────────────────────────

def test_export_has_the_plan_its_levels_and_its_tree_in_printed_order(second):
    data, filename = export_plan(second)
    sheets = cells(data)
    assert list(sheets) == ["計画", "階層", "体系"] and filename.startswith("第二期昭島市情報化推進計画_")
    plan_rows = dict(sheets["計画"][1:])
    assert plan_rows["計画コード"] == "second"
    assert plan_rows["計画期間(終了年度)"] == "平成32年度(2020年度)"
    assert plan_rows["基本理念(副題)"] == "〜 e(いい)まち・あきしま 〜"
    assert sheets["階層"][1:] == [[1, "目標", "ローマ数字", "あり", None], [2, "基本方針", "算用数字", "なし", None],
                                 [3, "情報化施策", "算用数字", "あり", None]]
    tree = [dict(zip(sheets["体系"][0], r)) for r in sheets["体系"][1:]]
    assert tree[0]["種別"] == "項目" and tree[0]["コード"] == "Ⅰ" and tree[0]["副題"] == "顧客としての市民"
    assert [r["コード"] for r in tree[1:3]] == ["Ⅰ-1", "Ⅰ-1-1"]
    first = tree[3]
    assert (first["種別"], first["上位コード"], first["名称"], first["事業コード"], first["再掲"]) == (
        "事業", "Ⅰ-1-1", "市議会インターネット映像配信サービス", "1-1-1-01", "いいえ")
    assert row_of(tree, 名称="動画制作・発信(市の魅力発信)")["予定事業"] == "はい"
    assert row_of(tree, コード="Ⅰ-3-3")["再掲元"] == "Ⅰ-2-2"
    reposts = [r for r in tree if r["名称"] == "公共施設予約システムの利用促進"]
    assert [(r["上位コード"], r["再掲"]) for r in reposts] == [
        ("Ⅰ-2-2", "いいえ"), ("Ⅰ-3-3", "はい"), ("Ⅲ-3-1", "はい")]
    assert len({r["事業コード"] for r in reposts}) == 1
    assert len(tree) == PlanItem.objects.filter(plan=second).count() + Placement.objects.filter(item__plan=second).count()


def test_export_csv_is_the_tree_alone_in_utf8_with_bom(second):
    data, filename = export_plan(second, "csv")
    assert data.startswith("\ufeff".encode()) and filename.endswith("_体系_" + filename[-12:])
    upload = upload_of(data, "tree.csv")
    assert upload.sheets[""].headers == list(TREE_COLUMNS)


def test_placement_resource_names_its_columns_by_the_plans_last_level(second):
    resource = PlacementResource(plan=second)
    data = resource.export(queryset=resource.export_queryset())
    assert data.headers[:2] == ["情報化施策コード", "情報化施策"]
    listed = [r for r in data.dict if r["事業名"] == "公共施設予約システムの利用促進"]
    assert [(r["情報化施策コード"], r["掲載"]) for r in listed] == [
        ("Ⅰ-2-2", "主たる掲載"), ("Ⅰ-3-3", "再掲"), ("Ⅲ-3-1", "再掲")]
    assert len(data) == Placement.objects.filter(item__plan=second).count()
    kinds = {r["セキュリティ対策の種類"] for r in data.dict if r["情報化施策コード"] == "Ⅱ-3-1"}
    assert kinds == {"組織的・人的対策", "技術的対策", "物理的対策"}
    assert PlacementResource().columns()[:2] == ["項目コード", "項目名"]


# ─── Round trip ──────────────────────────────────────────────────────────────

def test_second_plan_exported_imported_as_a_new_plan_and_exported_gives_the_same_file(second, office):
    data, _ = export_plan(second)
    outcome = run_plan_import(upload_of(data), user=office, code="second-copy", commit=True, filename="p.xlsx")
    assert outcome.errors == [] and outcome.applied and outcome.is_new
    copy = Plan.objects.get(code="second-copy")
    assert copy.in_preparation and not copy.is_current
    again, _ = export_plan(copy)
    first_cells, second_cells = cells(data), cells(again)
    assert second_cells["計画"][1] == ["計画コード", "second-copy"]
    second_cells["計画"][1] = first_cells["計画"][1]
    assert second_cells == first_cells
    projects = Project.objects.filter(plan=copy)
    assert projects.count() == Project.objects.filter(plan=second).count()
    assert ProjectSheet.objects.filter(project__plan=copy).count() == projects.count()
    assert PlanEdit.objects.get(plan=copy).via == "ファイルの取込み"


def test_importing_the_same_file_again_into_the_plan_in_preparation_changes_nothing(second, office):
    run_plan_import(exported(second), user=office, code="draft", commit=True)
    draft = Plan.objects.get(code="draft")
    for fmt in ("xlsx", "csv"):
        before = counts()
        outcome = run_plan_import(exported(draft, fmt), user=office, code="draft", commit=True)
        assert outcome.errors == [] and outcome.changes == [] and not outcome.applied, fmt
        assert counts() == before


def test_a_shift_jis_csv_of_the_tree_imports(second, office):
    run_plan_import(exported(second), user=office, code="draft", commit=True)
    draft = Plan.objects.get(code="draft")
    data, _ = export_plan(draft, "csv")
    sjis = data.decode("utf-8-sig").encode("cp932")
    outcome = run_plan_import(upload_of(sjis, "tree.csv"), user=office, code="draft", commit=False)
    assert outcome.errors == [] and outcome.changes == []


# ─── Into a plan in preparation: preview, then all or nothing ───────────────

@pytest.fixture
def draft(second, office):
    run_plan_import(exported(second), user=office, code="draft", commit=True)
    return Plan.objects.get(code="draft")


def edited_draft(draft):
    """The draft's file with one change of every kind."""
    upload = exported(draft)
    tree = rows(upload)
    row_of(tree, コード="Ⅰ-1")["名称"] = "市民への情報提供・発信"
    # Ⅲ-3-1 moves under Ⅲ-2 (it becomes Ⅲ-2-4, behind Ⅲ-2-1 … Ⅲ-2-3).
    moved = row_of(tree, コード="Ⅲ-3-1")
    moved["上位コード"] = "Ⅲ-2"
    # A new item under Ⅰ-1, with a new project that is also listed under Ⅰ-1-1 (再掲).
    at = tree.index(row_of(tree, コード="Ⅰ-1-2"))
    tree[at:at] = [item("情報化施策", "Ⅰ-1-9", "Ⅰ-1", "オープンデータの公開"),
                   project("Ⅰ-1-9", "オープンデータカタログサイトの運用", 予定事業="はい", 開始年度="令和2年度")]
    tree.insert(tree.index(row_of(tree, コード="Ⅰ-1-2")),
                project("Ⅰ-1-1", "オープンデータカタログサイトの運用", 再掲="はい"))
    # A project renamed; a 再掲 taken off.
    row_of(tree, 事業コード="1-1-1-02", 再掲="いいえ")["名称"] = "昭島市公式 X(旧 Twitter)の利用促進"
    tree.remove(row_of(tree, 名称="公共施設予約システムの利用促進", 上位コード="Ⅲ-3-1"))
    return replace(upload, "体系", tree)


def test_preview_lists_every_change_and_changes_nothing(draft, office):
    before = counts()
    items_before = list(PlanItem.objects.filter(plan=draft).values_list("code", "title"))
    outcome = run_plan_import(edited_draft(draft), user=office, code="draft", commit=False)
    assert outcome.errors == [] and not outcome.applied and not outcome.is_new
    found = {(c.kind, c.target, c.before, c.after) for c in outcome.changes}
    assert ("名称の変更", "Ⅰ-1", "市民へのタイムリーな情報提供・発信", "市民への情報提供・発信") in found
    assert ("項目の移動", "Ⅲ-2-4", "Ⅲ-3-1(上位 Ⅲ-3)", "Ⅲ-2-4(上位 Ⅲ-2)") in found
    assert ("項目の追加", "Ⅰ-1-2", "", "オープンデータの公開") in found
    assert ("番号の変更", "Ⅰ-1-3", "Ⅰ-1-2", "Ⅰ-1-3") in found
    assert ("事業の追加", "1-1-2-01", "", "オープンデータカタログサイトの運用(掲載 Ⅰ-1-2)") in found
    assert ("再掲の追加", "1-1-2-01", "", "Ⅰ-1-1(事業「オープンデータカタログサイトの運用」)") in found
    assert ("事業名の変更", "1-1-1-02", "昭島市公式 Twitter(ツイッター)の利用促進",
            "昭島市公式 X(旧 Twitter)の利用促進") in found
    assert any(c.kind == "再掲の解除" and c.before.startswith("Ⅲ-3-1") for c in outcome.changes)
    # Projects under the moved item follow it: their 事業コード change.
    assert any(c.kind == "事業コードの変更" and c.before.startswith("3-3-1-") and c.after.startswith("3-2-4-")
               for c in outcome.changes)
    assert counts() == before
    assert list(PlanItem.objects.filter(plan=draft).values_list("code", "title")) == items_before


def test_confirmed_import_applies_every_change_through_the_write_paths(draft, office):
    preview = run_plan_import(edited_draft(draft), user=office, code="draft", commit=False)
    outcome = run_plan_import(edited_draft(draft), user=office, code="draft", commit=True, digest=preview.digest)
    assert outcome.applied and outcome.changes == preview.changes
    assert PlanItem.objects.get(plan=draft, code="Ⅰ-1").title == "市民への情報提供・発信"
    assert PlanItem.objects.get(plan=draft, code="Ⅰ-1-2").title == "オープンデータの公開"
    assert PlanItem.objects.get(plan=draft, code="Ⅲ-2-4").title == "ICT活用による地域活性化の支援"
    assert not PlanItem.objects.filter(plan=draft, code="Ⅲ-3-1").exists()
    new = Project.objects.get(plan=draft, name="オープンデータカタログサイトの運用")
    assert (new.code, new.is_planned, new.since_year) == ("1-1-2-01", True, 2020)
    assert ProjectSheet.objects.filter(project=new).exists()
    assert list(new.placements.order_by("-is_home").values_list("item__code", "is_home")) == [
        ("Ⅰ-1-2", True), ("Ⅰ-1-1", False)]
    # Listed last under Ⅰ-1-1, where its row is.
    assert Placement.objects.filter(item__plan=draft, item__code="Ⅰ-1-1").order_by("-position")[0].project == new
    reserved = Project.objects.get(plan=draft, name="公共施設予約システムの利用促進")
    assert sorted(reserved.placements.values_list("item__code", flat=True)) == ["Ⅰ-2-2", "Ⅰ-3-3"]
    # Exported again, the plan is the file.
    assert run_plan_import(exported(draft), user=office, code="draft", commit=False).changes == []


def test_a_preview_that_no_longer_holds_is_not_applied(draft, office):
    upload = edited_draft(draft)
    preview = run_plan_import(upload, user=office, code="draft", commit=False)
    structure.edit_item(PlanItem.objects.get(plan=draft, code="Ⅱ"), title="別の利用者が変えた目標")
    before = counts()
    outcome = run_plan_import(upload, user=office, code="draft", commit=True, digest=preview.digest)
    assert outcome.stale and not outcome.applied
    assert counts() == before and PlanItem.objects.get(plan=draft, code="Ⅰ-1").title != "市民への情報提供・発信"


def test_a_project_moved_home_and_swapped_with_its_repost(draft, office):
    upload = exported(draft)
    tree = rows(upload)
    home = row_of(tree, 名称="公共施設予約システムの利用促進", 再掲="いいえ")
    repost = row_of(tree, 名称="公共施設予約システムの利用促進", 上位コード="Ⅲ-3-1")
    home["再掲"], repost["再掲"] = "はい", "いいえ"
    outcome = run_plan_import(replace(upload, "体系", tree), user=office, code="draft", commit=True)
    assert outcome.errors == [] and outcome.applied
    project = Project.objects.get(plan=draft, name="公共施設予約システムの利用促進")
    assert project.placements.get(is_home=True).item.code == "Ⅲ-3-1" and project.code.startswith("3-3-1-")
    assert ("掲載項目の変更", project.code, "Ⅰ-2-2", "Ⅲ-3-1") in {
        (c.kind, c.target, c.before, c.after) for c in outcome.changes}


def test_plan_fields_and_level_names_of_a_plan_in_preparation_change(draft, office):
    upload = exported(draft)
    plan_rows = rows(upload, "計画")
    row_of(plan_rows, 項目="計画名")["値"] = "第二期計画(改定案)"
    levels = rows(upload, "階層")
    levels[1]["階層名"] = "施策の方向"
    tree = rows(upload)
    for row in tree:
        row["階層名"] = "施策の方向" if row["階層名"] == "基本方針" else row["階層名"]
    upload = replace(replace(replace(upload, "計画", plan_rows), "階層", levels), "体系", tree)
    outcome = run_plan_import(upload, user=office, code="draft", commit=True)
    assert outcome.applied
    draft.refresh_from_db()
    assert draft.name == "第二期計画(改定案)"
    assert [level.name for level in draft.levels.order_by("depth")] == ["目標", "施策の方向", "情報化施策"]
    assert {(c.kind, c.target) for c in outcome.changes} == {("計画の内容", "計画名"), ("階層の変更", "第2階層")}


# ─── Refused: nothing changes ────────────────────────────────────────────────

def refused(upload, office, code="", needle="", where=None):
    before = counts()
    outcome = run_plan_import(upload, user=office, code=code, commit=True)
    assert not outcome.applied and outcome.errors, "the file was not refused"
    assert counts() == before
    messages = [f"{e.sheet} {e.row} {e.column} {e.message}" for e in outcome.errors]
    assert any(needle in m for m in messages), messages
    if where is not None:
        assert any((e.sheet, e.row) == where for e in outcome.errors), messages
    return outcome


def test_an_adopted_plan_is_refused(second, office):
    refused(exported(second), office, needle="策定中ではないため、取り込みでは変更できません")
    refused(exported(second, "csv"), office, code="second", needle="策定中ではないため")


def test_a_csv_needs_an_existing_plan(second, office):
    refused(exported(second, "csv"), office, code="brand-new", needle="xlsx で取り込んでください")


def test_a_plan_in_preparation_keeps_projects_the_file_leaves_out(draft, office):
    upload = exported(draft)
    tree = [r for r in rows(upload) if r["名称"] != "市議会インターネット映像配信サービス"]
    refused(replace(upload, "体系", tree), office, code="draft", needle="「1-1-1-01 市議会インターネット映像配信サービス」"
                                                                           "がファイルにありません")


def tree_edit(second, edit):
    upload = exported(second)
    tree = rows(upload)
    edit(tree)
    return replace(upload, "体系", tree)


def _set(code, **values):
    def edit(tree):
        row_of(tree, コード=code).update(values)
    return edit


def _project_set(name, **values):
    def edit(tree):
        row_of(tree, 名称=name).update(values)
    return edit


def _duplicate(tree):
    tree.append(dict(row_of(tree, コード="Ⅲ-3")))


BAD_TREES = {
    "missing parent": (_set("Ⅰ-1-2", 上位コード="Ⅰ-9"), "上位コード「Ⅰ-9」の項目がこのファイルにありません"),
    "duplicated code": (_duplicate, "コード「Ⅲ-3」が"),
    "unknown level name": (_set("Ⅱ-1", 階層名="施策"), "階層名「施策」は「階層」にありません"),
    "item not one level below its parent": (_set("Ⅱ-1-1", 上位コード="Ⅱ"), "「情報化施策」の項目の上位は「基本方針」"),
    "code of another level": (_set("Ⅱ-1", コード="Ⅱ-1-7"), "第2階層「基本方針」のコードではありません"),
    "project under an item not of the last level": (
        _project_set("市議会インターネット映像配信サービス", 上位コード="Ⅰ-1"), "事業は最下層の項目の下に置きます"),
    "再掲 of a project that does not exist": (
        lambda tree: tree.append(project("Ⅰ-1-1", "どこにもない事業", 再掲="はい")), "再掲の事業「どこにもない事業」がありません"),
    "再掲 by an unknown code": (
        lambda tree: tree.append(project("Ⅰ-1-1", "", 事業コード="9-9-9-99", 再掲="はい")), "再掲の事業「9-9-9-99」がありません"),
    "bad numbering text": (_set("Ⅱ-1", コード="Ⅱ-イ"), "「Ⅱ-イ」はコードとして読めません"),
    "repost of a repost": (_set("Ⅰ-2-2", 再掲元="Ⅰ-3-3"), "再掲元「Ⅰ-3-3」自体が再掲です"),
    "bad project code": (_project_set("市議会インターネット映像配信サービス", 事業コード="1-1-1-1"), "「1-2-1-01」の形式"),
    "bad kind": (_set("Ⅰ", 種別="目標"), "「種別」は「項目」か「事業」"),
}


@pytest.mark.parametrize("case", BAD_TREES, ids=list(BAD_TREES))
def test_a_bad_tree_is_refused_naming_the_row(second, office, case):
    edit, needle = BAD_TREES[case]
    outcome = refused(tree_edit(second, edit), office, code="new-plan", needle=needle)
    assert all(e.sheet == "体系" and e.row > 1 for e in outcome.errors)


def _levels(levels):
    def edit(upload):
        return replace(upload, "階層", levels(rows(upload, "階層")))
    return edit


BAD_LEVELS = {
    "no level": (lambda rows: [], "階層の数は 1 から 5 までです(このファイルは 0)"),
    "six levels": (lambda rows: rows + [{"階層": n, "階層名": f"階層{n}", "番号の表記": "算用数字", "説明文": "なし"}
                                        for n in (4, 5, 6)], "階層の数は 1 から 5 までです(このファイルは 6)"),
    "bad numbering": (lambda rows: [{**rows[0], "番号の表記": "漢数字"}, *rows[1:]], "「漢数字」は番号の表記として読めません"),
    "levels out of order": (lambda rows: [rows[0], {**rows[1], "階層": 3}, {**rows[2], "階層": 2}], "順に付けてください"),
    "same name twice": (lambda rows: [rows[0], {**rows[1], "階層名": "目標"}, rows[2]], "階層名「目標」が重複"),
}


@pytest.mark.parametrize("case", BAD_LEVELS, ids=list(BAD_LEVELS))
def test_bad_levels_are_refused(second, office, case):
    edit, needle = BAD_LEVELS[case]
    refused(_levels(edit)(exported(second)), office, code="new-plan", needle=needle)


def test_bad_plan_fields_are_refused(second, office):
    upload = exported(second)
    plan_rows = rows(upload, "計画")
    row_of(plan_rows, 項目="計画期間(終了年度)")["値"] = "平成27年度"
    row_of(plan_rows, 項目="計画名")["値"] = "長" * 101
    refused(replace(upload, "計画", plan_rows), office, code="new-plan", needle="終了年度が開始年度より前です",
            where=("計画", 5))
    row_of(plan_rows, 項目="計画期間(終了年度)")["値"] = "2020"
    refused(replace(upload, "計画", plan_rows), office, code="new-plan", needle="計画名:", where=("計画", 3))
    refused(exported(second), office, code="不正なコード", needle="半角の英数字")


def test_a_missing_sheet_or_column_is_refused(second, office):
    upload = exported(second)
    del upload.sheets["階層"]
    refused(upload, office, code="new-plan", needle="シート「階層」がありません")
    upload = exported(second)
    upload.sheets["体系"] = tablib.Dataset(*[r[:-1] for r in upload.sheets["体系"]], headers=list(TREE_COLUMNS[:-1]))
    refused(upload, office, code="new-plan", needle="列「再掲」がありません")


def test_only_the_ict_office_may_import(second, demo_users):
    refused(exported(second), demo_users["demo-staff-a"], code="new-plan", needle="情報推進課だけ")


# ─── Plans of other shapes, from files typed from scratch ───────────────────

def test_a_three_level_plan_from_a_file(office, seed):
    levels = [(1, "基本目標", "算用数字", "あり", None), (2, "施策", "算用数字", "なし", None)]
    tree = [
        item("基本目標", "1", None, "便利な行政サービス", 説明="いつでもどこでも"),
        item("施策", "1-1", "1", "手続のオンライン化"),
        project("1-1", "電子申請の拡充", 事業コード="1-1-01"),
        # A code that fits the rule is kept (a gap in serials as printed); one that does not is replaced.
        project("1-1", "キャッシュレス決済", 事業コード="1-1-05", 予定事業="はい", 開始年度="令和5年度"),
        project("1-1", "AI-OCR の導入", 事業コード="2-1-03"),
        item("施策", "1-2", "1", "窓口のデジタル化"),
        project("1-2", "書かない窓口"),
        project("1-2", "", 事業コード="1-1-01", 再掲="はい"),
        item("基本目標", "2", None, "安全なデジタル基盤"),
        item("施策", "2-1", "2", "窓口のデジタル化(再掲)", 再掲元="1-2"),
        project("2-1", "書かない窓口", 再掲="はい"),
        project("2-1", "情報セキュリティ研修", セキュリティ対策の種類="組織的・人的対策"),
    ]
    outcome = run_plan_import(book(fields("dx3"), levels, tree), user=office, commit=True)
    assert outcome.errors == [] and outcome.applied
    plan = Plan.objects.get(code="dx3")
    assert [level.name for level in plan.level_list] == ["基本目標", "施策"]
    assert list(PlanItem.objects.filter(plan=plan).order_by("sort_key").values_list("code", flat=True)) == [
        "1", "1-1", "1-2", "2", "2-1"]
    assert PlanItem.objects.get(plan=plan, code="2-1").reposted_from.code == "1-2"
    listed = Placement.objects.filter(item__plan=plan).order_by("item__sort_key", "position")
    assert [(p.item.code, p.project.code, p.project.name, p.is_home) for p in listed] == [
        ("1-1", "1-1-01", "電子申請の拡充", True), ("1-1", "1-1-05", "キャッシュレス決済", True),
        ("1-1", "1-1-06", "AI-OCR の導入", True),
        ("1-2", "1-2-01", "書かない窓口", True), ("1-2", "1-1-01", "電子申請の拡充", False),
        ("2-1", "1-2-01", "書かない窓口", False), ("2-1", "2-1-01", "情報セキュリティ研修", True)]
    cashless = Project.objects.get(plan=plan, code="1-1-05")
    assert cashless.is_planned and cashless.since_year == 2023
    assert Project.objects.get(plan=plan, code="2-1-01").security_kind == "organisational"


def test_a_plan_with_four_levels_between_philosophy_and_projects(office, seed):
    levels = [(1, "目標", "ローマ数字", "あり", 3), (2, "基本方針", "算用数字", "なし", 9),
              (3, "基本施策", "算用数字", "なし", 16), (4, "情報化施策", "算用数字", "あり", 27)]
    tree = [
        item("目標", "Ⅰ", None, "目標1"), item("基本方針", "Ⅰ-1", "Ⅰ", "方針1"),
        item("基本施策", "Ⅰ-1-1", "Ⅰ-1", "基本施策1"),
        item("情報化施策", "Ⅰ-1-1-1", "Ⅰ-1-1", "施策A"), project("Ⅰ-1-1-1", "事業A"), project("Ⅰ-1-1-1", "事業B"),
        item("情報化施策", "I-1-1-2", "I-1-1", "施策B"), project("Ⅰ-1-1-2", "事業C", 事業コード="1-1-1-2-01"),
        project("Ⅰ-1-1-2", "事業A", 再掲="はい"),
        item("目標", "２", None, "目標2"), item("基本方針", "Ⅱ-1", "Ⅱ", "方針2"),
        item("基本施策", "Ⅱ-1-1", "Ⅱ-1", "基本施策2"),
        item("情報化施策", "Ⅱ－1－1－1", "Ⅱ-1-1", "施策B(再掲)", 再掲元="Ⅰ-1-1-2"),
        project("Ⅱ-1-1-1", "事業C", 事業コード="1-1-1-2-01", 再掲="はい"), project("Ⅱ-1-1-1", "事業D"),
    ]
    outcome = run_plan_import(book(fields("first-like", "第一期の形の計画"), levels, tree), user=office, commit=True)
    assert outcome.errors == [] and outcome.applied
    plan = Plan.objects.get(code="first-like")
    assert [(level.name, level.stated_count) for level in plan.level_list] == [
        ("目標", 3), ("基本方針", 9), ("基本施策", 16), ("情報化施策", 27)]
    assert list(PlanItem.objects.filter(plan=plan).order_by("sort_key").values_list("code", flat=True)) == [
        "Ⅰ", "Ⅰ-1", "Ⅰ-1-1", "Ⅰ-1-1-1", "Ⅰ-1-1-2", "Ⅱ", "Ⅱ-1", "Ⅱ-1-1", "Ⅱ-1-1-1"]
    assert PlanItem.objects.get(plan=plan, code="Ⅱ-1-1-1").reposted_from.code == "Ⅰ-1-1-2"
    listed = Placement.objects.filter(item__plan=plan).order_by("item__sort_key", "position")
    assert [(p.item.code, p.project.code, p.is_home) for p in listed] == [
        ("Ⅰ-1-1-1", "1-1-1-1-01", True), ("Ⅰ-1-1-1", "1-1-1-1-02", True),
        ("Ⅰ-1-1-2", "1-1-1-2-01", True), ("Ⅰ-1-1-2", "1-1-1-1-01", False),
        ("Ⅱ-1-1-1", "1-1-1-2-01", False), ("Ⅱ-1-1-1", "2-1-1-1-01", True)]
    # Exported, the plan writes its codes as its levels number them.
    tree_rows = [dict(r) for r in exported(plan).sheets["体系"].dict]
    assert [r["コード"] for r in tree_rows if r["種別"] == "項目"][-1] == "Ⅱ-1-1-1"


@pytest.mark.parametrize("depth", [1, 5])
def test_one_and_five_levels_are_accepted(office, seed, depth):
    levels = [(n, f"第{n}層", "算用数字", "なし", None) for n in range(1, depth + 1)]
    codes = ["-".join(["1"] * n) for n in range(1, depth + 1)]
    tree = [item(f"第{n}層", code, codes[n - 2] if n > 1 else None, f"項目{n}") for n, code in enumerate(codes, 1)]
    tree.append(project(codes[-1], "事業"))
    outcome = run_plan_import(book(fields(f"depth{depth}"), levels, tree), user=office, commit=True)
    assert outcome.errors == [] and outcome.applied
    assert Project.objects.get(plan__code=f"depth{depth}").code == f"{codes[-1]}-01"


def test_a_plan_file_cannot_change_the_period_of_a_plan_with_projects_or_take_a_reserved_code(second, office):
    # The same rules as the plan editor's (plans.structure): a plan's sheets have a
    # schedule row per plan year, and /plans/manage/new/ is the editor's own address.
    draft_upload = exported(second)
    assert run_plan_import(draft_upload, user=office, code="draft-period", commit=True).ok
    upload = exported(Plan.objects.get(code="draft-period"))
    plan_rows = [dict(row) for row in upload.sheets["計画"].dict]
    for row in plan_rows:
        if row["項目"] == "計画期間(終了年度)":
            row["値"] = "令和4年度"
    replace(upload, "計画", plan_rows)
    before = counts()
    outcome = run_plan_import(upload, user=office, code="draft-period", commit=True)
    assert not outcome.ok
    assert "事業が登録されている計画の期間は変更できません" in str(outcome.errors)
    assert counts() == before
    assert Plan.objects.get(code="draft-period").end_year == 2020
    outcome = run_plan_import(exported(second), user=office, code="new", commit=True)
    assert not outcome.ok and "画面のアドレスに使われているため使えません" in str(outcome.errors)
    assert not Plan.objects.filter(code="new").exists()

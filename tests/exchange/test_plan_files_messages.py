"""What a plan file import tells its user: each message quotes the cell as the file
writes it (so that Excel's search finds it), the errors come in the file's order,
an error about the plan code names the row that holds it, a renamed plan is called
by its new name, and a plan's state reads 「策定済み」."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from exchange.files import CellError, read_upload
from exchange.plan_files import export_plan, run_plan_import
from plans.models import Plan
from tests.exchange.test_plan_files import exported, replace, row_of, rows

PAGE = reverse("exchange:plan_files")
PREVIEW = reverse("exchange:plan_import_preview")
ADOPTED = ("計画「第二期昭島市情報化推進計画」(計画コード「second」)は策定中ではないため、取り込みでは変更できません。"
           "この計画を元に新しい計画を作るには、別の新しい計画コードで取り込んでください。")


@pytest.fixture
def office(demo_users):
    return demo_users["demo-joho"]


@pytest.fixture
def second(seed):
    return seed["second"]


def errors_of(upload, office, code="new-plan"):
    outcome = run_plan_import(upload, user=office, code=code, commit=True)
    assert not outcome.applied
    return outcome.errors


def excel_row(tree, **match):
    """The Excel row of the first row of `tree` that matches (the header is row 1)."""
    return tree.index(row_of(tree, **match)) + 2


# ─── Codes quoted as written ─────────────────────────────────────────────────

def test_a_missing_parent_is_quoted_as_the_file_writes_it(second, office):
    upload = exported(second)
    tree = rows(upload)
    row_of(tree, コード="Ⅰ-1-2")["上位コード"] = "Ⅰ-9"
    row_of(tree, コード="Ⅱ-1-1")["上位コード"] = "II－9"
    item_rows = excel_row(tree, コード="Ⅰ-1-2"), excel_row(tree, コード="Ⅱ-1-1")
    assert errors_of(replace(upload, "体系", tree), office) == [
        CellError("体系", item_rows[0], "上位コード", "上位コード「Ⅰ-9」の項目がこのファイルにありません。"),
        CellError("体系", item_rows[1], "上位コード", "上位コード「II－9」の項目がこのファイルにありません。"),
    ]


def test_an_item_under_the_wrong_level_is_quoted_as_written(second, office):
    upload = exported(second)
    tree = rows(upload)
    row_of(tree, コード="Ⅱ-1-1")["上位コード"] = "Ⅱ"
    assert errors_of(replace(upload, "体系", tree), office) == [CellError(
        "体系", excel_row(tree, コード="Ⅱ-1-1"), "上位コード",
        "「情報化施策」の項目の上位は「基本方針」の項目です(上位コード「Ⅱ」は「目標」)。")]


def test_a_missing_repost_source_and_a_projects_missing_item_are_quoted_as_written(second, office):
    upload = exported(second)
    tree = rows(upload)
    row_of(tree, コード="Ⅰ-3-3")["再掲元"] = "Ⅰ-2-9"
    project = row_of(tree, 名称="市議会インターネット映像配信サービス")
    project["上位コード"] = "Ⅰ－１－８"
    assert errors_of(replace(upload, "体系", tree), office) == sorted([
        CellError("体系", excel_row(tree, コード="Ⅰ-3-3"), "再掲元", "再掲元「Ⅰ-2-9」の項目がこのファイルにありません。"),
        CellError("体系", tree.index(project) + 2, "上位コード", "上位コード「Ⅰ－１－８」の項目がこのファイルにありません。"),
    ], key=lambda e: e.row)


def test_a_project_under_an_upper_item_is_quoted_as_written(second, office):
    upload = exported(second)
    tree = rows(upload)
    project = row_of(tree, 名称="市議会インターネット映像配信サービス")
    project["上位コード"] = "I-1"
    assert errors_of(replace(upload, "体系", tree), office) == [CellError(
        "体系", tree.index(project) + 2, "上位コード", "事業は最下層の項目の下に置きます(「I-1」は第2階層です)。")]


def test_project_codes_are_quoted_as_written(second, office):
    upload = exported(second)
    tree = rows(upload)
    first = row_of(tree, 事業コード="1-1-1-01")
    again = row_of(tree, 事業コード="1-1-1-02")
    again["事業コード"] = "１－１－１－０１"
    tree.append({"種別": "事業", "上位コード": "Ⅰ-1-1", "事業コード": "９－９－９－９９", "再掲": "はい"})
    assert errors_of(replace(upload, "体系", tree), office) == [
        CellError("体系", tree.index(again) + 2, "事業コード",
                  f"事業コード「１－１－１－０１」が {tree.index(first) + 2} 行目と重複しています。"
                  "同じ事業を別の項目にも載せる行は「再掲」を「はい」にします。"),
        CellError("体系", len(tree) + 1, "事業コード",
                  "再掲の事業「９－９－９－９９」がありません(「再掲」が「いいえ」の行がその事業の元の行です)。"),
    ]


# ─── Errors in the file's order ──────────────────────────────────────────────

def test_errors_come_by_sheet_then_row(second, office):
    upload = exported(second)
    tree = rows(upload)
    # Found items first, then projects: a late item and an early project.
    late_item = row_of(tree, コード="Ⅲ-3")
    late_item["上位コード"] = "Ⅲ-9"
    early_project = row_of(tree, 名称="市議会インターネット映像配信サービス")
    early_project["上位コード"] = "Ⅰ-1-9"
    middle_item = row_of(tree, コード="Ⅱ-1")
    middle_item["上位コード"] = "Ⅱ-8"
    errors = errors_of(replace(upload, "体系", tree), office)
    assert [(e.row, e.message) for e in errors] == [
        (tree.index(early_project) + 2, "上位コード「Ⅰ-1-9」の項目がこのファイルにありません。"),
        (tree.index(middle_item) + 2, "上位コード「Ⅱ-8」の項目がこのファイルにありません。"),
        (tree.index(late_item) + 2, "上位コード「Ⅲ-9」の項目がこのファイルにありません。"),
    ]


def test_errors_of_several_sheets_come_plan_then_levels(second, office):
    upload = exported(second)
    levels = rows(upload, "階層")
    levels[2]["番号の表記"] = "漢数字"
    plan_rows = rows(upload, "計画")
    row_of(plan_rows, 項目="計画期間(開始年度)")["値"] = "いつか"
    errors = errors_of(replace(replace(upload, "階層", levels), "計画", plan_rows), office)
    assert [(e.sheet, e.row, e.column) for e in errors] == [("計画", 4, "値"), ("階層", 4, "番号の表記")]


# ─── The plan code's row ─────────────────────────────────────────────────────

def test_an_error_about_the_files_plan_code_names_its_row(second, office):
    assert errors_of(exported(second), office, code="") == [CellError("計画", 2, "値", ADOPTED)]
    upload = exported(second)
    plan_rows = rows(upload, "計画")
    plan_rows.append(plan_rows.pop(0))  # the code moved to the last row
    row_of(plan_rows, 項目="計画コード")["値"] = "新しい 計画"
    assert errors_of(replace(upload, "計画", plan_rows), office, code="") == [CellError(
        "計画", len(plan_rows) + 1, "値", "計画コード「新しい 計画」は使えません。半角の英数字と「-」「_」の20文字以内にしてください。")]
    row_of(plan_rows, 項目="計画コード")["値"] = ""
    assert errors_of(replace(upload, "計画", plan_rows), office, code="") == [CellError(
        "計画", len(plan_rows) + 1, "値", "計画コードを入力してください(ファイルの「計画コード」か、取り込み先の計画コード)。")]


def test_an_error_about_the_code_typed_on_the_page_names_no_cell(second, office):
    assert errors_of(exported(second), office, code="second") == [CellError("", 1, "", ADOPTED)]


def test_the_preview_shows_no_row_for_an_error_outside_the_file(client, office, second):
    client.force_login(office)
    client.post(PAGE, {"file": SimpleUploadedFile("plan.xlsx", export_plan(second)[0]), "plan_code": "second"})
    preview = client.get(PREVIEW).text
    assert '<tr><td class="nowrap">—</td><td class="num">—</td><td class="nowrap">—</td>' in preview
    client.post(PAGE, {"file": SimpleUploadedFile("plan.xlsx", export_plan(second)[0]), "plan_code": ""})
    preview = client.get(PREVIEW).text
    assert '<tr><td class="nowrap">計画</td><td class="num">2</td><td class="nowrap">値</td>' in preview


# ─── A renamed plan ──────────────────────────────────────────────────────────

def with_name(data: bytes, name: str) -> bytes:
    """The plan file with another 計画名, saved again as from Excel."""
    book = load_workbook(io.BytesIO(data))
    for label, value in book["計画"].iter_rows(min_row=2):
        if label.value == "計画名":
            value.value = name
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_import_that_renames_the_plan_calls_it_by_its_new_name(second, office, client):
    run_plan_import(exported(second), user=office, code="draft", commit=True)
    draft = Plan.objects.get(code="draft")
    data = with_name(export_plan(draft)[0], "第三次昭島市情報化推進計画(案)")
    outcome = run_plan_import(read_upload(io.BytesIO(data), "plan.xlsx"), user=office, commit=False)
    assert (outcome.name, outcome.former_name) == ("第三次昭島市情報化推進計画(案)", "第二期昭島市情報化推進計画")
    unchanged = run_plan_import(exported(draft), user=office, commit=False)
    assert (unchanged.name, unchanged.former_name) == ("第二期昭島市情報化推進計画", "")

    client.force_login(office)
    client.post(PAGE, {"file": SimpleUploadedFile("plan.xlsx", data), "plan_code": ""})
    preview = client.get(PREVIEW)
    assert ("策定中の計画「第二期昭島市情報化推進計画」(計画コード draft)を、ファイルのとおりに変更します。"
            "計画名は「第三次昭島市情報化推進計画(案)」になります。") in preview.text
    token = client.session["exchange_plan_upload"]["token"]
    done = client.post(PREVIEW, {"token": token, "digest": preview.context["outcome"].digest})
    assert [str(m) for m in get_messages(done.wsgi_request)] == [
        "ファイルを取り込み、計画「第三次昭島市情報化推進計画(案)」を変更しました(変更 1 件)。"]
    draft.refresh_from_db()
    assert draft.name == "第三次昭島市情報化推進計画(案)"


# ─── 「策定済み」 ─────────────────────────────────────────────────────────────

def test_the_plan_files_page_says_sakutei_zumi_with_its_okurigana(client, office, seed):
    client.force_login(office)
    page = client.get(PAGE).text
    assert "<td class=\"nowrap\">策定済み</td>" in page  # the first plan
    assert page.count("策定済") == page.count("策定済み")

"""Editing a sheet: saving, history, stale saves, bad input, PDF and query counts."""

import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Section
from plans.models import Project
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry, SheetStatus
from tests.projects.conftest import (
    INDICATOR,
    edit_url,
    form_data,
    form_data_from,
    table_digest,
)

@pytest.fixture
def staff(client, demo_users):
    client.force_login(demo_users["demo-staff-a"])
    return client


def test_seed_sheets_exist_for_every_project_with_the_plans_own_sections(seed):
    assert ProjectSheet.objects.count() == Project.objects.count() == 46
    joho = Section.objects.get(code="joho-suishin")
    by_code = {s.project.code: s.section for s in ProjectSheet.objects.select_related("project", "section")}
    for code, section in by_code.items():
        measure = code.rsplit("-", 1)[0]
        if measure in ("2-1-2", "2-3-1", "2-3-2"):
            assert section == joho, code
        else:
            assert section is None, code  # left for the departments to fill in
    sheet = ProjectSheet.objects.get(project__code="2-1-1-01")  # 社会保障・税番号制度対応(平成26年度~)
    assert sheet.start_year == 2014
    assert list(sheet.schedule.values_list("fiscal_year", flat=True)) == [2016, 2017, 2018, 2019, 2020]


def test_staff_save_records_one_history_entry_with_user_and_fields(staff, demo_users, shimin_sheet):
    entries_before = len(staff.get(shimin_sheet.get_absolute_url()).context["body"]["history"])
    data = form_data(staff, shimin_sheet, **INDICATOR, **{"sheet-legal_basis": "地方自治法", "draft": "1"})
    response = staff.post(edit_url(shimin_sheet), data)
    assert response.status_code == 302
    shimin_sheet.refresh_from_db()
    assert shimin_sheet.version == 2
    assert shimin_sheet.updated_by == demo_users["demo-staff-a"]
    assert shimin_sheet.status == SheetStatus.DRAFT
    target = IndicatorTarget.objects.get(indicator__sheet=shimin_sheet)
    assert (target.fiscal_year, target.value) == (2017, Decimal("120"))

    history = staff.get(shimin_sheet.get_absolute_url()).context["body"]["history"]
    latest = history[0]
    assert latest.user == demo_users["demo-staff-a"]
    assert latest.reason == "画面"  # made in the edit form, not by an import or the admin
    changed = {(c.subject, c.label): (c.before, c.after) for c in latest.changes}
    assert changed[("シート", "実施根拠")] == ("", "地方自治法")
    assert changed[("指標「予約システムの利用件数」の目標値(29年度)", "目標値")] == ("", "120")
    # One save, one entry, however many rows it touched.
    assert len(history) == entries_before + 1


def test_past_version_shows_the_old_values(staff, shimin_sheet):
    staff.post(edit_url(shimin_sheet), form_data(staff, shimin_sheet, **{"sheet-activities": "旧い内容", "draft": "1"}))
    first = shimin_sheet.history.order_by("-history_date").first()
    staff.post(edit_url(shimin_sheet), form_data(staff, shimin_sheet, **{"sheet-activities": "新しい内容", "draft": "1"}))
    page = staff.get(f"{shimin_sheet.get_absolute_url()}versions/{first.history_id}/")
    assert page.status_code == 200
    assert "旧い内容" in page.text and "新しい内容" not in page.text
    assert "新しい内容" in staff.get(shimin_sheet.get_absolute_url()).text


def test_a_past_version_holds_the_indicators_and_schedule_of_its_own_save(staff, shimin_sheet):
    """The sheet row is written first in a save, its indicators and schedule after it:
    the version shows all of them, and the next version shows the deletion."""
    data = form_data(staff, shimin_sheet, **{**INDICATOR, "schedule-0-planned": "システム構築", "draft": "1"})
    assert staff.post(edit_url(shimin_sheet), data).status_code == 302
    added = shimin_sheet.history.order_by("-history_date").first()
    data = form_data(staff, shimin_sheet, **{"indicators-0-DELETE": "on", "draft": "1"})
    assert staff.post(edit_url(shimin_sheet), data).status_code == 302
    deleted = shimin_sheet.history.order_by("-history_date").first()
    page = staff.get(f"{shimin_sheet.get_absolute_url()}versions/{added.history_id}/").text
    assert "予約システムの利用件数" in page and "システム構築" in page
    page = staff.get(f"{shimin_sheet.get_absolute_url()}versions/{deleted.history_id}/").text
    assert "予約システムの利用件数" not in page and "システム構築" in page


def test_a_save_without_changes_writes_nothing(staff, shimin_sheet):
    before = table_digest()
    response = staff.post(edit_url(shimin_sheet), form_data(staff, shimin_sheet, draft="1"), follow=True)
    assert "変更がなかったため、保存しませんでした" in response.text
    assert table_digest() == before  # no new version, no history row
    # Saving as 完成 is a change of its own (here refused: the sheet lacks items).
    response = staff.post(edit_url(shimin_sheet), form_data(staff, shimin_sheet, complete="1"))
    assert response.status_code == 400


def test_stale_save_is_refused_and_keeps_the_input(client, demo_users, shimin_sheet):
    first, second = client, client.__class__()
    first.force_login(demo_users["demo-staff-a"])
    second.force_login(demo_users["demo-kacho"])
    mine = form_data(second, shimin_sheet, **{"sheet-legal_basis": "私の入力", "draft": "1"})
    theirs = form_data(first, shimin_sheet, **{"sheet-activities": "先に保存した内容", "draft": "1"})
    assert first.post(edit_url(shimin_sheet), theirs).status_code == 302
    before = table_digest()

    response = second.post(edit_url(shimin_sheet), mine)
    assert response.status_code == 409
    assert table_digest() == before
    assert "あなたが開いた後に更新されました(更新者:" in response.text
    assert "私の入力</textarea>" in response.text
    conflict = response.context["conflict"]
    assert [c.after for s in conflict for c in s.changes] == ["先に保存した内容"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sheet-legal_basis", "あ" * 2001, "2000 文字以下"),
        ("indicators-0-target_2017", "-5", "0以上"),
        ("indicators-0-target_2017", "たくさん", "数値"),
        ("sheet-start_year", "令和10年度", "以前の年度"),
        ("sheet-start_year", "平成99年度", "平成にその年はありません"),
        ("sheet-end_year", "平成20年度", "以降の年度"),
        ("sheet-start_year", "abc", "年度として読めません"),
        ("sheet-master_plan_code", "999999", "正しく選択"),
    ],
)
def test_bad_input_gets_a_field_message_and_changes_nothing(staff, shimin_sheet, field, value, message):
    data = form_data(staff, shimin_sheet, **{**INDICATOR, field: value, "draft": "1"})
    before = table_digest()
    response = staff.post(edit_url(shimin_sheet), data)
    assert response.status_code == 400
    assert message in response.text
    assert table_digest() == before


def test_complete_save_lists_what_is_missing_and_changes_nothing(staff, shimin_sheet):
    before = table_digest()
    response = staff.post(edit_url(shimin_sheet), form_data(staff, shimin_sheet, complete="1"))
    assert response.status_code == 400
    assert "完成として保存するには入力が必要です" in response.text
    assert table_digest() == before


def test_complete_save_succeeds_when_everything_is_filled(staff, shimin_sheet, master_code):
    fields = {
        "sheet-master_plan_code": str(master_code.pk), "sheet-legal_basis": "市税条例",
        "sheet-policy_major": "行財政", "sheet-start_year": "平成24年度", "sheet-target": "納税者",
        "sheet-objective": "納付手段の拡充", "sheet-activities": "コンビニ収納の周知", "complete": "1",
        **INDICATOR,
    }
    fields.update({f"indicators-0-target_{year}": "100" for year in range(2016, 2021)})
    fields.update({f"schedule-{i}-planned": "周知" for i in range(5)})
    response = staff.post(edit_url(shimin_sheet), form_data(staff, shimin_sheet, **fields))
    assert response.status_code == 302, response.context and response.context.get("missing")
    shimin_sheet.refresh_from_db()
    assert shimin_sheet.status == SheetStatus.COMPLETE


def test_actual_results_wait_for_the_year_to_end(staff, shimin_sheet, settings):
    # 2020年度 ended in March 2021; a year still running is refused.
    done = form_data(staff, shimin_sheet, **{"schedule-4-actual": "実施した", "draft": "1"})
    assert staff.post(edit_url(shimin_sheet), done).status_code == 302
    entry = ScheduleEntry.objects.get(sheet=shimin_sheet, fiscal_year=2020)
    assert entry.actual == "実施した"


TEXT_FIELDS = [
    "sheet-legal_basis", "sheet-policy_major", "sheet-policy_middle", "sheet-target",
    "sheet-objective", "sheet-activities", "indicators-0-name", "indicators-0-unit",
    "indicators-0-data_source", "schedule-0-planned", "schedule-0-actual",
]


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_html_in_any_text_field_is_escaped_on_the_page_and_printed_as_text(staff, shimin_sheet, field):
    hostile = "<script>alert(1)</script>"  # short enough for every field
    data = form_data(staff, shimin_sheet, **{**INDICATOR, field: hostile, "draft": "1"})
    assert staff.post(edit_url(shimin_sheet), data).status_code == 302
    for url in ("", "print/", "edit/"):
        page = staff.get(shimin_sheet.get_absolute_url() + url).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    pdf = staff.get(f"{shimin_sheet.get_absolute_url()}pdf/")
    assert "<script>alert(1)</script>" in pdf_text(pdf.content).replace("\n", "")


def pdf_text(data: bytes) -> str:
    # -raw keeps each table cell's lines together, in the order they were drawn.
    result = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def test_pdf_of_a_seed_sheet_holds_its_name_and_code_as_japanese_text(staff, seed):
    sheet = ProjectSheet.objects.get(project__code="2-3-1-06")
    response = staff.get(f"{sheet.get_absolute_url()}pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content).replace(" ", "")
    assert "職員認証システムの導入" in text
    assert "2-3-1-06" in text
    assert "情報推進課" in text
    assert "-1-" in text  # the page number in the footer


def test_the_pdfs_indicator_table_keeps_its_columns_apart(staff, shimin_sheet):
    """Five years of targets fit their columns: the year headings stand apart and the kind
    「活動指標」 stays on one line (they ran into each other when the table overflowed)."""
    import re

    grow(shimin_sheet, 1)
    response = staff.get(f"{shimin_sheet.get_absolute_url()}pdf/")
    layout = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True,
                            check=True).stdout.decode("utf-8")
    header = next(line for line in layout.splitlines() if "活動指標・目標値" in line)
    assert re.search(r"28年度\s+29年度\s+30年度\s+31年度\s+32年度", header), header
    assert "活動指標" in next(line for line in layout.splitlines() if "指標0" in line)


def test_export_command_writes_the_same_pdf(seed, tmp_path):
    output = tmp_path / "sheet.pdf"
    call_command("export_sheet_pdf", "2-3-1-06", "--output", str(output))
    assert "職員認証システムの導入" in pdf_text(output.read_bytes()).replace(" ", "")


def test_pdf_renderer_fetches_nothing_outside_static_files(seed, tmp_path, monkeypatch):
    from core import pdf

    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the pdf")
    seen = []
    original = pdf.StaticOnlyURLFetcher.fetch

    def spy(self, url, headers=None):
        seen.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.StaticOnlyURLFetcher, "fetch", spy)
    fetcher = pdf.StaticOnlyURLFetcher()
    for url in (secret.as_uri(), "file:///etc/passwd", "http://127.0.0.1:5432/", "https://example.com/x.png"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    html = (
        f'<img src="{secret.as_uri()}"><img src="http://127.0.0.1:9/x.png">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
    )
    from weasyprint import HTML

    data = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert b"not for the pdf" not in data
    static_css = pdf.static_path("pdf/base.css")
    assert fetcher.fetch(static_css.as_uri()).read().startswith(b"/*")


# The most queries a sheet page, the sheet list or a save may make.
PAGE_MOST = 20
SAVE_MOST = 30


def grow(sheet, indicators, years=5):
    for i in range(indicators):
        indicator = Indicator.objects.create(sheet=sheet, name=f"指標{i}", position=i)
        for year in range(2016, 2016 + years):
            IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, value=i)


@pytest.mark.parametrize("page", ["", "edit/", "print/"])
def test_sheet_pages_keep_a_constant_query_count(client, demo_users, shimin_sheet, page,
                                                 django_capture_on_commit_callbacks,
                                                 django_assert_max_num_queries, django_assert_num_queries):
    client.force_login(demo_users["demo-joho"])
    url = shimin_sheet.get_absolute_url() + page
    with django_capture_on_commit_callbacks(execute=True):  # committed: the cached body is computed again
        grow(shimin_sheet, 1)
    with django_assert_max_num_queries(PAGE_MOST) as queries:
        assert client.get(url).status_code == 200
    small = len(queries)
    with django_capture_on_commit_callbacks(execute=True):
        grow(shimin_sheet, 15)
    with django_assert_num_queries(small):
        assert client.get(url).status_code == 200


def test_a_save_keeps_a_constant_query_count(client, demo_users, shimin_sheet,
                                             django_assert_max_num_queries, django_assert_num_queries):
    """Each posted row is checked against the rows the form loaded, not looked up again."""
    client.force_login(demo_users["demo-joho"])

    def save(n):
        data = form_data(client, shimin_sheet, **{"sheet-activities": f"保存 {n}", "draft": "1"})
        assert client.post(edit_url(shimin_sheet), data).status_code == 302

    grow(shimin_sheet, 1)
    save(1)  # the first save numbers the indicators 1, 2, … (a write each)
    url = edit_url(shimin_sheet)
    data = form_data(client, shimin_sheet, **{"sheet-activities": "保存 2", "draft": "1"})
    with django_assert_max_num_queries(SAVE_MOST) as queries:
        assert client.post(url, data).status_code == 302
    small = len(queries)
    grow(shimin_sheet, 15)
    save(3)
    data = form_data(client, shimin_sheet, **{"sheet-activities": "保存 4", "draft": "1"})
    with django_assert_num_queries(small):
        assert client.post(url, data).status_code == 302


def test_a_posted_row_of_another_sheet_is_refused_and_changes_nothing(staff, shimin_sheet, kankyo_sheet):
    grow(shimin_sheet, 1)
    grow(kankyo_sheet, 1)
    other = kankyo_sheet.indicators.get()
    data = form_data(staff, shimin_sheet, **{"indicators-0-id": str(other.pk), "indicators-0-name": "乗っ取り",
                                             "draft": "1"})
    before = table_digest()
    response = staff.post(edit_url(shimin_sheet), data)
    assert response.status_code == 400
    assert_one_message_at_the_top(response, "この行が見つかりません")
    assert "乗っ取り" not in response.text  # the form is the sheet as stored, opened again
    assert table_digest() == before


def assert_one_message_at_the_top(response, text):
    html = response.content.decode()
    assert html.count(text) == 1, html.count(text)
    assert html.index(text) < html.index("<form method=\"post\" novalidate>")
    assert html.index(text) < html.index('class="messages"') + 500  # in the banner


@pytest.mark.parametrize("prefix", ["indicators", "schedule"])
@pytest.mark.parametrize("value", ["abc", "", "-1"])
def test_a_garbled_row_count_is_refused_with_one_message_and_changes_nothing(staff, shimin_sheet, prefix, value):
    grow(shimin_sheet, 1)
    data = form_data(staff, shimin_sheet, **{f"{prefix}-TOTAL_FORMS": value, "sheet-activities": "書き換え"})
    before = table_digest()
    response = staff.post(edit_url(shimin_sheet), data)
    assert response.status_code == 400
    assert_one_message_at_the_top(response, "送信された内容が正しくありません")
    assert "ManagementForm" not in response.text and "バグレポート" not in response.text
    assert table_digest() == before


def test_sheet_list_keeps_a_constant_query_count(client, demo_users, seed,
                                                 django_assert_max_num_queries, django_assert_num_queries):
    client.force_login(demo_users["demo-joho"])
    grow(ProjectSheet.objects.first(), 1)
    with django_assert_max_num_queries(PAGE_MOST) as queries:
        assert client.get("/sheets/?section=all").status_code == 200
    small = len(queries)
    for sheet in ProjectSheet.objects.all()[:20]:
        grow(sheet, 3)
    with django_assert_num_queries(small):
        assert client.get("/sheets/?section=all").status_code == 200


def test_stale_resave_keeps_both_peoples_changes(client, demo_users, shimin_sheet):
    """After the conflict, saving again applies only what this user changed."""
    first, second = client, client.__class__()
    first.force_login(demo_users["demo-joho"])
    second.force_login(demo_users["demo-staff-a"])
    mine = form_data(second, shimin_sheet, **{**INDICATOR, "sheet-legal_basis": "私の根拠", "draft": "1"})
    theirs = form_data(first, shimin_sheet, **{"sheet-activities": "事務局の追記", "schedule-1-planned": "説明会",
                                               "draft": "1"})
    assert first.post(edit_url(shimin_sheet), theirs).status_code == 302

    refused = second.post(edit_url(shimin_sheet), mine)
    assert refused.status_code == 409
    edit = refused.context["edit"]
    assert edit.sheet_form["activities"].value() == "事務局の追記"  # refreshed
    assert edit.sheet_form["legal_basis"].value() == "私の根拠"  # kept
    # Resubmit exactly what the page now shows.
    again = form_data_from(refused)
    assert second.post(edit_url(shimin_sheet), again).status_code == 302
    shimin_sheet.refresh_from_db()
    assert shimin_sheet.legal_basis == "私の根拠"
    assert shimin_sheet.activities == "事務局の追記"
    assert shimin_sheet.schedule.get(fiscal_year=2017).planned == "説明会"
    assert shimin_sheet.indicators.get().targets.get().value == Decimal("120")


def test_complete_save_lists_every_missing_item_at_once(staff, shimin_sheet):
    """Empty fields and the indicators/schedule they lack, in one answer."""
    before = table_digest()
    response = staff.post(edit_url(shimin_sheet), form_data(staff, shimin_sheet, **{**INDICATOR, "complete": "1"}))
    assert response.status_code == 400
    assert "完成として保存するには入力が必要です" in response.text  # the fields
    missing = response.context["missing"]
    assert any("目標値" in item and "28年度" in item for item in missing)  # the indicator's other years
    assert "スケジュール(予定)" in missing
    assert table_digest() == before  # the trial save was rolled back


@pytest.fixture
def reported_indicator(demo_users, shimin_sheet):
    """An indicator of the sheet with an empty result in a draft report of an open cycle."""
    from datetime import date

    from governance.cycles.services import open_cycle
    from governance.models import CycleKind

    grow(shimin_sheet, 1)
    cycle = open_cycle(user=demo_users["demo-joho"], plan=shimin_sheet.project.plan, kind=CycleKind.ANNUAL,
                       fiscal_year=2016, deadline=date(2017, 5, 31))
    indicator = shimin_sheet.indicators.get()
    return indicator, indicator.results.get(report__cycle=cycle)


def test_an_indicator_with_a_reported_result_cannot_be_deleted(staff, shimin_sheet, reported_indicator):
    indicator, result = reported_indicator
    result.actual = 9
    result.save()
    before = table_digest()
    response = staff.post(edit_url(shimin_sheet), form_data(staff, shimin_sheet, **{
        "indicators-0-DELETE": "on", "draft": "1"}))
    assert response.status_code == 400
    assert f"指標「{indicator.name}」には実績報告の実績値が記録されているため削除できません" in response.text
    assert table_digest() == before
    result.refresh_from_db()
    assert result.actual == 9


def test_an_indicator_with_only_empty_results_is_deleted_with_them(staff, shimin_sheet, reported_indicator):
    from governance.models import IndicatorResult

    indicator, result = reported_indicator
    response = staff.post(edit_url(shimin_sheet), form_data(staff, shimin_sheet, **{
        "indicators-0-DELETE": "on", "draft": "1"}))
    assert response.status_code == 302
    assert not Indicator.objects.filter(pk=indicator.pk).exists()
    assert not IndicatorResult.objects.filter(pk=result.pk).exists()


def test_the_database_never_deletes_a_result_with_its_indicator(reported_indicator):
    from django.db.models import ProtectedError

    indicator, _ = reported_indicator
    with pytest.raises(ProtectedError):
        indicator.delete()  # the admin or a script: refused, not cascaded


def test_only_existing_indicators_have_a_delete_box(staff, shimin_sheet):
    grow(shimin_sheet, 1)
    html = staff.get(edit_url(shimin_sheet)).text
    assert 'name="indicators-0-DELETE"' in html
    assert 'name="indicators-1-name"' in html and 'name="indicators-1-DELETE"' not in html  # the blank row


def sheet_list_summary(client):
    import re

    text = client.get("/sheets/").content.decode()
    return re.sub(r"\s+", " ", re.search(r"<p class=\"list-summary\">(.*?)</p>", text, re.DOTALL).group(1))


def test_sheet_list_counts_complete_by_state_and_full_sheets_apart(staff, shimin_sheet, master_code):
    total = ProjectSheet.objects.filter(section=shimin_sheet.section, project__plan__code="second").count()
    assert sheet_list_summary(staff) == (
        f"{total} 事業のうち、状態が「完成」のもの 0 件、必要な項目がすべて入力されているもの 0 件")
    # Everything filled in, saved as a draft: full, but not 完成.
    fields = {
        "sheet-master_plan_code": str(master_code.pk), "sheet-legal_basis": "市税条例",
        "sheet-policy_major": "行財政", "sheet-start_year": "平成24年度", "sheet-target": "納税者",
        "sheet-objective": "納付手段の拡充", "sheet-activities": "コンビニ収納の周知", **INDICATOR,
    }
    fields.update({f"indicators-0-target_{year}": "100" for year in range(2016, 2021)})
    fields.update({f"schedule-{i}-planned": "周知" for i in range(5)})
    assert staff.post(edit_url(shimin_sheet), form_data(staff, shimin_sheet, **fields)).status_code == 302
    assert ProjectSheet.objects.get(pk=shimin_sheet.pk).status == SheetStatus.DRAFT
    assert sheet_list_summary(staff) == (
        f"{total} 事業のうち、状態が「完成」のもの 0 件、必要な項目がすべて入力されているもの 1 件"
        "(うち 1 件は下書きのままです)")
    # Saved as 完成: counted as such.
    assert staff.post(edit_url(shimin_sheet), form_data(staff, shimin_sheet, complete="1")).status_code == 302
    assert sheet_list_summary(staff) == (
        f"{total} 事業のうち、状態が「完成」のもの 1 件、必要な項目がすべて入力されているもの 1 件")


def test_history_of_a_cleared_target_names_it_and_keeps_the_old_value(staff, shimin_sheet):
    from projects.history import sheet_history

    assert staff.post(edit_url(shimin_sheet), form_data(staff, shimin_sheet, **{
        **INDICATOR, "indicators-0-name": "機器更新台数", "indicators-0-target_2020": "16"})).status_code == 302
    indicator = Indicator.objects.get(sheet=shimin_sheet)
    prefix = "indicators-0-target_2020"
    assert staff.post(edit_url(shimin_sheet), form_data(staff, shimin_sheet, **{prefix: ""})).status_code == 302
    assert not IndicatorTarget.objects.filter(indicator=indicator, fiscal_year=2020).exists()

    [change] = sheet_history(ProjectSheet.objects.get(pk=shimin_sheet.pk))[0].changes
    assert (change.subject, change.label, change.before, change.after) == (
        "指標「機器更新台数」の目標値(32年度)", "目標値", "16", "(削除)")
    page = staff.get(f"/sheets/second/{shimin_sheet.project.code}/").content.decode()
    assert "<del>16</del>" in page and "<ins>(削除)</ins>" in page


def test_conflict_with_my_own_other_tab_says_so_neutrally_and_marks_how(staff, demo_users, shimin_sheet):
    from projects.services import SheetChanges, Via, save_sheet

    stale = form_data(staff, shimin_sheet, **{"sheet-legal_basis": "この画面の入力"})
    # The same person saved in another tab, then 情報推進課 changed it in the admin.
    other_tab = form_data(staff, shimin_sheet, **{"sheet-activities": "別のタブで保存"})
    assert staff.post(edit_url(shimin_sheet), other_tab).status_code == 302
    sheet = ProjectSheet.objects.get(pk=shimin_sheet.pk)
    save_sheet(sheet=sheet, seen_version=sheet.version, changes=SheetChanges(fields={"policy_major": "行財政"}),
               user=demo_users["demo-joho"], via=Via.ADMIN)

    response = staff.post(edit_url(shimin_sheet), stale)
    assert response.status_code == 409
    text = response.content.decode()
    assert "他の利用者" not in text
    assert "このシートは、あなたが開いた後に更新されました(更新者:あなた自身(別のタブや画面)、情報 花子)。" in text
    office = demo_users["demo-joho"].display_name
    assert f"{office}(管理画面)" in text.split('id="conflict-heading"')[1].split("</section>")[0]

"""The data pages: downloads, upload → preview → confirm, and hostile files,
each refused with a Japanese message, never a server error, the database unchanged."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from exchange.files import write_csv
from projects.models import ScheduleEntry
from tests.exchange.conftest import KANKYO_CODE, SHIMIN_CODES, digest, edit_xlsx, post_file, template_bytes

CODE = SHIMIN_CODES[0]
YEAR = "平成28年度(2016年度)"


def test_department_downloads_its_template(staff_client, cycle):
    response = staff_client.get(reverse("exchange:template_download"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert {"シート", "指標", "スケジュール", "実績報告", "指標の実績"} <= set(book.sheetnames)


@pytest.mark.parametrize("name", ["plan", "master_codes", "sheets", "indicators", "schedule"])
def test_every_signed_in_user_may_export(staff_client, cycle, name):
    for fmt in ("xlsx", "csv"):
        response = staff_client.get(reverse("exchange:data_export", args=[name]), {"format": fmt})
        assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")  # CSV in UTF-8 with BOM


def test_cycle_exports_and_summary(staff_client, cycle):
    from urllib.parse import unquote

    from core import fiscal

    for name in ("reports", "results", "summary"):
        response = staff_client.get(reverse("exchange:data_export", args=[name]), {"cycle": cycle.pk})
        assert response.status_code == 200
        # The file is named after the cycle's year and kind.
        assert f"_{fiscal.fy_era(cycle.fiscal_year)}_{cycle.get_kind_display()}_" in unquote(
            response["Content-Disposition"])
    assert staff_client.get(reverse("exchange:data_export", args=["summary"])).status_code == 404


def test_upload_preview_then_confirm(staff_client, demo_users, plan, cycle):
    data = edit_xlsx(template_bytes(demo_users["demo-staff-a"], plan), "スケジュール",
                     {"事業コード": CODE, "年度": YEAR}, {"実績": "開始した"})
    response = post_file(staff_client, data)
    assert response.status_code == 302
    preview = staff_client.get(reverse("exchange:import_preview"))
    assert preview.status_code == 200 and "開始した" in preview.content.decode()
    assert not ScheduleEntry.objects.filter(actual="開始した").exists()
    token = staff_client.session["exchange_upload"]["token"]
    done = staff_client.post(reverse("exchange:import_preview"), {"token": token})
    assert done.status_code == 302
    assert ScheduleEntry.objects.get(sheet__project__code=CODE, sheet__project__plan=plan, fiscal_year=2016).actual == "開始した"
    assert "exchange_upload" not in staff_client.session


def test_confirm_needs_the_previewed_token(staff_client, demo_users, plan, cycle):
    data = edit_xlsx(template_bytes(demo_users["demo-staff-a"], plan), "スケジュール",
                     {"事業コード": CODE, "年度": YEAR}, {"実績": "開始した"})
    post_file(staff_client, data)
    before = digest()
    staff_client.post(reverse("exchange:import_preview"), {"token": "forged"})
    assert digest() == before


def _zip_bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"\0" * (300 * 1024 * 1024))
    return out.getvalue()


def _hostile(kind, template):
    if kind == "corrupt":
        return b"PK\x03\x04 not really a workbook", "t.xlsx"
    if kind == "truncated":
        return template[: len(template) // 2], "t.xlsx"
    if kind == "zip bomb":
        return _zip_bomb(), "t.xlsx"
    if kind == "utf-16 csv":
        return "事業コード,年度\r\n".encode("utf-16"), "t.csv"
    if kind == "empty":
        return b"", "t.xlsx"
    if kind == "unknown type":
        return b"hello", "t.txt"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["corrupt", "truncated", "zip bomb", "utf-16 csv", "empty", "unknown type"])
def test_hostile_files_are_refused_with_a_message(staff_client, demo_users, plan, cycle, kind):
    data, name = _hostile(kind, template_bytes(demo_users["demo-staff-a"], plan))
    before = digest()
    response = post_file(staff_client, data, name, resource="schedule")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors and all(ord(m[0]) > 0x3000 or "ファイル" in m or "CSV" in m or "Excel" in m
                          for messages in errors.values() for m in messages)
    assert digest() == before


def _workbook_with(template, edit):
    book = load_workbook(io.BytesIO(template))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _drop_column(book):
    book["スケジュール"].delete_cols(4)  # 予定


def _extra_column(book):
    book["スケジュール"].cell(row=1, column=20, value="メモ")


def _duplicate_row(book):
    sheet = book["スケジュール"]
    sheet.append([c.value for c in sheet[2]])


def _formula(book):
    book["指標の実績"]["I2"] = "=1+1"


@pytest.mark.parametrize("edit, needle", [
    (_drop_column, "列「予定」がありません"), (_extra_column, "列「メモ」は"),
    (_duplicate_row, "重複"), (_formula, "数式"),
])
def test_bad_contents_are_listed_and_nothing_is_written(staff_client, demo_users, plan, cycle, edit, needle):
    data = _workbook_with(template_bytes(demo_users["demo-staff-a"], plan), edit)
    before = digest()
    assert post_file(staff_client, data).status_code == 302
    preview = staff_client.get(reverse("exchange:import_preview"))
    assert needle in preview.content.decode()
    assert "この内容で取り込む" not in preview.content.decode()
    token = staff_client.session["exchange_upload"]["token"]
    assert staff_client.post(reverse("exchange:import_preview"), {"token": token}).status_code == 400
    assert digest() == before


def test_size_and_row_limits(staff_client, demo_users, plan, cycle, settings):
    data = template_bytes(demo_users["demo-staff-a"], plan)
    settings.IMPORT_MAX_BYTES = 100
    response = post_file(staff_client, data)
    assert response.status_code == 400 and "大きすぎます" in str(response.context["form"].errors)
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 3
    response = post_file(staff_client, data)
    assert response.status_code == 400 and "行" in str(response.context["form"].errors)


def test_cp932_csv_imports(staff_client, demo_users, plan, cycle):
    from exchange import services

    specs = services.export_specs("schedule", user=demo_users["demo-staff-a"], plan=plan)
    dataset = specs[0].dataset
    dataset = dataset.subset(rows=[i for i, row in enumerate(dataset) if row[0] == CODE])
    index = [i for i, row in enumerate(dataset) if row[2] == YEAR][0]
    row = list(dataset[index])
    row[4] = "窓口で開始"
    dataset[index] = row
    data = write_csv(dataset).decode("utf-8-sig").encode("cp932")
    assert post_file(staff_client, data, "s.csv", resource="schedule").status_code == 302
    token = staff_client.session["exchange_upload"]["token"]
    assert staff_client.post(reverse("exchange:import_preview"), {"token": token}).status_code == 302
    assert ScheduleEntry.objects.get(sheet__project__code=CODE, sheet__project__plan=plan, fiscal_year=2016).actual == "窓口で開始"


def test_commands_export_and_import(demo_users, plan, cycle, tmp_path):
    out = tmp_path / "schedule.xlsx"
    call_command("export_data", "schedule", "--output", str(out), "--user", "demo-staff-a")
    data = edit_xlsx(out.read_bytes(), "スケジュール", {"事業コード": CODE, "年度": YEAR}, {"実績": "コマンドで"})
    # The whole plan's schedule holds other sections' rows: one of them changed, the
    # file is refused and nothing written.
    out.write_bytes(edit_xlsx(data, "スケジュール", {"事業コード": KANKYO_CODE, "年度": YEAR}, {"実績": "他課の行"}))
    before = digest()
    with pytest.raises(CommandError, match="何も変更していません"):
        call_command("import_data", "schedule", str(out), "--user", "demo-staff-a")
    assert digest() == before
    call_command("import_data", "schedule", str(out), "--user", "demo-joho", "--dry-run")
    assert digest() == before
    # Unchanged, they are skipped and counted; the member of staff's own change goes in.
    out.write_bytes(data)
    stdout = io.StringIO()
    call_command("import_data", "schedule", str(out), "--user", "demo-staff-a", stdout=stdout)
    assert "変更 1 行" in stdout.getvalue() and "変更のない他の課の行" in stdout.getvalue()
    assert ScheduleEntry.objects.get(sheet__project__code=CODE, sheet__project__plan=plan, fiscal_year=2016).actual == "コマンドで"

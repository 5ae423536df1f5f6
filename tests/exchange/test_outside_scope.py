"""A whole export from /data/ (every section's rows) imported back by department
staff: the other sections' unchanged rows are skipped and counted, their own changes
go through, and a changed row of another section is refused with nothing written."""

import io

import pytest
from django.urls import reverse

from exchange import services
from exchange.files import read_upload, write_csv, write_xlsx
from projects.models import ScheduleEntry
from tests.exchange.conftest import KANKYO_CODE, SHIMIN_CODES, digest

YEAR_2016 = "平成28年度(2016年度)"
YEAR_2017 = "平成29年度(2017年度)"


def whole_export(user, plan, name, fmt):
    """The rows /data/ exports for `name`: every sheet the user may read."""
    specs = services.export_specs(name, user=user, plan=plan)
    return specs[0].dataset


def edited(dataset, edits):
    """A copy with cells changed as a user does in Excel: {(code, year): {column: value}}."""
    headers = dataset.headers
    rows = [list(row) for row in dataset]
    for (code, year), values in edits.items():
        [row] = [r for r in rows if r[headers.index("事業コード")] == code and r[headers.index("年度")] == year]
        for column, value in values.items():
            row[headers.index(column)] = value
    import tablib

    return tablib.Dataset(*rows, headers=headers, title=dataset.title)


def upload(dataset, fmt):
    data = write_xlsx([services.SheetSpec(title=dataset.title, dataset=dataset)]) if fmt == "xlsx" \
        else write_csv(dataset)
    return read_upload(io.BytesIO(data), f"export.{fmt}")


def outside_rows(dataset, own_codes):
    return sum(1 for code in dataset["事業コード"] if code not in own_codes)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_whole_schedule_export_with_two_own_changes_previews_exactly_those(demo_users, plan, shimin_sheets, fmt):
    user = demo_users["demo-staff-a"]
    dataset = whole_export(user, plan, "schedule", fmt)
    outside = outside_rows(dataset, SHIMIN_CODES)
    assert outside > 100  # every other section's sheet, and the sheets with no section yet
    changed = edited(dataset, {(SHIMIN_CODES[0], YEAR_2016): {"予定": "システム改修"},
                               (SHIMIN_CODES[1], YEAR_2017): {"実績": "運用開始"}})
    before = digest()

    outcome = services.run_import(upload(changed, fmt), user=user, plan=plan, commit=False, resource_name="schedule")

    assert outcome.errors == []
    assert [(c.key, c.changes) for c in outcome.changes] == [
        (f"{SHIMIN_CODES[0]} / 2016", [("予定", "周知", "システム改修")]),
        (f"{SHIMIN_CODES[1]} / 2017", [("実績", "", "運用開始")]),
    ]
    assert outcome.outside == outside
    assert outcome.unchanged == len(dataset) - outside - 2
    assert digest() == before  # a preview writes nothing

    outcome = services.run_import(upload(changed, fmt), user=user, plan=plan, commit=True, resource_name="schedule")
    assert outcome.applied, outcome.errors
    entries = ScheduleEntry.objects.filter(sheet__project__plan=plan)
    assert entries.get(sheet__project__code=SHIMIN_CODES[0], fiscal_year=2016).planned == "システム改修"
    assert entries.get(sheet__project__code=SHIMIN_CODES[1], fiscal_year=2017).actual == "運用開始"
    assert entries.filter(planned="システム改修").count() == 1 and entries.filter(actual="運用開始").count() == 1


@pytest.mark.parametrize("name", ["sheets", "indicators"])
def test_whole_export_of_other_resources_imports_back_unchanged(demo_users, plan, shimin_sheets, name):
    user = demo_users["demo-staff-a"]
    dataset = whole_export(user, plan, name, "xlsx")
    before = digest()
    outcome = services.run_import(upload(dataset, "xlsx"), user=user, plan=plan, commit=True, resource_name=name)
    assert outcome.errors == [] and outcome.changes == []
    assert outcome.outside == outside_rows(dataset, SHIMIN_CODES) > 0
    assert digest() == before


def test_changed_row_of_another_section_is_refused_and_nothing_is_written(demo_users, plan, shimin_sheets):
    user = demo_users["demo-staff-a"]
    dataset = whole_export(user, plan, "schedule", "xlsx")
    changed = edited(dataset, {(SHIMIN_CODES[0], YEAR_2016): {"予定": "システム改修"},
                               (KANKYO_CODE, YEAR_2016): {"予定": "書き換え"}})
    before = digest()

    outcome = services.run_import(upload(changed, "xlsx"), user=user, plan=plan, commit=True, resource_name="schedule")

    assert not outcome.applied
    assert [e.message for e in outcome.errors] == [
        f"{KANKYO_CODE} / 2016 はあなたが変更できる範囲の外です(他の課の事業です)。この行は取り込めません。"]
    assert digest() == before
    assert not ScheduleEntry.objects.filter(planned__in=["書き換え", "システム改修"]).exists()


def test_preview_page_says_once_how_many_rows_of_other_sections_are_left_alone(
        staff_client, demo_users, plan, shimin_sheets):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dataset = whole_export(demo_users["demo-staff-a"], plan, "schedule", "csv")
    outside = outside_rows(dataset, SHIMIN_CODES)
    changed = edited(dataset, {(SHIMIN_CODES[0], YEAR_2016): {"予定": "システム改修"}})
    staff_client.post(reverse("exchange:import_upload"),
                      {"file": SimpleUploadedFile("s.csv", write_csv(changed)), "resource": "schedule"})
    page = staff_client.get(reverse("exchange:import_preview")).content.decode()
    assert page.count(f"他の課の行 {outside} 行は変更がないため取り込みません") == 1
    assert "範囲の外" not in page

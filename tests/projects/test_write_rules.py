"""The sheet's write rules whatever the path: a refused 完成 writes nothing, a
non-numeric target is an error (never a deletion), tampered posts are 400s, an
admin change of a sheet's part raises its version, the admin never 500s on add."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Indicator, IndicatorTarget, ProjectSheet
from tests.projects.conftest import edit_url, form_data
from tests.projects.conftest import INDICATOR, table_digest

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def staff(client, demo_users):
    client.force_login(demo_users["demo-staff-a"])
    return client


@pytest.fixture
def targeted(shimin_sheet):
    indicator = Indicator.objects.create(sheet=shimin_sheet, name="申請件数", unit="件", position=1)
    IndicatorTarget.objects.create(indicator=indicator, fiscal_year=2017, value=Decimal("12"))
    return indicator


def test_a_refused_complete_save_executes_no_write_and_lists_every_missing_item(staff, shimin_sheet):
    data = form_data(staff, shimin_sheet, **{**INDICATOR, "complete": "1"})
    with CaptureQueriesContext(connection) as queries:
        response = staff.post(edit_url(shimin_sheet), data)
    assert response.status_code == 400
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert writes == []
    missing = response.context["missing"]
    # Hand-listed from the seed sheet 1-2-1-02: every field empty, targets only for 29年度, no plans.
    assert missing == [
        "第五次総合基本計画コード", "実施根拠", "政策項目(大項目)", "事業期間(開始年度)",
        "目的<対象者、対象物>", "目的<目標>", "実施内容",
        "指標「予約システムの利用件数」の目標値(28年度、30年度、31年度、32年度)", "スケジュール(予定)",
    ]
    assert "完成として保存するには入力が必要です" in response.text


def test_a_complete_save_with_a_refused_value_also_lists_what_is_missing(staff, shimin_sheet, targeted):
    """A 完成 with a non-number in one box: the box's error, and every item the sheet would
    still lack (the refused box counts as it is stored), all at once; nothing written."""
    data = form_data(staff, shimin_sheet, **{"indicators-0-target_2017": "abc", "sheet-activities": "予約の受付",
                                             "complete": "1"})
    before = table_digest()
    response = staff.post(edit_url(shimin_sheet), data)
    assert response.status_code == 400
    assert "数値を入力してください" in response.text
    assert table_digest() == before
    # Hand-listed from the seed sheet 1-2-1-02 with 実施内容 typed in: the other fields empty; the
    # indicator has its stored 29年度 target only (the refused 「abc」 changes nothing); no plans.
    assert response.context["missing"] == [
        "第五次総合基本計画コード", "実施根拠", "政策項目(大項目)", "事業期間(開始年度)",
        "目的<対象者、対象物>", "目的<目標>",
        "指標「申請件数」の目標値(28年度、30年度、31年度、32年度)", "スケジュール(予定)",
    ]


@pytest.mark.parametrize("typed", ["abc", "十二", "12a"])
def test_a_non_numeric_target_is_an_error_and_keeps_the_stored_target(staff, shimin_sheet, targeted, typed):
    data = form_data(staff, shimin_sheet, **{"indicators-0-target_2017": typed, "draft": "1"})
    before = table_digest()
    response = staff.post(edit_url(shimin_sheet), data)
    assert response.status_code == 400
    assert "数値を入力してください" in response.text
    assert table_digest() == before
    assert IndicatorTarget.objects.get(indicator=targeted, fiscal_year=2017).value == Decimal("12")


def test_full_width_digits_in_a_target_are_read_as_a_number(staff, shimin_sheet, targeted):
    data = form_data(staff, shimin_sheet, **{"indicators-0-target_2017": "１，２００", "draft": "1"})
    assert staff.post(edit_url(shimin_sheet), data).status_code == 302
    assert IndicatorTarget.objects.get(indicator=targeted, fiscal_year=2017).value == Decimal("1200")


def test_the_target_box_is_a_text_box_so_the_browser_sends_what_was_typed(staff, shimin_sheet, targeted):
    page = staff.get(edit_url(shimin_sheet)).text
    assert 'name="indicators-0-target_2017"' in page
    box = page[page.rindex("<input", 0, page.index('name="indicators-0-target_2017"')):]
    box = box[:box.index(">")]
    assert 'type="text"' in box and 'inputmode="decimal"' in box


@pytest.mark.parametrize("seen", ["abc", "", "１", "-1"])
def test_an_unreadable_seen_version_is_a_400_and_writes_nothing(staff, shimin_sheet, seen):
    data = form_data(staff, shimin_sheet, **{"sheet-activities": "改ざん", "seen_version": seen, "draft": "1"})
    before = table_digest()
    response = staff.post(edit_url(shimin_sheet), data)
    assert response.status_code == 400
    assert "版が読めません" in response.text
    assert table_digest() == before


def test_a_schedule_row_of_another_sheet_is_a_400_and_writes_nothing(staff, shimin_sheet, kankyo_sheet):
    other = kankyo_sheet.schedule.get(fiscal_year=2017)
    data = form_data(staff, shimin_sheet, **{"schedule-1-id": str(other.pk), "schedule-1-planned": "乗っ取り",
                                             "draft": "1"})
    before = table_digest()
    response = staff.post(edit_url(shimin_sheet), data)
    assert response.status_code == 400
    assert "この行が見つかりません" in response.text
    assert table_digest() == before


def test_the_admin_add_sheet_page_does_not_fail(client, demo_users, admin_user):
    for user in (demo_users["demo-joho"], admin_user):
        client.force_login(user)
        response = client.get(reverse("admin:projects_projectsheet_add"))
        assert response.status_code == 403  # every project already has its sheet


@pytest.mark.parametrize("part", ["indicator", "target", "schedule", "add_target", "delete_target"])
def test_an_admin_change_of_a_sheet_part_refuses_an_edit_form_opened_before(
        client, demo_users, shimin_sheet, targeted, part):
    from tests.conftest import admin_form_data

    staff = client.__class__()
    staff.force_login(demo_users["demo-staff-a"])
    stale = form_data(staff, shimin_sheet, **{"sheet-activities": "古い画面からの保存", "draft": "1"})
    client.force_login(demo_users["demo-joho"])
    target = IndicatorTarget.objects.get(indicator=targeted)
    entry = shimin_sheet.schedule.get(fiscal_year=2018)
    if part == "delete_target":
        url = reverse("admin:projects_indicatortarget_delete", args=[target.pk])
        assert client.post(url, {"post": "yes"}).status_code == 302
    else:
        url, changes = {
            "indicator": (reverse("admin:projects_indicator_change", args=[targeted.pk]), {"name": "管理者の名前"}),
            "target": (reverse("admin:projects_indicatortarget_change", args=[target.pk]), {"value": "99"}),
            "schedule": (reverse("admin:projects_scheduleentry_change", args=[entry.pk]), {"planned": "管理者の予定"}),
            "add_target": (reverse("admin:projects_indicatortarget_add"),
                           {"indicator": str(targeted.pk), "fiscal_year": "2019", "value": "7"}),
        }[part]
        data = {**admin_form_data(client.get(url)), **changes}
        response = client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
    after_admin = table_digest()
    assert ProjectSheet.objects.get(pk=shimin_sheet.pk).version == shimin_sheet.version + 1

    response = staff.post(edit_url(shimin_sheet), stale)
    assert response.status_code == 409
    assert table_digest() == after_admin

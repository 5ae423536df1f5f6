"""One sheet change made through the edit page, the admin and an Excel import: the
same stored rows, one version step and one 履歴 entry each, marked by how it was made."""

import pytest
from django.urls import reverse

from exchange import services
from projects.history import sheet_history
from projects.models import IndicatorTarget, ProjectSheet, ScheduleEntry
from tests.exchange.conftest import SHIMIN_CODES, edit_xlsx, template_bytes, upload_of
from tests.projects.conftest import edit_url, form_data
from tests.conftest import admin_form_data

CODE = SHIMIN_CODES[0]
ACTIVITIES = "窓口とコンビニで周知する"
PLANNED_2017 = "説明会"


def through_page(client, users, sheet):
    client.force_login(users["demo-staff-a"])
    data = form_data(client, sheet, **{"sheet-activities": ACTIVITIES, "schedule-1-planned": PLANNED_2017,
                                       "draft": "1"})
    assert client.post(edit_url(sheet), data).status_code == 302


def through_admin(client, users, sheet):
    client.force_login(users["demo-joho"])
    url = reverse("admin:projects_projectsheet_change", args=[sheet.pk])
    data = admin_form_data(client.get(url))
    year_index = next(i for i in range(10) if data.get(f"schedule-{i}-fiscal_year") == "2017")
    data.update({"activities": ACTIVITIES, f"schedule-{year_index}-planned": PLANNED_2017})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def through_import(client, users, sheet):
    user = users["demo-staff-a"]
    data = template_bytes(user, sheet.project.plan)
    data = edit_xlsx(data, "シート", {"事業コード": CODE}, {"実施内容": ACTIVITIES})
    data = edit_xlsx(data, "スケジュール", {"事業コード": CODE, "年度": "平成29年度(2017年度)"}, {"予定": PLANNED_2017})
    outcome = services.run_import(upload_of(data), user=user, plan=sheet.project.plan, commit=True)
    assert outcome.applied, outcome.errors


@pytest.mark.parametrize("path, via", [(through_page, "画面"), (through_admin, "管理画面"),
                                       (through_import, "Excel・CSV の取込み")])
def test_the_same_change_by_page_admin_and_import_gives_the_same_rows_one_version_and_one_marked_entry(
        client, demo_users, shimin_sheets, plan, path, via):
    sheet = ProjectSheet.objects.get(project__plan=plan, project__code=CODE)
    entries = len(sheet_history(sheet))
    other_years = dict(ScheduleEntry.objects.filter(sheet=sheet).exclude(fiscal_year=2017)
                       .values_list("fiscal_year", "planned"))
    targets = list(IndicatorTarget.objects.filter(indicator__sheet=sheet).values_list("fiscal_year", "value"))

    path(client, demo_users, sheet)

    after = ProjectSheet.objects.get(pk=sheet.pk)
    assert after.activities == ACTIVITIES
    assert after.version == sheet.version + 1
    assert ScheduleEntry.objects.get(sheet=sheet, fiscal_year=2017).planned == PLANNED_2017
    assert other_years == {2016: "周知", 2018: "周知", 2019: "周知", 2020: "周知"}
    assert dict(ScheduleEntry.objects.filter(sheet=sheet).exclude(fiscal_year=2017)
                .values_list("fiscal_year", "planned")) == other_years
    assert list(IndicatorTarget.objects.filter(indicator__sheet=sheet).values_list("fiscal_year", "value")) == targets
    history = sheet_history(after)
    assert len(history) == entries + 1
    newest = history[0]
    assert (newest.version, newest.reason) == (sheet.version + 1, via)
    assert {(c.subject, c.label, c.after) for c in newest.changes} == {
        ("シート", "実施内容", ACTIVITIES), ("スケジュール(29年度)", "予定", PLANNED_2017)}
    # …and the version is shown as it was.
    client.force_login(demo_users["demo-joho"])
    page = client.get(f"{after.get_absolute_url()}versions/{newest.history_id}/")
    assert page.status_code == 200 and ACTIVITIES in page.text
    shown = client.get(after.get_absolute_url()).text
    assert (f"({via})" in shown) == (via != "画面")  # the edit page is the usual way: no mark


def test_an_import_that_changes_only_targets_is_marked_as_an_import(demo_users, shimin_sheets, plan):
    user = demo_users["demo-staff-a"]
    sheet = ProjectSheet.objects.get(project__plan=plan, project__code=CODE)
    data = edit_xlsx(template_bytes(user, plan), "指標", {"事業コード": CODE, "指標番号": "1"}, {"29年度目標値": 1200})
    outcome = services.run_import(upload_of(data), user=user, plan=plan, commit=True)
    assert outcome.applied, outcome.errors
    newest = sheet_history(ProjectSheet.objects.get(pk=sheet.pk))[0]
    assert newest.reason == "Excel・CSV の取込み"
    assert newest.version == sheet.version + 1
    assert [(c.label, c.before, c.after) for c in newest.changes] == [("目標値", "1,000", "1,200")]

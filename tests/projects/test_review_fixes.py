"""Defects a review of the single write path found: each test failed before its fix."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services
from projects.models import Indicator, IndicatorTarget, ProjectSheet
from projects.services import IndicatorChange, SheetChanges, Via, save_sheet
from tests.conftest import admin_form_data
from tests.projects.conftest import edit_url, form_data


@pytest.fixture
def office(client, demo_users):
    client.force_login(demo_users["demo-joho"])
    return client


def test_deleting_targets_in_bulk_in_the_admin_deletes_every_one(office, shimin_sheet):
    indicator = Indicator.objects.create(sheet=shimin_sheet, name="件数", unit="件", position=1)
    targets = [IndicatorTarget.objects.create(indicator=indicator, fiscal_year=y, value=Decimal(5)) for y in (2016, 2017, 2018)]
    response = office.post(reverse("admin:projects_indicatortarget_changelist"), {
        "action": "delete_selected", "post": "yes", "_selected_action": [str(t.pk) for t in targets]})
    assert response.status_code == 302
    assert not IndicatorTarget.objects.filter(indicator=indicator).exists()
    # One new version per deleted row, each through the service (none refused as stale).
    assert ProjectSheet.objects.get(pk=shimin_sheet.pk).version == shimin_sheet.version + 3


def test_changing_a_schedule_rows_year_in_the_sheet_admin_moves_it(office, shimin_sheet):
    url = reverse("admin:projects_projectsheet_change", args=[shimin_sheet.pk])
    data = admin_form_data(office.get(url))
    index = next(i for i in range(10) if data.get(f"schedule-{i}-fiscal_year") == "2020")
    data[f"schedule-{index}-fiscal_year"] = "2025"
    data[f"schedule-{index}-planned"] = "移した予定"
    assert office.post(url, data).status_code == 302
    years = sorted(shimin_sheet.schedule.values_list("fiscal_year", flat=True))
    assert years == [2016, 2017, 2018, 2019, 2025]  # 2020 moved, not copied


def test_an_extra_schedule_row_posted_to_the_edit_form_is_refused_not_a_server_error(client, demo_users,
                                                                                      shimin_sheet):
    client.force_login(demo_users["demo-staff-a"])
    data = form_data(client, shimin_sheet, **{"draft": "1"})
    total = int(data["schedule-TOTAL_FORMS"])
    data.update({"schedule-TOTAL_FORMS": str(total + 1), f"schedule-{total}-actual": "勝手な行"})
    version = ProjectSheet.objects.get(pk=shimin_sheet.pk).version
    response = client.post(edit_url(shimin_sheet), data)
    assert response.status_code == 400
    assert "スケジュールの行の数が違います" in response.text
    assert ProjectSheet.objects.get(pk=shimin_sheet.pk).version == version


def test_a_result_reported_after_the_check_stops_the_indicators_deletion(demo_users, shimin_sheet, monkeypatch):
    """The race: the save found the indicator's result empty, the department then filled it
    in. The delete refuses (nothing written) instead of deleting the reported value."""
    from datetime import date

    from governance.cycles.services import open_cycle
    from governance.models import CycleKind, IndicatorResult

    indicator = Indicator.objects.create(sheet=shimin_sheet, name="件数", unit="件", position=1)
    open_cycle(user=demo_users["demo-joho"], plan=shimin_sheet.project.plan, kind=CycleKind.ANNUAL,
               fiscal_year=2016, deadline=date(2017, 5, 31))
    IndicatorResult.objects.filter(indicator=indicator).update(actual=Decimal(12))  # filled in meanwhile
    monkeypatch.setattr(services, "_undeletable", lambda plans: {})  # the check ran before that
    sheet = ProjectSheet.objects.get(pk=shimin_sheet.pk)
    with pytest.raises(services.ValidationError):
        save_sheet(sheet=sheet, seen_version=sheet.version, user=demo_users["demo-joho"], via=Via.PAGE,
                   changes=SheetChanges(indicators=[IndicatorChange(id=indicator.pk, delete=True)]))
    assert IndicatorResult.objects.get(indicator=indicator).actual == Decimal(12)
    assert ProjectSheet.objects.get(pk=shimin_sheet.pk).version == sheet.version

"""An indicator's achievement method, chosen on the sheet edit form (governance.achievement)."""

from decimal import Decimal

import pytest

from projects.models import Indicator
from tests.projects.conftest import INDICATOR, edit_url, form_data, table_digest


@pytest.fixture
def staff(client, demo_users):
    client.force_login(demo_users["demo-staff-a"])
    return client


def test_a_new_indicator_is_rated_against_its_target(staff, shimin_sheet):
    data = form_data(staff, shimin_sheet, **INDICATOR, draft="1")
    assert staff.post(edit_url(shimin_sheet), data).status_code == 302
    assert Indicator.objects.get(sheet=shimin_sheet).achievement_method == "ratio"


def test_progress_from_the_baseline_is_saved_recorded_and_shown(staff, shimin_sheet):
    data = form_data(staff, shimin_sheet, **INDICATOR, **{
        "indicators-0-achievement_method": "progress", "indicators-0-baseline_value": "80", "draft": "1"})
    assert staff.post(edit_url(shimin_sheet), data).status_code == 302
    indicator = Indicator.objects.get(sheet=shimin_sheet)
    assert (indicator.achievement_method, indicator.baseline_value) == ("progress", Decimal(80))
    response = staff.get(shimin_sheet.get_absolute_url())
    assert "達成率:基準値からの進捗" in response.text
    changed = {(c.subject, c.label): (c.before, c.after) for c in response.context["body"]["history"][0].changes}
    assert changed[("指標「予約システムの利用件数」", "達成率の算定方法")] == ("", "基準値からの進捗")


def test_progress_without_a_baseline_is_refused_and_changes_nothing(staff, shimin_sheet):
    data = form_data(staff, shimin_sheet, **INDICATOR, **{
        "indicators-0-achievement_method": "progress", "draft": "1"})
    before = table_digest()
    response = staff.post(edit_url(shimin_sheet), data)
    assert response.status_code == 400
    assert "達成率を「基準値からの進捗」で算定するには、基準値を入力してください。" in response.text
    assert table_digest() == before

"""The sheet page shows a save at once, also one that bypasses the edit form (the
admin) and one after a restored backup. (The page is not cached: it costs a few
milliseconds; these were the freshness tests of its cache and still hold. Its query
count is tested in test_sheets.)"""

from projects.models import ScheduleEntry
from tests.projects.conftest import edit_url, form_data


def test_a_save_shows_on_the_sheet_page_at_once(client, demo_users, shimin_sheet):
    client.force_login(demo_users["demo-staff-a"])
    url = shimin_sheet.get_absolute_url()
    for _ in range(2):
        html = client.get(url).text
        assert "地方自治法第一条" not in html and "第1版" in html
    data = form_data(client, shimin_sheet, **{"sheet-legal_basis": "地方自治法第一条", "draft": "1"})
    assert client.post(edit_url(shimin_sheet), data).status_code == 302
    html = client.get(url).text
    assert "第2版" in html
    assert html.count("地方自治法第一条") == 2  # in the sheet and in the history's new entry
    assert "<ins>地方自治法第一条</ins>" in html


def test_a_schedule_change_outside_the_form_shows_at_once(client, demo_users, shimin_sheet):
    client.force_login(demo_users["demo-staff-a"])
    url = shimin_sheet.get_absolute_url()
    client.get(url)
    entry = ScheduleEntry.objects.filter(sheet=shimin_sheet).first()
    entry.planned = "管理画面で直した予定"  # a plain save, as the admin does: the version stays
    entry.save()
    assert "管理画面で直した予定" in client.get(url).text


def test_a_version_number_that_comes_back_does_not_bring_back_its_page(client, demo_users, shimin_sheet):
    """A backup restored after a save, then another save: the sheet is at the same version
    as in the thrown-away save, and its page must show the new save, not the old one."""
    from projects.models import ProjectSheet

    client.force_login(demo_users["demo-staff-a"])
    url = shimin_sheet.get_absolute_url()
    before = ProjectSheet.objects.filter(pk=shimin_sheet.pk).values("version", "legal_basis", "updated_at").get()
    data = form_data(client, shimin_sheet, **{"sheet-legal_basis": "捨てられる保存", "draft": "1"})
    assert client.post(edit_url(shimin_sheet), data).status_code == 302
    assert "捨てられる保存" in client.get(url).text
    ProjectSheet.objects.filter(pk=shimin_sheet.pk).update(**before)  # as a restore puts it back
    data = form_data(client, shimin_sheet, **{"sheet-legal_basis": "復元の後の保存", "draft": "1"})
    assert client.post(edit_url(shimin_sheet), data).status_code == 302
    html = client.get(url).text
    assert "復元の後の保存" in html

"""The sheet page caches its body (layout, what is missing, history) under the data
stamps, the sheet's version and last change and the day (core.stamps): a save shows
at once, also one that bypasses the edit form (the admin), and a cached page costs
fewer queries. Commits are played by django_capture_on_commit_callbacks(execute=True)."""

from django.core.cache import cache

from projects.models import ScheduleEntry
from tests.projects.conftest import edit_url, form_data
from tests.projects.conftest import count_queries


def test_a_save_shows_on_the_sheet_page_at_once(client, demo_users, shimin_sheet):
    client.force_login(demo_users["demo-staff-a"])
    url = shimin_sheet.get_absolute_url()
    for _ in range(2):  # the second from the cache
        html = client.get(url).text
        assert "地方自治法第一条" not in html and "第1版" in html
    data = form_data(client, shimin_sheet, **{"sheet-legal_basis": "地方自治法第一条", "draft": "1"})
    assert client.post(edit_url(shimin_sheet), data).status_code == 302
    html = client.get(url).text
    assert "第2版" in html
    assert html.count("地方自治法第一条") == 2  # in the sheet and in the history's new entry
    assert "<ins>地方自治法第一条</ins>" in html


def test_a_schedule_change_outside_the_form_shows_at_once(client, demo_users, shimin_sheet,
                                                          django_capture_on_commit_callbacks):
    client.force_login(demo_users["demo-staff-a"])
    url = shimin_sheet.get_absolute_url()
    client.get(url)
    entry = ScheduleEntry.objects.filter(sheet=shimin_sheet).first()
    entry.planned = "管理画面で直した予定"  # a plain save, as the admin does: the version stays
    with django_capture_on_commit_callbacks(execute=True):
        entry.save()
    assert "管理画面で直した予定" in client.get(url).text


def test_cached_sheet_page_costs_fewer_queries(client, demo_users, shimin_sheet):
    client.force_login(demo_users["demo-joho"])
    url = shimin_sheet.get_absolute_url()
    cache.clear()
    missed = count_queries(client, url)
    hit = count_queries(client, url)
    assert hit < missed


def test_a_save_keeps_every_other_sheets_page_cached(client, demo_users, shimin_sheet, kankyo_sheet,
                                                     django_capture_on_commit_callbacks):
    """A save through the edit form raises the sheet's version, which the page keys on;
    it leaves the other sheets' pages in the cache."""
    client.force_login(demo_users["demo-joho"])
    other = kankyo_sheet.get_absolute_url()
    missed = count_queries(client, other)
    hit = count_queries(client, other)
    assert hit < missed
    data = form_data(client, shimin_sheet, **{"sheet-legal_basis": "別のシートの保存", "draft": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(edit_url(shimin_sheet), data).status_code == 302
    assert count_queries(client, other) == hit
    assert "別のシートの保存" in client.get(shimin_sheet.get_absolute_url()).text


def test_a_version_number_that_comes_back_does_not_bring_back_its_page(client, demo_users, shimin_sheet):
    """A backup restored after a save, then another save: the sheet is at the same version
    as in the thrown-away save, and its page must show the new save, not the old one."""
    from projects.models import ProjectSheet

    client.force_login(demo_users["demo-staff-a"])
    url = shimin_sheet.get_absolute_url()
    before = ProjectSheet.objects.filter(pk=shimin_sheet.pk).values("version", "legal_basis", "updated_at").get()
    data = form_data(client, shimin_sheet, **{"sheet-legal_basis": "捨てられる保存", "draft": "1"})
    assert client.post(edit_url(shimin_sheet), data).status_code == 302
    assert "捨てられる保存" in client.get(url).text  # cached under the new version
    ProjectSheet.objects.filter(pk=shimin_sheet.pk).update(**before)  # as a restore puts it back
    data = form_data(client, shimin_sheet, **{"sheet-legal_basis": "復元の後の保存", "draft": "1"})
    assert client.post(edit_url(shimin_sheet), data).status_code == 302
    html = client.get(url).text
    assert "復元の後の保存" in html

"""自課の実績報告 (/cycles/mine/) caches its lists under the data stamps, the section
and the day (core.stamps): a move, a project rename or a new day shows right after
its commit, and
another section never sees this section's cached lists."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from governance.cycles.services import submit_report
from plans.models import Project
from tests.governance.conftest import fill

URL = reverse("governance:my_reports")


def section_of(html, heading):
    start = html.index(heading)
    return html[start:html.index("<h2>", start + 1) if "<h2>" in html[start + 1:] else None]


def test_my_reports_shows_a_submit_and_a_rename_right_after_them(client, shimin_report, demo_users,
                                                                 django_capture_on_commit_callbacks):
    staff = demo_users["demo-staff-a"]
    client.force_login(staff)
    for _ in range(2):  # the second from the cache
        html = client.get(URL).text
        assert "作成中・未提出(2 件)" in html and "提出済み・確認以降(0 件)" in html
    with django_capture_on_commit_callbacks(execute=True):
        submit_report(user=staff, report=fill(shimin_report))
    html = client.get(URL).text
    assert "作成中・未提出(1 件)" in html and "提出済み・確認以降(1 件)" in html
    assert shimin_report.sheet.project.name in section_of(html, "<h2>提出済み・確認以降")

    with django_capture_on_commit_callbacks(execute=True):
        project = Project.objects.get(pk=shimin_report.sheet.project_id)
        project.name = "名前を変えた事業"
        project.save()
    assert "名前を変えた事業" in client.get(URL).text


def test_my_reports_marks_overdue_on_the_day_after_the_deadline(client, cycle, shimin_report, demo_users,
                                                                 monkeypatch):
    client.force_login(demo_users["demo-staff-a"])
    today = timezone.localdate()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: cycle.deadline)
    assert "期限切れ" not in client.get(URL).text
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: cycle.deadline + timedelta(days=1))
    assert "期限切れ" in client.get(URL).text
    assert today  # the real day is untouched outside the patch


def test_my_reports_cache_is_per_section(client, shimin_report, demo_users):
    client.force_login(demo_users["demo-staff-a"])
    assert shimin_report.sheet.project.name in client.get(URL).text
    client.force_login(demo_users["demo-joho"])  # 情報推進課: no reports of 市民課
    assert shimin_report.sheet.project.name not in client.get(URL).text

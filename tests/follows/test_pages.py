"""The follow button, 「フォロー中の事業」 and 「お知らせ」: POST only with CSRF, signed-in
users only, one's own notifications only, query counts that do not grow with the rows."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from follows.models import Follow, FollowSettings, Notification, NotificationKind
from plans.models import Project
from projects.models import ProjectSheet
from tests.factories import make_plan
from tests.follows.conftest import follow_url, sheet_url
from tests.governance.conftest import count_queries


@pytest.fixture
def sheet(shimin_sheets):
    return shimin_sheets[0]


@pytest.fixture
def staff(client, demo_users):
    client.force_login(demo_users["demo-staff-b"])  # 環境課: not the sheet's section; any signed-in user may follow
    return client


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_follow_and_unfollow_from_the_sheet_page(staff, sheet, demo_users):
    page = staff.get(sheet_url(sheet))
    assert "この事業をフォローする" in page.text

    response = staff.post(follow_url(sheet), {"next": sheet_url(sheet)})
    assert response.status_code == 302 and response["Location"] == sheet_url(sheet)
    assert messages_of(response) == [f"「1-2-1-02 {sheet.project.name}」をフォローしました。"
                                     "実績報告の状態が変わったときとシートが更新されたときに、お知らせが届きます。"]
    assert list(Follow.objects.values_list("user__username", "project__code")) == [("demo-staff-b", "1-2-1-02")]
    page = staff.get(sheet_url(sheet))
    assert "フォローをやめる" in page.text and "この事業をフォローする" not in page.text

    again = staff.post(follow_url(sheet))  # a second click changes nothing
    assert messages_of(again) == [f"「1-2-1-02 {sheet.project.name}」はすでにフォローしています。"]
    assert again["Location"] == sheet_url(sheet)
    assert Follow.objects.count() == 1
    staff.get(again["Location"])  # the message shown

    response = staff.post(follow_url(sheet, "unfollow"), {"next": sheet_url(sheet)})
    assert response.status_code == 302
    assert messages_of(response) == [f"「1-2-1-02 {sheet.project.name}」のフォローをやめました。"]
    assert not Follow.objects.exists()


def test_get_does_not_follow(staff, sheet):
    assert staff.get(follow_url(sheet)).status_code == 405
    assert staff.get(follow_url(sheet, "unfollow")).status_code == 405
    assert not Follow.objects.exists()


def test_follow_needs_the_csrf_token(sheet, demo_users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_users["demo-staff-b"])
    response = client.post(follow_url(sheet))
    assert response.status_code == 403
    assert "送信を受け付けられませんでした" in response.text
    assert not Follow.objects.exists()


def test_follow_needs_a_signed_in_user(client, sheet):
    response = client.post(follow_url(sheet))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/follows/")["Location"].startswith("/accounts/login/")
    assert client.get("/notifications/")["Location"].startswith("/accounts/login/")
    assert not Follow.objects.exists()


def test_an_outside_next_is_not_followed(staff, sheet):
    response = staff.post(follow_url(sheet), {"next": "https://evil.example/"})
    assert response["Location"] == sheet_url(sheet)


def test_a_sheet_one_may_not_read_cannot_be_followed(staff, seed):
    plan = make_plan(code="draft", projects=1)
    plan.in_preparation = True
    plan.save()
    project = Project.objects.get(plan=plan)
    ProjectSheet.objects.create(project=project)
    assert staff.post(f"/follows/draft/{project.code}/follow/").status_code == 404
    assert staff.post("/follows/second/9-9-9-99/follow/").status_code == 404
    assert not Follow.objects.exists()


def test_the_follow_list_shows_each_project_with_its_latest_report(staff, demo_users, cycle, shimin_sheets):
    user = demo_users["demo-staff-b"]
    reported, other = shimin_sheets
    report = cycle.reports.get(sheet=reported)
    report.state = "submitted"
    report.save()
    Follow.objects.create(user=user, project=reported.project)
    unreported = ProjectSheet.objects.create(project=Project.objects.get(plan=make_plan(code="other", projects=1)))
    Follow.objects.create(user=user, project=unreported.project)
    Follow.objects.create(user=demo_users["demo-kacho"], project=other.project)  # someone else's

    page = staff.get("/follows/")
    assert page.status_code == 200
    assert f"{reported.project.code} {reported.project.name}" in page.text
    assert "平成28年度(2016年度) 年次進行管理:提出済" in page.text
    assert f"{unreported.project.code} {unreported.project.name}" in page.text
    assert "実績報告はまだありません" in page.text
    assert other.project.name not in page.text


def test_mail_preference_is_kept_per_user(staff, demo_users):
    assert 'name="send_mail" checked' in staff.get("/follows/").text.replace('id="id_send_mail" ', "")
    response = staff.post("/follows/settings/", {})
    assert messages_of(response) == ["フォロー中の事業のお知らせのメールを停止しました(アプリ内のお知らせは届きます)。"]
    assert FollowSettings.objects.get(user=demo_users["demo-staff-b"]).send_mail is False
    assert "checked" not in staff.get("/follows/").text.split('name="send_mail"')[1].split(">")[0]
    staff.post("/follows/settings/", {"send_mail": "on"})
    assert FollowSettings.objects.get(user=demo_users["demo-staff-b"]).send_mail is True
    assert staff.get("/follows/settings/").status_code == 405


def notify(user, project, text="提出済 → 確認済", **extra):
    return Notification.objects.create(user=user, project=project, kind=NotificationKind.REPORT, text=text,
                                       happened_at=timezone.now(), link="/reports/1/", **extra)


def test_notifications_are_listed_counted_in_the_header_and_marked_read(staff, demo_users, sheet):
    user = demo_users["demo-staff-b"]
    first = notify(user, sheet.project, actor=demo_users["demo-joho"])
    notify(user, sheet.project, text="シートが更新されました(第3版)")
    notify(demo_users["demo-kacho"], sheet.project, text="他の人へのお知らせ")

    page = staff.get("/notifications/")
    assert "未読 2 件 / 全 2 件" in page.text
    assert "提出済 → 確認済" in page.text and "シートが更新されました(第3版)" in page.text
    assert "他の人へのお知らせ" not in page.text
    assert '<span class="visually-hidden">(未読 2 件)</span>' in staff.get("/plans/").text  # the header, on any page

    response = staff.post(f"/notifications/{first.pk}/read/", {"open": ""})
    assert response["Location"] == "/reports/1/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert '<span class="visually-hidden">(未読 1 件)</span>' in staff.get("/plans/").text

    response = staff.post("/notifications/read-all/")
    assert messages_of(response) == ["1 件のお知らせを既読にしました。"]
    assert not Notification.objects.filter(user=user, read_at=None).exists()
    assert Notification.objects.get(user=demo_users["demo-kacho"]).read_at is None  # not another's
    assert "未読 " not in staff.get("/plans/").text.split("お知らせ", 1)[1][:40]


def test_another_users_notification_cannot_be_marked(staff, demo_users, sheet):
    theirs = notify(demo_users["demo-kacho"], sheet.project)
    assert staff.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert staff.post(f"/notifications/{theirs.pk}/read/", {"open": ""}).status_code == 404
    assert staff.get(f"/notifications/{theirs.pk}/read/").status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_notification_list_queries_do_not_grow_with_notifications(staff, demo_users, django_assert_max_num_queries):
    user = demo_users["demo-staff-b"]
    projects = list(Project.objects.filter(plan__code="second").order_by("code"))
    notify(user, projects[0], actor=demo_users["demo-joho"])
    notify(user, projects[1])
    few, _ = count_queries(staff, "/notifications/")
    for i, project in enumerate(projects[2:32]):
        notify(user, project, actor=demo_users["demo-staff-a" if i % 2 else "demo-kacho"])
    with django_assert_max_num_queries(few):
        staff.get("/notifications/")


def test_follow_list_queries_do_not_grow_with_follows(staff, demo_users, cycle, django_assert_max_num_queries):
    user = demo_users["demo-staff-b"]
    sheets = list(ProjectSheet.objects.filter(project__plan__code="second").order_by("project__code"))
    for sheet in sheets[:2]:
        Follow.objects.create(user=user, project=sheet.project)
    few, _ = count_queries(staff, "/follows/")
    for sheet in sheets[2:40]:
        Follow.objects.create(user=user, project=sheet.project)
    with django_assert_max_num_queries(few):
        page = staff.get("/follows/")
    assert page.text.count("フォローをやめる") == 40

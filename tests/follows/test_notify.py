"""Followers are told when a followed project's report changes state or its sheet is
revised: in the app and by a queued e-mail, after the commit, never the actor, and
never with the report's content."""

import logging
import smtplib

import pytest
from django.db import transaction

from core.models import MailStatus, OutgoingMail
from follows.models import Follow, FollowSettings, Notification, NotificationKind
from governance.cycles import services as cycles
from governance.models import ReportState
from projects.services import SheetChanges, save_sheet
from projects.revisions import Via
from tests.governance.conftest import fill

FOLLOW_MAIL = "【フォロー中の事業】"
SECRET = "住民からの苦情で再調査が必要(内部メモ)"


def follow_mails():
    return OutgoingMail.objects.filter(subject__startswith=FOLLOW_MAIL)


def recipients_of(queryset):
    return sorted(queryset.values_list("recipient", flat=True))


def notified(project=None):
    rows = Notification.objects.all() if project is None else Notification.objects.filter(project=project)
    return sorted(rows.values_list("user__username", flat=True))


@pytest.fixture
def followed(shimin_report, follows):
    """市民課's first report's project, followed by the 課長, the CIO and the staff member who submits it."""
    project = shimin_report.sheet.project
    for username in ("demo-kacho", "demo-exec", "demo-staff-a"):
        follows(username, project)
    return project


def submit(report, users):
    fill(report)
    return cycles.submit_report(user=users["demo-staff-a"], report=report)


def test_a_submitted_report_notifies_the_followers_but_not_the_actor(
        followed, shimin_report, demo_users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(shimin_report, demo_users)

    assert notified() == ["demo-exec", "demo-kacho"]  # not demo-staff-a, who submitted it
    note = Notification.objects.get(user=demo_users["demo-kacho"])
    assert note.kind == NotificationKind.REPORT
    assert note.project == followed
    assert note.text == "平成28年度(2016年度) 年次進行管理の実績報告:作成中 → 提出済"
    assert note.actor == demo_users["demo-staff-a"]
    assert note.link == f"/reports/{shimin_report.pk}/"
    assert note.read_at is None

    assert recipients_of(follow_mails()) == ["demo-exec@city.akishima.example",
                                             "demo-kacho@city.akishima.example"]
    mail = follow_mails().get(recipient="demo-kacho@city.akishima.example")
    assert mail.subject == f"{FOLLOW_MAIL}1-2-1-02 {followed.name}:平成28年度(2016年度) 年次進行管理の実績報告:作成中 → 提出済"
    assert f"/reports/{shimin_report.pk}/" in mail.body
    assert "操作した人:" in mail.body and demo_users["demo-staff-a"].display_name in mail.body
    assert "コンビニ収納の周知を行った。" not in mail.body  # the report's content stays on its page


def test_each_move_is_told_and_a_returns_reason_is_not(followed, shimin_report, demo_users,
                                                         django_capture_on_commit_callbacks):
    joho = demo_users["demo-joho"]
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(shimin_report, demo_users)
        report = cycles.return_report(user=joho, report=report, reason=SECRET)
        report = cycles.submit_report(user=demo_users["demo-staff-a"], report=report)
        cycles.confirm_report(user=joho, report=report, comment=SECRET)

    texts = list(Notification.objects.filter(user=demo_users["demo-kacho"])
                 .order_by("happened_at", "pk").values_list("text", flat=True))
    prefix = "平成28年度(2016年度) 年次進行管理の実績報告:"
    assert texts == [prefix + "作成中 → 提出済", prefix + "提出済 → 差戻し中",
                     prefix + "差戻し中 → 提出済", prefix + "提出済 → 確認済"]
    # 情報推進課 did two of the moves and follows nothing: demo-staff-a is told of those two only.
    assert Notification.objects.filter(user=demo_users["demo-staff-a"]).count() == 2
    assert not any(SECRET in text for text in Notification.objects.values_list("text", flat=True))
    assert not follow_mails().filter(body__contains=SECRET).exists()
    assert not follow_mails().filter(subject__contains=SECRET).exists()


def test_no_mail_for_a_follower_who_turned_mail_off(followed, shimin_report, demo_users, client,
                                                    django_capture_on_commit_callbacks):
    client.force_login(demo_users["demo-kacho"])
    response = client.post("/follows/settings/", {})  # the box unticked
    assert response.status_code == 302
    assert FollowSettings.objects.get(user=demo_users["demo-kacho"]).send_mail is False

    with django_capture_on_commit_callbacks(execute=True):
        submit(shimin_report, demo_users)

    assert notified() == ["demo-exec", "demo-kacho"]  # still told in the app
    assert recipients_of(follow_mails()) == ["demo-exec@city.akishima.example"]


def test_a_sheet_saved_through_the_service_notifies_the_followers(
        shimin_sheets, follows, demo_users, django_capture_on_commit_callbacks):
    sheet = shimin_sheets[0]
    follows("demo-kacho", sheet.project)
    follows("demo-staff-a", sheet.project)
    assert sheet.version == 1

    with django_capture_on_commit_callbacks(execute=True):
        save_sheet(sheet=sheet, seen_version=1, changes=SheetChanges(fields={"legal_basis": "地方税法"}),
                   user=demo_users["demo-staff-a"], via=Via.PAGE)
        save_sheet(sheet=sheet, seen_version=2, changes=SheetChanges(fields={"legal_basis": "地方自治法"}),
                   user=demo_users["demo-joho"], via=Via.IMPORT)

    texts = list(Notification.objects.filter(user=demo_users["demo-kacho"])
                 .order_by("happened_at", "pk").values_list("text", flat=True))
    assert texts == ["シートが更新されました(第2版)", "シートが更新されました(第3版)(Excel・CSV の取込み)"]
    assert list(Notification.objects.filter(user=demo_users["demo-staff-a"]).values_list("text", flat=True)) == [
        "シートが更新されました(第3版)(Excel・CSV の取込み)"]  # not of their own save
    note = Notification.objects.filter(user=demo_users["demo-kacho"]).earliest("happened_at")
    assert note.kind == NotificationKind.SHEET
    assert note.actor == demo_users["demo-staff-a"]
    assert note.link == "/sheets/second/1-2-1-02/#history"
    assert recipients_of(follow_mails()) == ["demo-kacho@city.akishima.example"] * 2 + [
        "demo-staff-a@city.akishima.example"]
    assert not follow_mails().filter(body__contains="地方税法").exists()


def test_a_save_that_changes_nothing_notifies_nobody(shimin_sheets, follows, demo_users,
                                                    django_capture_on_commit_callbacks):
    sheet = shimin_sheets[0]
    follows("demo-kacho", sheet.project)
    with django_capture_on_commit_callbacks(execute=True):
        save_sheet(sheet=sheet, seen_version=1, changes=SheetChanges(fields={"legal_basis": sheet.legal_basis}),
                   user=demo_users["demo-staff-a"], via=Via.PAGE)
    assert notified() == []


def test_a_rolled_back_transaction_notifies_nobody(followed, shimin_report, shimin_sheets, demo_users,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                submit(shimin_report, demo_users)
                save_sheet(sheet=shimin_sheets[0], seen_version=1,
                           changes=SheetChanges(fields={"legal_basis": "地方税法"}),
                           user=demo_users["demo-staff-a"], via=Via.PAGE)
                raise RuntimeError("something later in the same action failed")
    assert callbacks == []
    shimin_report.refresh_from_db()
    assert shimin_report.state == ReportState.DRAFT
    assert notified() == []
    assert not follow_mails().exists()


def test_a_mail_outage_breaks_neither_the_action_nor_the_notification(
        followed, shimin_report, demo_users, settings, tasks_run_at_once, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.governance.test_notifications.SmtpDownBackend"
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(shimin_report, demo_users)
    assert report.state == ReportState.SUBMITTED
    assert notified() == ["demo-exec", "demo-kacho"]
    assert set(follow_mails().values_list("status", flat=True)) == {MailStatus.FAILED}  # listed on /mail/


def test_a_failure_while_notifying_is_logged_and_the_action_stands(
        followed, shimin_report, demo_users, monkeypatch, caplog, django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise smtplib.SMTPException("queue unavailable")

    monkeypatch.setattr("follows.notify.mail.queue", broken)
    with caplog.at_level(logging.ERROR, logger="follows.notify"):
        with django_capture_on_commit_callbacks(execute=True):
            report = submit(shimin_report, demo_users)
    assert report.state == ReportState.SUBMITTED
    shimin_report.refresh_from_db()
    assert shimin_report.state == ReportState.SUBMITTED
    assert "お知らせを作成できませんでした" in caplog.text
    assert notified() == []  # the notifications and mails of that move were written together, or not at all


def test_inactive_followers_and_followers_who_may_no_longer_read_are_not_told(
        followed, shimin_report, demo_users, django_capture_on_commit_callbacks):
    exec_user = demo_users["demo-exec"]
    exec_user.is_active = False
    exec_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        submit(shimin_report, demo_users)
    assert notified() == ["demo-kacho"]


def test_telling_more_followers_takes_no_more_queries(shimin_report, demo_users, follows,
                                                      django_capture_on_commit_callbacks):
    """One query for the followers, one insert for the notifications, one for the mails."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Position
    from tests.factories import make_user

    project = shimin_report.sheet.project
    follows("demo-kacho", project)
    follows("demo-exec", project)

    def queries_to_tell():
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            report = cycles.submit_report(user=demo_users["demo-staff-a"], report=fill(shimin_report))
        with CaptureQueriesContext(connection) as captured:
            for callback in callbacks:
                callback()
        return report, len(captured)

    report, two = queries_to_tell()
    for i in range(6):
        user = make_user(f"follower-{i}", position=Position.STAFF, section="shimin")
        Follow.objects.create(user=user, project=project)
    cycles.return_report(user=demo_users["demo-joho"], report=report, reason="数値の確認")
    Notification.objects.all().delete()
    OutgoingMail.objects.all().delete()
    _, eight = queries_to_tell()
    assert Notification.objects.count() == 8
    assert eight == two


def test_a_plan_in_preparation_is_told_only_to_ict_office_followers(shimin_sheets, follows, demo_users,
                                                                   django_capture_on_commit_callbacks):
    sheet = shimin_sheets[0]
    follows("demo-kacho", sheet.project)
    follows("demo-joho", sheet.project)
    plan = sheet.project.plan
    plan.is_current, plan.in_preparation = False, True  # (as if; only 情報推進課 may read its sheets)
    plan.save(update_fields=["is_current", "in_preparation"])
    with django_capture_on_commit_callbacks(execute=True):
        save_sheet(sheet=sheet, seen_version=1, changes=SheetChanges(fields={"legal_basis": "地方税法"}),
                   user=demo_users["demo-staff-a"], via=Via.PAGE)
    assert notified() == ["demo-joho"]

"""Mails never break an action (issue 13): with the SMTP server down every action of the
cycle succeeds, its mails are recorded and listed for 情報推進課 (メール送信状況), and a
retry sends them; one bad address fails alone."""

import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse

from core.models import MailStatus, OutgoingMail
from governance import notifications
from governance.cycles import services
from governance.models import AnnualReport, BodyKind, ReminderLog, ReportState, ReviewCycle
from governance.vocab import Decision
from tests.governance.conftest import fill, meeting_for

pytestmark = pytest.mark.usefixtures("tasks_run_at_once")  # mails are sent as they are queued

DOWN = "tests.governance.test_notifications.SmtpDownBackend"
REFUSING = "tests.governance.test_notifications.RefusingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
MAIL_URL = "/mail/"


class SmtpDownBackend(LocmemBackend):
    """The mail server does not answer."""

    def send_messages(self, messages):
        raise smtplib.SMTPConnectError(421, "mail.city.akishima.example: service not available")


class RefusingBackend(LocmemBackend):
    """The server refuses one address (demo-kacho's) and delivers the others."""

    def send_messages(self, messages):
        for message in messages:
            if any(address.startswith("demo-kacho@") for address in message.recipients()):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"mailbox unavailable")})
        return super().send_messages(messages)


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = DOWN
    return settings


def reload(report):
    return AnnualReport.objects.get(pk=report.pk)


def submitted(report, users):
    fill(report)
    return services.submit_report(user=users["demo-staff-a"], report=report)


def evaluated(report, users):
    joho = users["demo-joho"]
    report = services.confirm_report(user=joho, report=submitted(report, users))
    meeting = meeting_for(BodyKind.COMMITTEE, report.cycle, [report], joho)
    return services.evaluate_report(user=joho, report=report, meeting=meeting, evaluation="B")


def failed_recipients():
    return sorted(OutgoingMail.objects.filter(status=MailStatus.FAILED).values_list("recipient", flat=True))


def emails(users, *usernames):
    return sorted(users[name].email for name in usernames)


def success_messages(client, response):
    page = client.get(response["Location"])
    return [str(m) for m in page.context["messages"]]


# ─── Every action succeeds with the SMTP server down ──────────────────────

def test_return_succeeds_and_its_mails_are_recorded_as_failed(
    client, shimin_report, demo_users, smtp_down, django_capture_on_commit_callbacks, caplog
):
    submitted(shimin_report, demo_users)
    client.force_login(demo_users["demo-joho"])
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("governance:report_return", kwargs={"pk": shimin_report.pk}),
                               {"reason": "実績値の根拠を記入してください。"})
    assert response.status_code == 302
    assert reload(shimin_report).state == ReportState.RETURNED
    assert any("差し戻しました" in m for m in success_messages(client, response))
    assert mail.outbox == []
    assert failed_recipients() == emails(demo_users, "demo-staff-a", "demo-kacho")
    failed = OutgoingMail.objects.filter(status=MailStatus.FAILED)
    assert all(m.last_error == "メールサーバーに接続できませんでした" and "421" in m.last_error_detail
               and m.attempts == 1 and m.sent_at is None for m in failed)
    assert all("差戻し" in m.cause and m.subject for m in failed)
    assert demo_users["demo-kacho"].email in caplog.text  # each failure is logged


def test_confirm_succeeds(client, shimin_report, demo_users, smtp_down, django_capture_on_commit_callbacks):
    submitted(shimin_report, demo_users)
    client.force_login(demo_users["demo-joho"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("governance:report_confirm", kwargs={"pk": shimin_report.pk}))
    assert response.status_code == 302
    assert reload(shimin_report).state == ReportState.CONFIRMED


def test_opening_a_cycle_succeeds_once(client, demo_users, shimin_sheets, smtp_down,
                                      django_capture_on_commit_callbacks):
    client.force_login(demo_users["demo-joho"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/cycles/open/", {"kind": "annual", "fiscal_year": "2016",
                                                 "deadline": "2017-05-31"})
    cycle = ReviewCycle.objects.get()
    assert response.status_code == 302 and response["Location"] == cycle.get_absolute_url()
    assert any("開始し" in m for m in success_messages(client, response))
    assert failed_recipients() == emails(demo_users, "demo-staff-a", "demo-kacho", "demo-joho")


def test_recording_a_decision_succeeds(client, shimin_report, demo_users, smtp_down,
                                       django_capture_on_commit_callbacks):
    report = evaluated(shimin_report, demo_users)
    meeting = meeting_for(BodyKind.HEADQUARTERS, report.cycle, [report], demo_users["demo-joho"])
    client.force_login(demo_users["demo-joho"])
    url = reverse("governance:meeting_record", kwargs={"pk": meeting.pk, "report_pk": report.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {f"r{report.pk}-decision": Decision.REDUCE, f"r{report.pk}-comment": ""})
    assert response.status_code == 302
    assert reload(report).state == ReportState.DECIDED
    shown = success_messages(client, response)
    assert any("記録しました" in m and "お知らせメールを送信待ちにしました" in m for m in shown)
    assert failed_recipients() == emails(demo_users, "demo-staff-a", "demo-kacho")


def test_reminders_succeed_for_every_section(client, cycle, demo_users, smtp_down,
                                             django_capture_on_commit_callbacks):
    client.force_login(demo_users["demo-joho"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("governance:cycle_remind", kwargs={"pk": cycle.pk}))
    assert response.status_code == 302
    assert {log.section.code for log in ReminderLog.objects.all()} == {"shimin", "joho-suishin"}
    assert any("2 課" in m for m in success_messages(client, response))
    assert failed_recipients() == emails(demo_users, "demo-staff-a", "demo-kacho", "demo-joho")


# ─── The list for 情報推進課 and the retry ────────────────────────────────

@pytest.fixture
def failed_return(shimin_report, demo_users, smtp_down, django_capture_on_commit_callbacks):
    submitted(shimin_report, demo_users)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_report(user=demo_users["demo-joho"], report=shimin_report, reason="根拠を記入")
    smtp_down.EMAIL_BACKEND = LOCMEM  # the server is back
    return OutgoingMail.objects.filter(status=MailStatus.FAILED)


def test_the_ict_office_sees_the_failed_mails(client, demo_users, failed_return):
    client.force_login(demo_users["demo-joho"])
    page = client.get(MAIL_URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "メール送信状況" in text and "送信失敗" in text
    for row in failed_return:
        assert row.recipient in text and row.subject in text
    assert "421" in text
    assert f'href="{MAIL_URL}"' in client.get(reverse("governance:cycle_list")).content.decode()


@pytest.mark.parametrize("username", ["demo-staff-a", "demo-kacho", "demo-bucho", "demo-exec", "demo-advisor"])
def test_the_mail_page_is_for_the_ict_office_only(client, demo_users, failed_return, username):
    client.force_login(demo_users[username])
    assert client.get(MAIL_URL).status_code == 403
    assert client.post(reverse("governance:mail_resend")).status_code == 403
    assert mail.outbox == []
    assert f'href="{MAIL_URL}"' not in client.get(reverse("governance:cycle_list")).content.decode()


def test_resending_all_sends_the_failed_mails(client, demo_users, failed_return):
    client.force_login(demo_users["demo-joho"])
    response = client.post(reverse("governance:mail_resend"))
    assert response.status_code == 302 and response["Location"] == MAIL_URL
    assert sorted(m.to[0] for m in mail.outbox) == emails(demo_users, "demo-staff-a", "demo-kacho")
    assert all("差戻し" in m.subject for m in mail.outbox)
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {MailStatus.SENT}
    assert all(m.attempts == 2 and m.sent_at for m in OutgoingMail.objects.all())
    assert any("2 通" in m for m in success_messages(client, response))
    client.post(reverse("governance:mail_resend"))  # pressed again: nothing twice
    assert len(mail.outbox) == 2


def test_resending_one_sends_only_that_one(client, demo_users, failed_return):
    one = failed_return.get(recipient=demo_users["demo-kacho"].email)
    client.force_login(demo_users["demo-joho"])
    response = client.post(reverse("governance:mail_resend"), {"mail": one.pk})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[one.recipient]]
    assert failed_recipients() == emails(demo_users, "demo-staff-a")


def test_a_failed_retry_stays_listed(client, demo_users, failed_return, settings):
    settings.EMAIL_BACKEND = DOWN
    client.force_login(demo_users["demo-joho"])
    response = client.post(reverse("governance:mail_resend"))
    assert response.status_code == 302
    assert all(m.attempts == 2 for m in OutgoingMail.objects.all())
    assert len(failed_recipients()) == 2


# ─── One bad address fails alone ──────────────────────────────────────────

def test_one_refused_address_does_not_stop_the_others(shimin_report, demo_users, settings,
                                                      django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = REFUSING
    submitted(shimin_report, demo_users)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_report(user=demo_users["demo-joho"], report=shimin_report, reason="根拠を記入")
    assert [m.to for m in mail.outbox] == [[demo_users["demo-staff-a"].email]]
    assert failed_recipients() == emails(demo_users, "demo-kacho")
    refused = OutgoingMail.objects.get(status=MailStatus.FAILED)
    assert refused.last_error == "宛先のアドレスが受け付けられませんでした" and "550" in refused.last_error_detail


def test_a_refused_address_does_not_stop_the_reminders(cycle, demo_users, settings,
                                                       django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_reminders(today=cycle.deadline) == 2
    assert sorted(m.to[0] for m in mail.outbox) == emails(demo_users, "demo-staff-a", "demo-joho")
    assert failed_recipients() == emails(demo_users, "demo-kacho")
    assert ReminderLog.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_reminders(today=cycle.deadline) == 0  # still once a day
    assert OutgoingMail.objects.count() == 3


# ─── Through the real queue: the worker sends what the action recorded ────

def test_the_worker_sends_what_the_action_queued(client, shimin_report, demo_users, settings, monkeypatch,
                                                 django_capture_on_commit_callbacks, run_worker_once):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    submitted(shimin_report, demo_users)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_report(user=demo_users["demo-joho"], report=shimin_report, reason="根拠を記入")
    assert mail.outbox == []  # no worker yet: the mails wait, and the page says so
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {MailStatus.PENDING}
    client.force_login(demo_users["demo-joho"])
    assert "送信待ち" in client.get(MAIL_URL).content.decode()

    # The worker recycles database connections between tasks, which would close the
    # test's transaction: keep it.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    run_worker_once(verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == emails(demo_users, "demo-staff-a", "demo-kacho")
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {MailStatus.SENT}


@pytest.mark.django_db(transaction=True)
def test_return_over_http_with_the_smtp_server_down_is_not_a_server_error(client, shimin_report, demo_users,
                                                                          smtp_down):
    """As in production: the commit runs the on_commit callbacks inside the request."""
    submitted(shimin_report, demo_users)
    client.force_login(demo_users["demo-joho"])
    response = client.post(reverse("governance:report_return", kwargs={"pk": shimin_report.pk}),
                           {"reason": "根拠を記入"})
    assert response.status_code == 302
    assert reload(shimin_report).state == ReportState.RETURNED
    assert failed_recipients() == emails(demo_users, "demo-staff-a", "demo-kacho")


# ─── What the pages say, and how the mails begin ─────────────────────────

def test_the_return_message_says_the_mail_is_queued_not_sent(client, shimin_report, demo_users, smtp_down,
                                                             django_capture_on_commit_callbacks):
    submitted(shimin_report, demo_users)
    client.force_login(demo_users["demo-joho"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("governance:report_return", kwargs={"pk": shimin_report.pk}),
                               {"reason": "根拠を記入"})
    page = client.get(response["Location"]).content.decode()
    assert "担当課へのお知らせメールを送信待ちにしました" in page
    assert "メールで知らせました" not in page
    assert f'<a href="{MAIL_URL}">「メール送信状況」</a>で確認できます' in page


def test_the_reminder_message_says_the_mails_are_queued(client, cycle, demo_users, smtp_down,
                                                        django_capture_on_commit_callbacks):
    client.force_login(demo_users["demo-joho"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("governance:cycle_remind", kwargs={"pk": cycle.pk}))
    shown = success_messages(client, response)
    assert any("2 課への督促メールを送信待ちにしました" in m for m in shown)
    assert not any("督促メールを送りました" in m for m in shown)


def test_the_queued_message_links_the_mail_page_only_for_those_who_may_open_it(demo_users):
    assert MAIL_URL in notifications.queued_message(demo_users["demo-joho"], "送信待ちにしました。")
    assert MAIL_URL not in notifications.queued_message(demo_users["demo-staff-a"], "送信待ちにしました。")


def test_every_cycle_mail_begins_with_the_salutation(client, shimin_report, demo_users, settings,
                                                     django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = LOCMEM
    report = evaluated(shimin_report, demo_users)
    meeting = meeting_for(BodyKind.HEADQUARTERS, report.cycle, [report], demo_users["demo-joho"])
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_report(user=demo_users["demo-joho"], report=report, meeting=meeting,
                               decision=Decision.CONTINUE)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.send_reminders(today=report.cycle.deadline, cycle=report.cycle)
    by_address = {user.email: user for user in demo_users.values()}
    assert mail.outbox
    for message in mail.outbox:
        assert message.body.startswith(f"{by_address[message.to[0]].display_name} 様\n\n"), message.subject


def test_the_reminder_lists_the_sections_missing_projects(cycle, shimin_report, demo_users,
                                                        django_capture_on_commit_callbacks):
    """市民課's two reports (conftest.SHIMIN_CODES) are missing; once one is submitted, the
    next day's reminder names only the other."""
    from datetime import timedelta

    with django_capture_on_commit_callbacks(execute=True):
        notifications.send_reminders(today=cycle.deadline)
    staff_mail = next(m for m in mail.outbox if m.to == [demo_users["demo-staff-a"].email])
    assert "未提出の事業(2 件):\n・1-2-1-02 市税等のコンビニエンスストア収納の利用促進(作成中)\n" \
           "・1-2-1-03 市税等のクレジット収納の利用促進(作成中)\n" in staff_mail.body
    submitted(shimin_report, demo_users)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.send_reminders(today=cycle.deadline + timedelta(days=1))
    staff_mail = next(m for m in mail.outbox if m.to == [demo_users["demo-staff-a"].email])
    assert "未提出の事業(1 件):\n・1-2-1-03 市税等のクレジット収納の利用促進(作成中)\n" in staff_mail.body
    assert "1-2-1-02" not in staff_mail.body

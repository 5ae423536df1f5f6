"""メール送信状況 for 情報推進課: failures in Japanese with the server's text kept aside,
mails dropped as 送信しない (who, when; never deleted), and old mails sent only on request."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone

from core import mail as core_mail
from core.models import MailStatus, OutgoingMail

pytestmark = pytest.mark.django_db

MAIL_URL = "/mail/"


class RefusedConnectionBackend(LocmemBackend):
    """Nothing listens on the mail server's port."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


def queued(n=2, *, days_old=0, status=MailStatus.PENDING):
    rows = OutgoingMail.objects.bulk_create(
        OutgoingMail(recipient=f"user{i}@city.akishima.example", subject=f"件名{i}", body="本文",
                     cause="差戻し(テスト)", status=status) for i in range(n))
    if days_old:
        OutgoingMail.objects.filter(pk__in=[r.pk for r in rows]).update(
            created_at=timezone.now() - timedelta(days=days_old))
    return rows


@pytest.fixture
def joho(client, demo_users):
    client.force_login(demo_users["demo-joho"])
    return demo_users["demo-joho"]


@pytest.mark.parametrize(("error", "cause"), [
    (ConnectionRefusedError(111, "Connection refused"), "メールサーバーに接続できませんでした"),
    (TimeoutError("timed out"), "メールサーバーに接続できませんでした(時間切れ)"),
    (smtplib.SMTPConnectError(421, "busy"), "メールサーバーに接続できませんでした"),
    (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no")}), "宛先のアドレスが受け付けられませんでした"),
    (smtplib.SMTPAuthenticationError(535, b"bad credentials"), "メールサーバーの認証に失敗しました"),
    (ValueError("something else"), "送信できませんでした"),
])
def test_a_failure_is_described_in_japanese(error, cause):
    assert core_mail.describe_error(error) == cause


def test_a_refused_connection_is_shown_in_japanese_with_the_detail_aside(client, joho, settings, caplog):
    settings.EMAIL_BACKEND = "tests.governance.test_mail_page.RefusedConnectionBackend"
    queued(1)
    client.post(reverse("governance:mail_resend"))
    row = OutgoingMail.objects.get()
    assert row.status == MailStatus.FAILED
    assert row.last_error == "メールサーバーに接続できませんでした"
    assert row.last_error_detail.startswith("ConnectionRefusedError")
    assert "ConnectionRefusedError" in caplog.text  # the technical text stays in the log
    text = client.get(MAIL_URL).content.decode()
    assert "メールサーバーに接続できませんでした" in text
    before_details, _, details = text.partition("<details")
    assert "ConnectionRefusedError" not in before_details  # only inside the <details>
    assert "ConnectionRefusedError" in details


def test_discarding_one_mail_keeps_it_with_who_and_when(client, joho):
    one, other = queued(2)
    response = client.post(reverse("governance:mail_discard"), {"mail": one.pk})
    assert response.status_code == 302
    one.refresh_from_db()
    assert one.status == MailStatus.DISCARDED and one.discarded_by == joho and one.discarded_at
    client.post(reverse("governance:mail_resend"))
    assert [m.to for m in mail.outbox] == [[other.recipient]]  # the discarded one is never sent
    assert OutgoingMail.objects.count() == 2
    text = client.get(MAIL_URL).content.decode()
    assert "送信しないことにしたメール" in text and joho.display_name in text


def test_discarding_all_unsent_mails(client, joho):
    queued(3)
    sent = queued(1, status=MailStatus.SENT)[0]
    client.post(reverse("governance:mail_discard"))
    assert set(OutgoingMail.objects.exclude(pk=sent.pk).values_list("status", flat=True)) == {MailStatus.DISCARDED}
    assert OutgoingMail.objects.get(pk=sent.pk).status == MailStatus.SENT
    client.post(reverse("governance:mail_resend"))
    assert mail.outbox == []


def test_sending_all_leaves_old_mails_unless_asked(client, joho):
    old = queued(1, days_old=30)[0]
    new = OutgoingMail.objects.create(recipient="new@city.akishima.example", subject="新", body="本文")
    page = client.get(MAIL_URL).content.decode()
    assert "古いメール" in page and "30" in page  # the age is shown
    response = client.post(reverse("governance:mail_resend"))
    assert [m.to for m in mail.outbox] == [[new.recipient]]
    assert OutgoingMail.objects.get(pk=old.pk).status == MailStatus.PENDING
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert any("7 日以上" in m and "1 通は送信しませんでした" in m for m in messages)
    client.post(reverse("governance:mail_resend"), {"include_old": "on"})
    assert OutgoingMail.objects.get(pk=old.pk).status == MailStatus.SENT


def test_one_old_mail_chosen_by_hand_is_sent(client, joho):
    old = queued(1, days_old=30)[0]
    client.post(reverse("governance:mail_resend"), {"mail": old.pk})
    assert OutgoingMail.objects.get(pk=old.pk).status == MailStatus.SENT


@pytest.mark.parametrize("username", ["demo-staff-a", "demo-kacho"])
def test_only_the_ict_office_may_discard(client, demo_users, username):
    row = queued(1)[0]
    client.force_login(demo_users[username])
    assert client.post(reverse("governance:mail_discard"), {"mail": row.pk}).status_code == 403
    assert OutgoingMail.objects.get(pk=row.pk).status == MailStatus.PENDING


def test_the_sent_list_says_it_shows_the_latest_fifty(client, joho):
    queued(51, status=MailStatus.SENT)
    text = client.get(MAIL_URL).content.decode()
    assert "最近の 50 通" in text
    assert "新しい順、51 通" not in text and "新しい順、50 通" not in text


def test_mails_recorded_not_sent_are_never_sent(tasks_run_at_once, django_capture_on_commit_callbacks):
    with core_mail.recorded_not_sent("デモデータ"), django_capture_on_commit_callbacks(execute=True):
        core_mail.queue(mails=[OutgoingMail(recipient="a@city.akishima.example", subject="s", body="b")])
    row = OutgoingMail.objects.get()
    assert row.status == MailStatus.DISCARDED and row.discard_reason == "デモデータ" and row.discarded_at
    assert mail.outbox == []

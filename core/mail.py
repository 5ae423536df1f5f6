"""Outgoing e-mail: recorded with the action, sent after its commit by the task queue.

An action calls `queue` inside its transaction: one OutgoingMail row per address, so a
finished action always has its mails recorded and one bad address fails alone. After the
commit a task (core.tasks.send_queued_mail, run by `manage.py db_worker`) sends them;
every failure is logged and kept with its cause, in Japanese, and the server's own error
beside it, for 情報推進課 to send again (`deliver`) or to drop (`discard`). Inside
`recorded_not_sent` (demo data) mails are recorded as 送信しない and never sent.
Nothing here raises into the action: a mail outage never breaks or undoes it.
"""

import logging
import smtplib
import socket
import ssl
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.models import MailStatus, OutgoingMail

logger = logging.getLogger(__name__)

UNSENT = [MailStatus.PENDING, MailStatus.FAILED]
# A sender that holds a row longer than this has died (the worker was stopped mid-send):
# the row may then be taken again.
CLAIM_EXPIRES = timedelta(minutes=10)
# Seconds to wait for the mail server when EMAIL_TIMEOUT is not set (Django waits forever).
DEFAULT_TIMEOUT = 30
# The cause shown to 情報推進課 for an error of this class or of a subclass (first match
# along the class's MRO); anything else is FAILED_OTHER. The server's text stays in
# last_error_detail and in the log.
FAILED_OTHER = "送信できませんでした"
CAUSES = [
    (smtplib.SMTPAuthenticationError, "メールサーバーの認証に失敗しました"),
    (smtplib.SMTPRecipientsRefused, "宛先のアドレスが受け付けられませんでした"),
    (smtplib.SMTPSenderRefused, "差出人のアドレスが受け付けられませんでした"),
    (smtplib.SMTPConnectError, "メールサーバーに接続できませんでした"),
    (smtplib.SMTPServerDisconnected, "メールサーバーとの接続が切れました"),
    (ssl.SSLError, "メールサーバーとの暗号化通信(TLS)に失敗しました"),
    (ConnectionError, "メールサーバーに接続できませんでした"),
    (TimeoutError, "メールサーバーに接続できませんでした(時間切れ)"),
    (socket.gaierror, "メールサーバーに接続できませんでした(サーバー名が見つかりません)"),
]
_not_sent_reason: ContextVar[str] = ContextVar("mail_not_sent_reason", default="")


def describe_error(error: BaseException) -> str:
    """The cause of a failed send in Japanese, for the mail list."""
    for kind in type(error).__mro__:
        for known, cause in CAUSES:
            if kind is known:
                return cause
    return FAILED_OTHER


@contextmanager
def recorded_not_sent(reason: str):
    """Within it (and in the on_commit callbacks run within it), mails are recorded as
    送信しない with `reason` and never sent: demo data writes to example addresses."""
    token = _not_sent_reason.set(reason)
    try:
        yield
    finally:
        _not_sent_reason.reset(token)


def queue(*, mails: list[OutgoingMail]) -> list[OutgoingMail]:
    """Record unsaved mails in the caller's transaction and send them after its commit.
    The same address twice with the same subject is recorded once."""
    unique = {(mail.recipient, mail.subject): mail for mail in mails if mail.recipient}
    if not unique:
        return []
    if reason := _not_sent_reason.get():
        for row in unique.values():
            row.status, row.discarded_at, row.discard_reason = MailStatus.DISCARDED, timezone.now(), reason
        return OutgoingMail.objects.bulk_create(unique.values())
    rows = OutgoingMail.objects.bulk_create(unique.values())
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue(ids))
    return rows


def _enqueue(ids):
    from core.tasks import send_queued_mail

    try:
        send_queued_mail.enqueue(mail_ids=ids)
    except Exception:  # the mails stay 送信待ち and are listed; the action has succeeded
        logger.exception("メールの送信を予約できませんでした(%d 通は送信待ちのまま残ります)。", len(ids))


def unsent():
    return OutgoingMail.objects.filter(status__in=UNSENT)


def discard(*, mail_ids, user, reason: str = "") -> int:
    """Mark those of the mails that are still unsent, and not being sent right now,
    送信しない: kept and listed with who and when, never sent. Returns how many."""
    now = timezone.now()
    count = (
        unsent().filter(pk__in=list(mail_ids))
        .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=now - CLAIM_EXPIRES))
        .update(status=MailStatus.DISCARDED, discarded_at=now, discarded_by=user, discard_reason=reason,
                sending_since=None)
    )
    logger.info("%s が %d 通のメールを送信しないことにしました。", user, count)
    return count


def deliver(mail_ids) -> tuple[int, int]:
    """Send those of the mails that are still unsent, one message per address; record
    each outcome. Returns (sent, failed). Never raises for a mail that cannot be sent."""
    sent = failed = 0
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT or DEFAULT_TIMEOUT)
    try:
        connection.open()
    except Exception as error:  # noqa: BLE001 -- whatever the backend raises, the mails stay listed
        # The server cannot be reached: fail the whole batch at once rather than wait
        # for it once per mail.
        for mail in filter(None, map(_claim, mail_ids)):
            _record_failure(mail, error)
            failed += 1
        return sent, failed
    try:
        for mail in filter(None, map(_claim, mail_ids)):
            message = EmailMessage(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.recipient],
                                   connection=connection)
            try:
                message.send()
            except Exception as error:  # noqa: BLE001 -- one mail's failure must not stop the others
                _record_failure(mail, error)
                failed += 1
            else:
                sent += 1
                try:
                    OutgoingMail.objects.filter(pk=mail.pk).update(
                        status=MailStatus.SENT, sent_at=timezone.now(), sending_since=None, last_error="",
                        last_error_detail="")
                except Exception:  # noqa: BLE001 -- it went out: go on with the others
                    logger.exception("送信したメール %s を送信済みにできませんでした。", mail.pk)
    finally:
        try:
            connection.close()
        except Exception:  # a server that went away while we were sending
            logger.warning("メールサーバーとの接続を閉じられませんでした。", exc_info=True)
    return sent, failed


def _claim(mail_id) -> OutgoingMail | None:
    """Take an unsent mail for sending, unless another sender holds it now."""
    now = timezone.now()
    taken = (
        unsent().filter(pk=mail_id)
        .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=now - CLAIM_EXPIRES))
        .update(sending_since=now, last_attempt_at=now, attempts=F("attempts") + 1)
    )
    return OutgoingMail.objects.get(pk=mail_id) if taken else None


def _record_failure(mail, error):
    cause = describe_error(error)
    detail = f"{type(error).__name__}: {error}"[:2000]
    logger.warning("メールを送信できませんでした(%s 宛「%s」、%d 回目): %s: %s",
                   mail.recipient, mail.subject, mail.attempts, cause, detail)
    OutgoingMail.objects.filter(pk=mail.pk).update(status=MailStatus.FAILED, last_error=cause,
                                                   last_error_detail=detail, sending_since=None)

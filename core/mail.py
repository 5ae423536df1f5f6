"""Outgoing e-mail: recorded with the action, sent after its commit by the task queue.

An action calls `queue` inside its transaction: one OutgoingMail row per address, so a
finished action always has its mails recorded and one bad address fails alone. After the
commit a task (core.tasks.send_queued_mail, run by `manage.py db_worker`) sends them;
every failure is logged and kept with its error for 情報推進課 to send again (`deliver`).
Nothing here raises into the action: a mail outage never breaks or undoes it.
"""

import logging
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


def queue(*, mails: list[OutgoingMail]) -> list[OutgoingMail]:
    """Record unsaved mails in the caller's transaction and send them after its commit.
    The same address twice with the same subject is recorded once."""
    unique = {(mail.recipient, mail.subject): mail for mail in mails if mail.recipient}
    if not unique:
        return []
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
                OutgoingMail.objects.filter(pk=mail.pk).update(
                    status=MailStatus.SENT, sent_at=timezone.now(), sending_since=None, last_error="")
                sent += 1
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
    text = f"{type(error).__name__}: {error}"[:2000]
    logger.warning("メールを送信できませんでした(%s 宛「%s」、%d 回目): %s",
                   mail.recipient, mail.subject, mail.attempts, text)
    OutgoingMail.objects.filter(pk=mail.pk).update(status=MailStatus.FAILED, last_error=text,
                                                   sending_since=None)

"""Shared rows: the data stamps that cached pages are keyed by (core.stamps) and the
outgoing mail that every app queues (core.mail)."""

from django.conf import settings
from django.db import models


class DataStamp(models.Model):
    """A random token per area of data, replaced after every commit that wrote to it,
    so that a part cached under the token is never shown stale."""

    key = models.CharField("対象", max_length=20, primary_key=True)
    token = models.CharField("版", max_length=32)

    class Meta:
        verbose_name = "データの版"
        verbose_name_plural = "データの版"

    def __str__(self):
        return f"{self.key}:{self.token}"


class MailStatus(models.TextChoices):
    PENDING = "pending", "送信待ち"
    SENT = "sent", "送信済み"
    FAILED = "failed", "送信失敗"
    # Never sent, on purpose: 情報推進課 dropped it as stale, or demo data recorded it.
    DISCARDED = "discarded", "送信しない"


class OutgoingMail(models.Model):
    """One e-mail to one address, written in the transaction of the action that causes
    it and sent after its commit by the task queue (core.mail), so that a mail outage
    never breaks the action and every failure stays listed until it is sent again."""

    recipient = models.EmailField("宛先")
    subject = models.CharField("件名", max_length=255)
    body = models.TextField("本文")
    cause = models.CharField("きっかけ", max_length=255, blank=True,
                             help_text="例:差戻し(事業名)、督促(令和6年度 年次・市民課)")
    link = models.CharField("関連ページ", max_length=255, blank=True)
    status = models.CharField("状態", max_length=10, choices=MailStatus, default=MailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("送信を試みた回数", default=0)
    last_error = models.TextField("最後のエラー", blank=True,
                                  help_text="送れなかった理由(日本語)。技術的な内容は「エラーの詳細」")
    last_error_detail = models.TextField("エラーの詳細", blank=True,
                                         help_text="メールサーバーなどが返したエラー(英語のことがあります)")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    last_attempt_at = models.DateTimeField("最後に試みた日時", null=True, blank=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)
    discarded_at = models.DateTimeField("送信しないことにした日時", null=True, blank=True)
    discarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name="送信しないことにした人")
    discard_reason = models.CharField("送信しない理由", max_length=255, blank=True)
    # Set while one sender has the row, so that the worker and a 再送 pressed at the same
    # moment do not both send it; a sender that died leaves it, and it expires (core.mail).
    sending_since = models.DateTimeField("送信開始", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "送信メール"
        verbose_name_plural = "送信メール"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="core_mail_status_idx")]

    def __str__(self):
        return f"{self.recipient}:{self.subject}"

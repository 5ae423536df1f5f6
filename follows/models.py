"""Following a project (事業のフォロー) and the notifications (お知らせ) it brings."""

from django.conf import settings
from django.db import models


class Follow(models.Model):
    """A user follows a project: told when its report changes state or its sheet is revised."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows",
                             verbose_name="利用者")
    project = models.ForeignKey("plans.Project", on_delete=models.CASCADE, related_name="follows",
                                verbose_name="事業")
    created_at = models.DateTimeField("フォローした日時", auto_now_add=True)

    class Meta:
        verbose_name = "事業のフォロー"
        verbose_name_plural = "事業のフォロー"
        ordering = ["user", "project__plan", "project__code"]
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="follow_once_per_project"),
        ]

    def __str__(self):
        return f"{self.user} → {self.project}"


class FollowSettings(models.Model):
    """A user's choice for the follows' e-mail (none stored: mails are sent)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="follow_settings", verbose_name="利用者")
    send_mail = models.BooleanField("フォロー中の事業のお知らせをメールでも受け取る", default=True)

    class Meta:
        verbose_name = "フォローの設定"
        verbose_name_plural = "フォローの設定"

    def __str__(self):
        return f"{self.user}({'メールあり' if self.send_mail else 'メールなし'})"


class NotificationKind(models.TextChoices):
    REPORT = "report", "実績報告の状態"
    SHEET = "sheet", "シートの更新"


class NotificationQuerySet(models.QuerySet):
    def of(self, user):
        """A user's own notifications: another's is a 404, never a 403."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def with_basics(self):
        return self.select_related("project__plan", "actor")


class Notification(models.Model):
    """One thing that happened to a followed project, for one follower. It says what
    changed, who and when, and links to the page; nothing of the report's content."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name="宛先")
    project = models.ForeignKey("plans.Project", on_delete=models.CASCADE, related_name="+",
                                verbose_name="事業")
    kind = models.CharField("種類", max_length=10, choices=NotificationKind)
    text = models.CharField("内容", max_length=255, help_text="例:提出済 → 確認済、シートが更新されました(第3版)")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name="操作した人")
    happened_at = models.DateTimeField("日時")
    link = models.CharField("関連ページ", max_length=255)
    read_at = models.DateTimeField("既読にした日時", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "お知らせ"
        verbose_name_plural = "お知らせ"
        ordering = ["-happened_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self):
        return f"{self.project.code} {self.project.name}:{self.text}"

    def get_absolute_url(self):
        return self.link

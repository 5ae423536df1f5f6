"""Users and the city's organisation: 部 (Department) and 課 (Section)."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as AuthUserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]*$", "コードは半角英小文字・数字・ハイフンで入力してください。"
)


class Department(models.Model):
    """部: a department of the city hall."""

    code = models.CharField("コード", max_length=40, unique=True, validators=[code_validator])
    name = models.CharField("部名", max_length=40)
    sort_order = models.PositiveSmallIntegerField("表示順", default=0)
    is_active = models.BooleanField("現存", default=True)

    class Meta:
        verbose_name = "部"
        verbose_name_plural = "部"
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class Section(models.Model):
    """課: a section of a department; staff belong to one."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="sections", verbose_name="部"
    )
    code = models.CharField("コード", max_length=40, unique=True, validators=[code_validator])
    name = models.CharField("課名", max_length=40)
    sort_order = models.PositiveSmallIntegerField("表示順", default=0)
    is_active = models.BooleanField("現存", default=True)

    class Meta:
        verbose_name = "課"
        verbose_name_plural = "課"
        ordering = ["department__sort_order", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"], name="section_unique_name_in_department"
            ),
        ]

    def __str__(self):
        return f"{self.department.name}{self.name}"


class Position(models.TextChoices):
    """職: the post a person holds; bodies are staffed by post, not by name."""

    DEPUTY_MAYOR = "deputy_mayor", "副市長"
    DIRECTOR = "director", "部長"
    SECTION_CHIEF = "section_chief", "課長"
    SUBSECTION_CHIEF = "subsection_chief", "係長"
    STAFF = "staff", "職員"
    ADVISOR = "advisor", "外部有識者"


class UserQuerySet(models.QuerySet):
    def acting(self):
        """Those who act for their section: active department staff and 課長. The one
        definition of the rule; accounts.permissions.works_in_section is the same rule
        for a user already loaded (tests/accounts/test_permissions.py)."""
        from accounts.roles import Role

        return self.filter(
            models.Q(groups__name=Role.DEPARTMENT_STAFF.value) | models.Q(position=Position.SECTION_CHIEF),
            section__isnull=False, is_active=True,
        )

    def acting_for(self, section_ids):
        """Those who act for the sections (acting())."""
        return self.acting().filter(section_id__in=[pk for pk in section_ids if pk]).distinct()


class UserManager(AuthUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in: city staff, executives or the external CIO補佐官."""

    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="所属部",
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="所属課",
        help_text="部長・副市長・外部の方は空欄にします。",
    )
    position = models.CharField("職", max_length=20, choices=Position, default=Position.STAFF)

    objects = UserManager()

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"
        ordering = ["username"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        name = f"{self.last_name} {self.first_name}".strip()
        return name or self.username

    @property
    def post_title(self):
        """「市民部市民課長」, 「総務部長」: the post as the 要綱 names it."""
        match self.position:
            case Position.SECTION_CHIEF if self.section_id:
                return f"{self.section}長"
            case Position.DIRECTOR if self.department_id:
                return f"{self.department.name}長"
            case Position.STAFF | Position.SUBSECTION_CHIEF if self.section_id:
                return f"{self.section} {self.get_position_display()}"
        return self.get_position_display()

    def clean(self):
        super().clean()
        if self.section_id and self.department_id != self.section.department_id:
            raise ValidationError({"department": "所属部は所属課の部と一致させてください。"})
        if self.position in (Position.SECTION_CHIEF, Position.STAFF) and not self.section_id:
            if not self.is_superuser:
                raise ValidationError({"section": "課長・職員には所属課が必要です。"})
        if self.position == Position.DIRECTOR and not self.department_id:
            raise ValidationError({"department": "部長には所属部が必要です。"})


class UserSession(AbstractBaseSession):
    """A database session that records whose it is (Django's documented way to
    extend the session model), so that a user's sessions can be ended at once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, related_name="+", verbose_name="利用者"
    )

    class Meta(AbstractBaseSession.Meta):
        verbose_name = "セッション"
        verbose_name_plural = "セッション"

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore


class AuditKind(models.TextChoices):
    LOGIN = "login", "ログイン"
    LOGIN_FAILED = "login_failed", "ログイン失敗"
    LOCKOUT = "lockout", "ロックアウト"
    LOGOUT = "logout", "ログアウト"
    PERMISSION_DENIED = "denied", "権限のない操作(403)"
    SESSIONS_ENDED = "sessions_ended", "利用停止によるセッション終了"


class AuditEntry(models.Model):
    """監査ログ: one sign-in event or refusal. Written by accounts.audit only; nobody
    can add, change or delete entries through the application."""

    occurred_at = models.DateTimeField("日時", default=timezone.now, db_index=True)
    kind = models.CharField("種類", max_length=20, choices=AuditKind)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="利用者",
    )
    # As typed at a failed sign-in (the user may not exist); kept when a user is deleted.
    username = models.CharField("ユーザー名", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("IPアドレス", null=True, blank=True)
    path = models.CharField("URL", max_length=300, blank=True)
    detail = models.CharField("内容", max_length=300, blank=True)

    class Meta:
        verbose_name = "監査ログ"
        verbose_name_plural = "監査ログ"
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-occurred_at"], name="audit_kind_time")]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"

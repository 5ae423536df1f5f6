"""API トークン: a person's key to the API. Only a SHA-256 hash of the secret is stored;
the secret is shown once, when the token is made (publication.api.services)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def manageable_by(self, user):
        """Tokens the user may see and revoke: their own; 情報推進課 everyone's."""
        from accounts.permissions import is_ict_office

        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self if is_ict_office(user) else self.filter(user=user)


class ApiToken(models.Model):
    """One named token of one user. Revoked tokens are kept (the audit log names them)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name="利用者")
    name = models.CharField("名前", max_length=100, help_text="用途が分かる名前(例:庁内集計スクリプト)")
    key_hash = models.CharField("トークンのハッシュ(SHA-256)", max_length=64, unique=True, editable=False)
    prefix = models.CharField("先頭の文字", max_length=12, editable=False,
                              help_text="トークンを見分けるための先頭部分(秘密ではありません)")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="作成した人")
    last_used_at = models.DateTimeField("最終利用日時", null=True, blank=True)
    revoked_at = models.DateTimeField("失効日時", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="失効させた人")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API トークン"
        verbose_name_plural = "API トークン"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False),
                                   name="api_token_revoked_by_someone"),
        ]

    def __str__(self):
        return f"#{self.pk}「{self.name}」({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

"""Receivers: sign-in events into the 監査ログ, and a deactivated user's sessions ended."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from axes.signals import user_locked_out

from accounts import audit
from accounts.models import AuditKind, User, UserSession


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def audit_login(sender, request, user, **kwargs):
    audit.record(AuditKind.LOGIN, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    if getattr(request, "login_throttle_refused", False):
        return  # recorded once, as a refusal during the lockout (below)
    # Django has already masked the password in `credentials`; only the name is kept.
    audit.record(AuditKind.LOGIN_FAILED, request=request, username=credentials.get("username") or "")


@receiver(user_locked_out, dispatch_uid="accounts.audit_lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs):
    if getattr(request, "login_throttle_refused", False):
        detail = "ロック中のログインを拒否しました"
    else:
        detail = "失敗が続いたためロックしました"
    audit.record(AuditKind.LOCKOUT, request=request, username=username or "", detail=detail)


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(AuditKind.LOGOUT, request=request, user=user)


@receiver(post_save, sender=User, dispatch_uid="accounts.end_sessions_of_inactive_user")
def end_sessions_of_inactive_user(sender, instance, **kwargs):
    """A user who is deactivated is signed out everywhere at once."""
    if instance.is_active:
        return
    ended, _ = UserSession.objects.filter(user=instance).delete()
    if ended:
        audit.record(AuditKind.SESSIONS_ENDED, user=instance, detail=f"{ended} 件のセッションを終了しました")

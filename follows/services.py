"""Writes of the follows app: following, the mail preference and reading notifications.
Each takes a project or notification the caller fetched through the user's scope."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from follows.models import Follow, FollowSettings, Notification


def follow_project(*, user, project) -> bool:
    """Follow the project; False when the user already did (nothing changes)."""
    try:
        with transaction.atomic():
            Follow.objects.create(user=user, project=project)
    except IntegrityError:  # followed already (a second click, another tab)
        return False
    return True


def unfollow_project(*, user, project) -> bool:
    """Stop following; False when the user was not following it."""
    deleted, _ = Follow.objects.filter(user=user, project=project).delete()
    return bool(deleted)


def set_follow_mail(*, user, send_mail: bool) -> FollowSettings:
    settings, _ = FollowSettings.objects.update_or_create(user=user, defaults={"send_mail": send_mail})
    return settings


def mark_read(*, user, notification: Notification) -> None:
    Notification.objects.of(user).unread().filter(pk=notification.pk).update(read_at=timezone.now())


def mark_all_read(*, user) -> int:
    return Notification.objects.of(user).unread().update(read_at=timezone.now())

"""The follow button's state and the header's unread count, read where the templates ask."""

from django import template

from follows.models import Follow, Notification

register = template.Library()


@register.simple_tag
def is_following(user, project) -> bool:
    return user.is_authenticated and Follow.objects.filter(user=user, project=project).exists()


@register.simple_tag
def unread_notifications(user) -> int:
    return Notification.objects.of(user).unread().count()

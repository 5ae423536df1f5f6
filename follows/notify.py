"""Telling a project's followers that its report changed state or its sheet was revised.

The receivers (connected in FollowsConfig.ready) only register a callback for after
the commit: a rolled-back action notifies nobody, and the callback reads what was
committed. It writes, in one transaction, one Notification per follower (the actor
excepted) and queues one e-mail each through core.mail for those who have not turned
mail off; the followers are read in one query. Nothing here raises into the action:
a failure is logged and the action stands (as with governance.notifications).

What is said is what changed, who and when, with a link: never the report's content
(its comments, values or reasons stay on the pages, behind their permissions)."""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core import mail
from core.models import OutgoingMail
from follows.models import Follow, FollowSettings, Notification, NotificationKind

logger = logging.getLogger(__name__)


def report_moved(sender, instance, created, raw=False, **kwargs):
    """post_save of governance.ReportEvent (written by move_report)."""
    if created and not raw:
        transaction.on_commit(partial(_safely, _report_moved, instance.pk), robust=True)


def sheet_revised(sender, instance, history_instance, **kwargs):
    """post_create_historical_record of a sheet: one per save (projects.services.save_sheets)."""
    if history_instance.history_type == "~":
        transaction.on_commit(partial(_safely, _sheet_revised, history_instance.pk), robust=True)


def _safely(notify, pk):
    try:
        with transaction.atomic():
            notify(pk)
    except Exception:  # the action has been committed: it stands, whatever happens here
        logger.exception("フォローしている利用者へのお知らせを作成できませんでした(%s %s)。", notify.__name__, pk)


def _report_moved(event_id):
    from governance.models import ReportEvent

    event = ReportEvent.objects.select_related("report__cycle", "report__sheet__project__plan", "actor").get(
        pk=event_id)
    if event.from_state == event.to_state:
        change = event.get_action_display()
    else:
        change = f"{event.get_from_state_display()} → {event.get_to_state_display()}"
    report = event.report
    _tell(project=report.sheet.project, kind=NotificationKind.REPORT, actor=event.actor, at=event.at,
          text=f"{report.cycle}の実績報告:{change}", link=report.get_absolute_url())


def _sheet_revised(history_id):
    from projects.models import ProjectSheet

    row = ProjectSheet.history.select_related("history_user").get(pk=history_id)
    sheet = ProjectSheet.objects.select_related("project__plan").get(pk=row.id)
    how = row.history_change_reason or ""
    text = f"シートが更新されました(第{row.version}版)" + (f"({how})" if how and how != "画面" else "")
    _tell(project=sheet.project, kind=NotificationKind.SHEET, actor=row.history_user, at=row.history_date,
          text=text, link=sheet.get_absolute_url() + "#history")


def followers(project, actor):
    """The project's followers who may read it now, the actor excepted, each with
    `mail_off` (one query). A plan in preparation is 情報推進課's alone (projects.querysets)."""
    follows = (
        Follow.objects.filter(project=project, user__is_active=True).select_related("user")
        .annotate(mail_off=Exists(FollowSettings.objects.filter(user=OuterRef("user_id"), send_mail=False)))
        .order_by("pk")
    )
    if actor is not None:
        follows = follows.exclude(user=actor)
    if project.plan.in_preparation:
        follows = follows.filter(user__groups__name=Role.ICT_OFFICE.value)
    return list(follows)


def _tell(*, project, kind, actor, at, text, link):
    follows = followers(project, actor)
    if not follows:
        return
    Notification.objects.bulk_create([
        Notification(user=follow.user, project=project, kind=kind, text=text, actor=actor, happened_at=at,
                     link=link)
        for follow in follows
    ])
    who = actor.display_name if actor else "(システム)"
    subject = f"【フォロー中の事業】{project.code} {project.name}:{text}"
    url = settings.SITE_URL.rstrip("/") + link
    mail.queue(mails=[
        OutgoingMail(
            recipient=follow.user.email, subject=subject[:255],
            body=f"{follow.user.display_name} 様\n\nフォロー中の事業に変更がありました。\n\n"
                 f"事業:{project.code} {project.name}\n内容:{text}\n"
                 f"操作した人:{who}\n日時:{timezone.localtime(at):%Y年%m月%d日 %H:%M}\n\n{url}\n\n"
                 "このメールは「フォロー中の事業」で停止できます。\n"
                 f"{settings.SITE_URL.rstrip('/')}{reverse('follows:follow_list')}\n",
            cause=f"フォロー中の事業({project.code} {text})"[:255], link=link,
        )
        for follow in follows if not follow.mail_off and follow.user.email
    ])

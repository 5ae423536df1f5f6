"""Telling a project's followers that its report changed state or its sheet was revised.

The receivers (connected in FollowsConfig.ready) only register a callback for after
the commit, with the row as written: a rolled-back action (or savepoint) drops it and
notifies nobody. The callback reads the followers in one query (for a project nobody
follows, the usual case, that is all) and writes, in one transaction, one Notification
per follower (the actor excepted) and one queued e-mail (core.mail) each for those who
have not turned mail off. Nothing here raises into the action:
a failure is logged and the action stands (as with governance.notifications).

What is said is what changed, who and when, with a link: never the report's content
(its comments, values or reasons stay on the pages, behind their permissions)."""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from core import mail
from core.models import OutgoingMail
from follows.models import Follow, FollowSettings, Notification, NotificationKind

logger = logging.getLogger(__name__)


def report_moved(sender, instance, created, raw=False, **kwargs):
    """post_save of governance.ReportEvent (written by move_report)."""
    if created and not raw:
        transaction.on_commit(partial(_safely, _report_moved, instance), robust=True)


def sheet_revised(sender, instance, history_instance, **kwargs):
    """post_create_historical_record of a sheet: one per save (projects.services.save_sheets)."""
    if history_instance.history_type == "~":
        transaction.on_commit(partial(_safely, _sheet_revised, history_instance), robust=True)


def _safely(notify, row):
    try:
        with transaction.atomic():
            notify(row)
    except Exception:  # the action has been committed: it stands, whatever happens here
        logger.exception("フォローしている利用者へのお知らせを作成できませんでした(%s %s)。", notify.__name__, row.pk)


def _report_moved(event):
    """`event` as written (the callback runs only if it was committed)."""
    from governance.models import AnnualReport

    follows = followers(Q(project__sheet__reports=event.report_id), event.actor_id)
    if not follows:  # the usual case: one query and done
        return
    report = AnnualReport.objects.select_related("cycle").get(pk=event.report_id)
    if event.from_state == event.to_state:
        change = event.get_action_display()
    else:
        change = f"{event.get_from_state_display()} → {event.get_to_state_display()}"
    _tell(follows, kind=NotificationKind.REPORT, actor=event.actor, at=event.at,
          text=f"{report.cycle}の実績報告:{change}", link=report.get_absolute_url())


def _sheet_revised(row):
    """`row`: the sheet's history row as written, with the revision's user, date and how."""
    follows = followers(Q(project__sheet=row.id), row.history_user_id)
    if not follows:
        return
    how = row.history_change_reason or ""
    text = f"シートが更新されました(第{row.version}版)" + (f"({how})" if how and how != "画面" else "")
    project = follows[0].project
    link = reverse("projects:sheet_detail", kwargs={"plan": project.plan.code, "code": project.code}) + "#history"
    _tell(follows, kind=NotificationKind.SHEET, actor=row.history_user, at=row.history_date, text=text, link=link)


def followers(project, actor_id):
    """The followers of the project (a Q on Follow) who may read it now, the actor
    excepted, each with its project and `mail_off`: one query. A plan in preparation
    is 情報推進課's alone (projects.querysets)."""
    ict_office = User.groups.through.objects.filter(user_id=OuterRef("user_id"), group__name=Role.ICT_OFFICE.value)
    follows = (
        Follow.objects.filter(project, user__is_active=True)
        .filter(Q(project__plan__in_preparation=False) | Q(Exists(ict_office)))
        .select_related("user", "project__plan")
        .annotate(mail_off=Exists(FollowSettings.objects.filter(user=OuterRef("user_id"), send_mail=False)))
        .order_by("pk")
    )
    if actor_id is not None:
        follows = follows.exclude(user_id=actor_id)
    return list(follows)


def _tell(follows, *, kind, actor, at, text, link):
    project = follows[0].project
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

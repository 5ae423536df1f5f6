"""E-mails of the cycle: a cycle opened, a report returned or decided, reminders.

Each is recorded in the action's transaction, one per address, and sent after the
commit by the task queue (core.mail): a mail outage never breaks the action, and
情報推進課 sees and resends what failed (メール送信状況)."""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.models import User
from core import mail
from core.models import OutgoingMail
from governance import permissions
from governance.models import CycleStatus, ReminderLog, ReportState, ReviewCycle


def section_staff(section_ids):
    """Those of the sections' actors (accounts: acting_for) who can be mailed."""
    return User.objects.acting_for(section_ids).exclude(email="")


def _site_url(path):
    return settings.SITE_URL.rstrip("/") + path


def queued_message(user, text):
    """`text` (what was done, ending 「…送信待ちにしました。」) and where to see whether the
    mails went out, linked for those who may open メール送信状況. Mails are only queued by
    an action: saying they were sent would be untrue when the server is down."""
    if permissions.can_manage_mail(user):
        return format_html('{}(送信の状況は<a href="{}">「メール送信状況」</a>で確認できます。)',
                           text, reverse("governance:mail_list"))
    return text


def _salutation(user):
    """The first line of every mail of the cycle."""
    return f"{user.display_name} 様\n\n"


def notify_cycle_opened(cycle):
    sections = set(cycle.reports.exclude(section=None).values_list("section_id", flat=True))
    subject = f"【進行管理】{cycle}の実績報告をお願いします(期限 {cycle.deadline:%Y年%m月%d日})"
    mail.queue(mails=[
        OutgoingMail(
            recipient=user.email, subject=subject,
            body=f"{_salutation(user)}{cycle}を開始しました。担当事業の実績報告を期限までに提出してください。\n"
                 f"{_site_url(reverse('governance:my_reports'))}\n\n情報推進課",
            cause=f"{cycle}の開始", link=cycle.get_absolute_url(),
        )
        for user in section_staff(sections)
    ])


def notify_section(report, what, detail):
    name = report.sheet.project.name
    mail.queue(mails=[
        OutgoingMail(
            recipient=user.email, subject=f"【進行管理】{name}:{what}",
            body=f"{_salutation(user)}{name} の実績報告について、{what}がありました。\n\n{detail}\n\n"
                 f"{_site_url(report.get_absolute_url())}\n\n情報推進課",
            cause=f"{what}({name})", link=report.get_absolute_url(),
        )
        for user in section_staff([report.section_id])
    ])


def send_reminders(*, today: date | None = None, user=None, days_before=7, cycle=None) -> int:
    """Remind each section that still has reports to submit in an open cycle whose
    deadline is within `days_before` days or past. Once a day per section and cycle.
    Returns the number of sections whose reminder was queued (a section nobody can be
    mailed is logged but not counted); whether each mail went out is core.mail's record."""
    today = today or timezone.localdate()
    cycles = ReviewCycle.objects.filter(status=CycleStatus.OPEN)
    if cycle is not None:
        cycles = cycles.filter(pk=cycle.pk)
    reminded = 0
    for open_cycle_ in cycles:
        if (open_cycle_.deadline - today).days > days_before and cycle is None:
            continue
        pending = defaultdict(list)  # section → its unsubmitted projects, in code order (one query)
        for section_id, code, name, state in (
            open_cycle_.reports.filter(state__in=[ReportState.DRAFT, ReportState.RETURNED])
            .exclude(section__isnull=True).order_by("sheet__project__code")
            .values_list("section_id", "sheet__project__code", "sheet__project__name", "state")
        ):
            pending[section_id].append(f"・{code} {name}({ReportState(state).label})")
        for section_id, projects in pending.items():
            try:
                with transaction.atomic():
                    queued = _remind_section(open_cycle_, section_id, projects, today=today, user=user)
            except IntegrityError:
                continue  # already reminded today
            reminded += bool(queued)
    return reminded


def _remind_section(cycle, section_id, projects, *, today, user) -> int:
    """`projects`: the section's unsubmitted projects, one line each, listed in the mail."""
    log = ReminderLog.objects.create(cycle=cycle, section_id=section_id, sent_on=today, sent_by=user)
    overdue = today > cycle.deadline
    queued = mail.queue(mails=[
        OutgoingMail(
            recipient=staff.email,
            subject=f"【進行管理】実績報告の{'期限を過ぎています' if overdue else '提出期限が近づいています'}",
            body=f"{_salutation(staff)}{cycle}の実績報告が未提出です(期限 {cycle.deadline:%Y年%m月%d日})。\n"
                 f"未提出の事業({len(projects)} 件):\n" + "\n".join(projects) + "\n\n"
                 f"{_site_url(reverse('governance:my_reports'))}\n\n情報推進課",
            cause=f"督促({cycle}・{log.section})", link=cycle.get_absolute_url(),
        )
        for staff in section_staff([section_id])
    ])
    log.recipients = len(queued)
    log.save(update_fields=["recipients"])
    return len(queued)

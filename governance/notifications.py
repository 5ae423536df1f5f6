"""E-mails of the cycle: a cycle opened, a report returned or decided, reminders."""

from datetime import date

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from accounts.models import Position, User
from accounts.roles import Role
from governance.models import CycleStatus, ReminderLog, ReportState, ReviewCycle


def section_staff(section_id):
    """Those who act for a section: its department staff and its 課長."""
    return User.objects.filter(
        Q(groups__name=Role.DEPARTMENT_STAFF.value) | Q(position=Position.SECTION_CHIEF),
        section_id=section_id, is_active=True,
    ).exclude(email="").distinct()


def _site_url(path):
    return settings.SITE_URL.rstrip("/") + path


def notify_cycle_opened(cycle):
    sections = set(cycle.reports.values_list("section_id", flat=True))
    messages = []
    for user in User.objects.filter(
        Q(groups__name=Role.DEPARTMENT_STAFF.value) | Q(position=Position.SECTION_CHIEF),
        section_id__in=sections, is_active=True,
    ).exclude(email="").distinct():
        messages.append((
            f"【進行管理】{cycle}の実績報告をお願いします(期限 {cycle.deadline:%Y年%m月%d日})",
            f"{user.display_name} 様\n\n{cycle}を開始しました。担当事業の実績報告を期限までに提出してください。\n"
            f"{_site_url(reverse('governance:my_reports'))}\n\n情報推進課",
            settings.DEFAULT_FROM_EMAIL, [user.email],
        ))
    send_mass_mail(messages, fail_silently=False)


def notify_section(report, what, detail):
    recipients = [u.email for u in section_staff(report.section_id)]
    if recipients:
        send_mass_mail([(
            f"【進行管理】{report.sheet.project.name}:{what}",
            f"{report.sheet.project.name} の実績報告について、{what}がありました。\n\n{detail}\n\n"
            f"{_site_url(report.get_absolute_url())}\n\n情報推進課",
            settings.DEFAULT_FROM_EMAIL, recipients,
        )], fail_silently=False)


def send_reminders(*, today: date | None = None, user=None, days_before=7, cycle=None) -> int:
    """Remind each section that still has reports to submit in an open cycle whose
    deadline is within `days_before` days or past. Once a day per section and cycle."""
    today = today or date.today()
    cycles = ReviewCycle.objects.filter(status=CycleStatus.OPEN)
    if cycle is not None:
        cycles = cycles.filter(pk=cycle.pk)
    sent = 0
    for open_cycle_ in cycles:
        if (open_cycle_.deadline - today).days > days_before and cycle is None:
            continue
        pending = (
            open_cycle_.reports.filter(state__in=[ReportState.DRAFT, ReportState.RETURNED])
            .exclude(section__isnull=True).values_list("section_id", flat=True).distinct()
        )
        for section_id in pending:
            try:
                with transaction.atomic():
                    log = ReminderLog.objects.create(cycle=open_cycle_, section_id=section_id,
                                                     sent_on=today, sent_by=user)
                    recipients = [u.email for u in section_staff(section_id)]
                    overdue = today > open_cycle_.deadline
                    if recipients:
                        send_mass_mail([(
                            f"【進行管理】実績報告の{'期限を過ぎています' if overdue else '提出期限が近づいています'}",
                            f"{open_cycle_}の実績報告が未提出です(期限 {open_cycle_.deadline:%Y年%m月%d日})。\n"
                            f"{_site_url(reverse('governance:my_reports'))}\n\n情報推進課",
                            settings.DEFAULT_FROM_EMAIL, recipients,
                        )], fail_silently=False)
                    log.recipients = len(recipients)
                    log.save(update_fields=["recipients"])
                    sent += bool(recipients)  # a section nobody could be mailed is not counted
            except IntegrityError:
                continue  # already reminded today
    return sent

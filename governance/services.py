"""Writes of the yearly cycle: opening, the report's moves, meetings, reminders.

Each state change of a report goes through move_report (row lock, transition
table, actor check, event row, one transaction).
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from simple_history.utils import bulk_create_with_history

from accounts.models import Position, User
from accounts.permissions import is_ict_office
from accounts.roles import Role
from core import fiscal
from governance.models import (
    AgendaItem, AnnualReport, BodyKind, CycleKind, CycleStatus, IndicatorResult, Meeting,
    ReminderLog, ReportEvent, ReportState, ReviewCycle,
)
from governance.quality import quality_check
from governance.workflow import TRANSITIONS, Action, is_actor
from projects.models import ProjectSheet


class WorkflowError(Exception):
    """A move that the table or the actor's rights do not allow. The message is Japanese."""


class WorkflowPermissionError(WorkflowError):
    """The user's role may not do this at all (not a matter of the report's state): the
    views answer 403 and the refusal is written to the 監査ログ."""


class StaleReportError(Exception):
    """The report changed since the user opened it."""


# ─── Cycles ───────────────────────────────────────────────────────────────

def check_cycle_year(*, plan, kind, fiscal_year):
    """図3-3: 中間見直し in year 3, 最終見直し in year 5, 年次 in any plan year."""
    if kind == CycleKind.MIDTERM and fiscal_year != plan.start_year + 2:
        raise ValidationError(f"中間見直しは計画3年目({fiscal.fy_label(plan.start_year + 2)})に行います。")
    if kind == CycleKind.FINAL and fiscal_year != plan.start_year + 4:
        raise ValidationError(f"最終見直しは計画5年目({fiscal.fy_label(plan.start_year + 4)})に行います。")
    if not plan.start_year <= fiscal_year <= plan.end_year:
        raise ValidationError(f"{fiscal.fy_label(fiscal_year)}は計画期間({plan.period_label})の外です。")


def active_sheets(plan, years):
    """Sheets of the plan's projects whose period overlaps `years`."""
    return (
        ProjectSheet.objects.in_plan(plan)
        .filter(Q(start_year__isnull=True) | Q(start_year__lte=max(years)))
        .filter(Q(end_year__isnull=True) | Q(end_year__gte=min(years)))
        .prefetch_related("indicators")
    )


@transaction.atomic
def open_cycle(*, user, plan, kind, fiscal_year, deadline) -> ReviewCycle:
    """Open a cycle and create one 実績報告 per project active in that year."""
    if not is_ict_office(user):
        raise WorkflowPermissionError("進行管理を開始できるのは情報推進課です。")
    check_cycle_year(plan=plan, kind=kind, fiscal_year=fiscal_year)
    if fiscal_year > fiscal.current_fiscal_year():
        raise ValidationError(f"{fiscal.fy_label(fiscal_year)}はまだ始まっていません。")
    if deadline <= date(fiscal_year, 3, 31):
        raise ValidationError("提出期限は対象年度が始まった後の日付にしてください。")
    if ReviewCycle.objects.filter(plan=plan, kind=kind, fiscal_year=fiscal_year,
                                  status=CycleStatus.OPEN).exists():
        raise ValidationError("同じ年度・種類の進行管理がすでに実施中です。")
    try:
        with transaction.atomic():
            cycle = ReviewCycle.objects.create(plan=plan, kind=kind, fiscal_year=fiscal_year,
                                               deadline=deadline, opened_by=user)
    except IntegrityError as error:  # a concurrent opening won the race
        raise ValidationError("同じ年度・種類の進行管理がすでに実施中です。") from error
    sheets = list(active_sheets(plan, cycle.covered_years))
    # bulk_create_with_history: one query for the reports and one for their
    # history rows (plain bulk_create would skip the history).
    reports = bulk_create_with_history(
        [AnnualReport(cycle=cycle, sheet=sheet, section_id=sheet.section_id) for sheet in sheets],
        AnnualReport, default_user=user,
    )
    bulk_create_with_history(
        [
            IndicatorResult(report=report, indicator=indicator)
            for report, sheet in zip(reports, sheets)
            for indicator in sheet.indicators.all()
        ],
        IndicatorResult, default_user=user,
    )
    transaction.on_commit(lambda: notify_cycle_opened(cycle))
    return cycle


@transaction.atomic
def assign_report_sections(*, user, cycle) -> int:
    """Give the cycle's unsubmitted reports the 担当部署 their sheets have now
    (for sheets whose section 情報推進課 set after the cycle opened)."""
    if not is_ict_office(user):
        raise WorkflowPermissionError("担当部署を反映できるのは情報推進課です。")
    changed = 0
    for report in cycle.reports.select_for_update().filter(state=ReportState.DRAFT).select_related("sheet"):
        if report.sheet.section_id and report.section_id != report.sheet.section_id:
            report.section_id = report.sheet.section_id
            report.save(update_fields=["section", "updated_at"])
            changed += 1
    return changed


# ─── Report content ───────────────────────────────────────────────────────

@transaction.atomic
def save_report(*, user, report, seen_version, form, results_formset) -> AnnualReport:
    """Save the department's input; refused when someone saved in between or when
    the report is no longer the department's to change."""
    from governance.permissions import can_edit_report

    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if not can_edit_report(user, locked):
        raise WorkflowError("この実績報告は提出済みのため変更できません。差戻しを受けてから修正してください。")
    if locked.version != seen_version:
        raise StaleReportError()
    report = form.save(commit=False)
    report.version = seen_version + 1
    report.save()
    for result_form in results_formset.forms:
        if result_form.has_changed():
            result_form.save()
    return report


# ─── Moves ────────────────────────────────────────────────────────────────

def move_report(*, user, report, action: Action, comment="", changes=None) -> AnnualReport:
    """The one way a report changes state."""
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().select_related("cycle").get(pk=report.pk)
        moves = TRANSITIONS.get(locked.state, {})
        if action not in moves:
            raise WorkflowError(
                f"「{locked.get_state_display()}」の実績報告に「{Action(action).label}」はできません。"
            )
        next_state, actor = moves[action]
        if not is_actor(user, locked, actor):
            raise WorkflowPermissionError(f"「{Action(action).label}」ができるのは{actor.label}です。")
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
        from_state = locked.state
        locked.state = next_state
        locked.version += 1  # the row is locked: no one else can be changing it
        locked.save()
        ReportEvent.objects.create(report=locked, action=action, from_state=from_state,
                                   to_state=next_state, actor=user, comment=comment)
    return locked


def submit_report(*, user, report) -> AnnualReport:
    report = AnnualReport.objects.with_details().get(pk=report.pk)
    blockers, _ = quality_check(report)
    if blockers:
        raise WorkflowError("提出の前に次の項目を入力してください:" + " / ".join(blockers))
    return move_report(user=user, report=report, action=Action.SUBMIT)


def return_report(*, user, report, reason: str) -> AnnualReport:
    if not reason.strip():
        raise WorkflowError("差戻しの理由を記入してください。")
    moved = move_report(user=user, report=report, action=Action.RETURN, comment=reason)
    transaction.on_commit(lambda: notify_section(moved, "差戻し", reason))
    return moved


def confirm_report(*, user, report, comment="") -> AnnualReport:
    return move_report(user=user, report=report, action=Action.CONFIRM, comment=comment)


def _check_meeting(meeting, kind, report):
    if meeting is None or meeting.body.kind != kind:
        raise WorkflowError(f"{BodyKind(kind).label}の会議を選んでください。")
    if meeting.cycle_id != report.cycle_id:
        raise WorkflowError("この実績報告とは別の進行管理の会議です。")
    if not meeting.items.filter(report=report).exists():
        raise WorkflowError("この実績報告はその会議の議題にありません。")


def evaluate_report(*, user, report, meeting, evaluation, comment="") -> AnnualReport:
    _check_meeting(meeting, BodyKind.COMMITTEE, report)
    if not evaluation:
        raise WorkflowError("評価(A・B・C)を選んでください。")
    return move_report(user=user, report=report, action=Action.EVALUATE, comment=comment, changes={
        "evaluation": evaluation, "evaluation_comment": comment, "evaluated_in": meeting,
    })


def decide_report(*, user, report, meeting, decision, comment="") -> AnnualReport:
    _check_meeting(meeting, BodyKind.HEADQUARTERS, report)
    if not decision:
        raise WorkflowError("判断を選んでください。")
    sheet = ProjectSheet.objects.with_details().get(pk=report.sheet_id)
    moved = move_report(user=user, report=report, action=Action.DECIDE, comment=comment, changes={
        "decision": decision, "decision_comment": comment, "decided_in": meeting,
        "targets_at_decision": targets_snapshot(sheet), "sheet_version_at_decision": sheet.version,
    })
    detail = moved.get_decision_display() + (f"\n\n{comment}" if comment else "")
    transaction.on_commit(lambda: notify_section(moved, "戦略本部の判断", detail))
    return moved


def reflect_report(*, user, report) -> AnnualReport:
    """The department has revised its sheet: link the report to that revision and
    flag a revision that ignores the decision."""
    from governance.reflection import reflection_flags

    sheet = ProjectSheet.objects.with_details().get(pk=report.sheet_id)
    flags = reflection_flags(report, sheet)
    return move_report(user=user, report=report, action=Action.REFLECT, changes={
        "reflected_sheet_version": sheet.version, "reflection_flags": flags,
    }, comment="\n".join(flags))


def targets_snapshot(sheet) -> dict:
    return {
        str(indicator.pk): {str(t.fiscal_year): str(t.value) for t in indicator.targets.all()}
        for indicator in sheet.indicators.all()
    }


# ─── Meetings ─────────────────────────────────────────────────────────────

@transaction.atomic
def prepare_meeting(*, user, body, cycle, title, held_on, place, reports) -> Meeting:
    """A meeting with its agenda (reports) and, as attendees, the body's current members."""
    from governance.bodies import members_of

    if not is_ict_office(user):
        raise WorkflowPermissionError("会議の準備ができるのは情報推進課です。")
    if body.kind not in (BodyKind.COMMITTEE, BodyKind.HEADQUARTERS):
        raise WorkflowError("実績報告を議題にできるのは情報化推進検討会議と情報化戦略本部です。")
    if any(r.cycle_id != cycle.pk for r in reports):
        raise WorkflowError("別の進行管理の実績報告は議題にできません。")
    wanted = ReportState.CONFIRMED if body.kind == BodyKind.COMMITTEE else ReportState.EVALUATED
    wrong = [r.sheet.project.name for r in reports if r.state != wanted]
    if wrong:
        raise WorkflowError(f"{body.name}の議題にできるのは「{wanted.label}」の報告です:" + "、".join(wrong))
    meeting = Meeting.objects.create(body=body, cycle=cycle, title=title, held_on=held_on,
                                     place=place, prepared_by=user)
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, report=report, position=i) for i, report in enumerate(reports, 1)
    )
    meeting.attendees.set(members_of(body))
    return meeting


# ─── Mail ─────────────────────────────────────────────────────────────────

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

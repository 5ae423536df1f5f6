"""Writes of the yearly cycle: opening it, the report's content and its moves.

Each state change of a report goes through move_report (row lock, transition
table, actor check, event row, one transaction)."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.permissions import is_ict_office
from core import fiscal, stamps
from core.writes import bump_versions, editable_names, record_history, update_rows
from governance.cycles.quality import quality_check
from governance.cycles.workflow import TRANSITIONS, Action, is_actor
from governance.models import (
    AnnualReport, BodyKind, CycleKind, CycleStatus, IndicatorResult, ReportEvent, ReportState,
    ReviewCycle,
)
from governance.notifications import notify_cycle_opened, notify_section
from projects.models import Indicator, ProjectSheet
from projects.revisions import Via


class WorkflowError(Exception):
    """A move that the table or the actor's rights do not allow. The message is Japanese."""


class WorkflowPermissionError(WorkflowError):
    """The user's role may not do this at all (not a matter of the report's state): the
    views answer 403 and the refusal is written to the 監査ログ."""


class StaleReportError(Exception):
    """The report changed since the user opened it."""


CLOSED_MESSAGE = ("{cycle}は確定しています。確定した進行管理の実績報告・評価・判断・会議は変更できません"
                  "(変更が必要なときは、情報推進課が進行管理の画面で「確定を取り消す」を行ってください)。")


def closed_cycles(cycle_ids) -> dict:
    """{id: cycle} of those of the cycles that are closed, read now (one query)."""
    return ReviewCycle.objects.filter(pk__in=set(cycle_ids), status=CycleStatus.CLOSED).select_related("plan").in_bulk()


def refuse_if_closed(cycle) -> None:
    """The one check of every write in a cycle (reports' content and moves, corrections,
    ratings, meetings, imports through save_reports): WorkflowError when the cycle
    (or its id) is closed. Called after the writer has locked its report rows, and
    closing locks every report of the cycle first (governance.cycles.closing), so a
    write and a closing never cross: one waits for the other and then sees it."""
    cycle_id = getattr(cycle, "pk", cycle)
    if closed := closed_cycles([cycle_id]).get(cycle_id):
        raise WorkflowError(CLOSED_MESSAGE.format(cycle=closed))


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
    if plan.in_preparation:
        raise ValidationError(f"{plan.name}は策定中のため、進行管理を開始できません。計画を策定してから開始してください。")
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
    reports = list(cycle.reports.select_for_update().filter(state=ReportState.DRAFT).select_related("sheet"))
    refuse_if_closed(cycle)
    for report in reports:
        if report.sheet.section_id and report.section_id != report.sheet.section_id:
            report.section_id = report.sheet.section_id
            report.save(update_fields=["section", "updated_at"])
            changed += 1
    return changed


@dataclass
class ReportChanges:
    """The department's input for one report, as plain data: the report's own fields
    and, per indicator id, its result's fields (a missing result row is added)."""

    fields: dict = field(default_factory=dict)
    results: dict[int, dict] = field(default_factory=dict)


@dataclass
class ReportSave:
    report_id: int
    seen_version: int
    changes: ReportChanges


class ReportsRefused(Exception):
    """Reports of a batch that cannot be saved, each with its reason (WorkflowError,
    StaleReportError or ValidationError); nothing was written."""

    def __init__(self, errors: dict):
        super().__init__("保存できない実績報告があります。")
        self.errors = errors


REPORT_PARENTS = ["cycle", "sheet", "section", "evaluated_in", "decided_in"]


def save_report(*, user, report, seen_version, changes: ReportChanges, via=Via.PAGE) -> AnnualReport:
    """Save the department's input; refused when someone saved in between or when
    the report is no longer the department's to change. A batch of one (save_reports)."""
    try:
        saved = save_reports(items=[ReportSave(report.pk, seen_version, changes)], user=user, via=via)
    except ReportsRefused as refused:
        raise refused.errors[report.pk] from None
    return saved.get(report.pk, report)


@transaction.atomic
def save_reports(*, items: list[ReportSave], user, via: Via) -> dict:
    """The one write of reports' content (the edit page: one; an import: many). Each
    report is locked, checked (the department's to change, the version its author
    saw, model validation of every changed row) before anything is written; then
    every changed report gets one new version and one history row, every changed
    result one history row, marked with the user and `via`, a few statements per
    batch. Returns {report id: saved report} for the reports that changed."""
    from governance.permissions import can_edit_report

    ids = [item.report_id for item in items]
    reports = AnnualReport.objects.select_for_update().in_bulk(ids)
    results = {(r.report_id, r.indicator_id): r for r in IndicatorResult.objects.filter(report_id__in=ids)}
    indicators = _sheet_indicators(reports, items, results)
    closed = closed_cycles(report.cycle_id for report in reports.values())
    changed, new_results, old_results, refused = [], [], [], {}
    for item in items:
        report = reports.get(item.report_id)
        try:
            if report is not None and report.cycle_id in closed:
                raise WorkflowError(CLOSED_MESSAGE.format(cycle=closed[report.cycle_id]))
            if report is None or not can_edit_report(user, report):
                raise WorkflowError("この実績報告は提出済みのため変更できません。差戻しを受けてから修正してください。")
            rows = _assign_results(report, item.changes.results, results, indicators)
            if not (_assign(report, item.changes.fields) or rows):
                continue
            if report.version != item.seen_version:
                raise StaleReportError()
            _validate_report(report, rows)
        except (WorkflowError, StaleReportError, ValidationError) as error:
            refused[item.report_id] = error
            continue
        changed.append(report)
        new_results += [row for row in rows if row.pk is None]
        old_results += [row for row in rows if row.pk is not None]
    if refused:
        raise ReportsRefused(refused)
    # The lock above holds on PostgreSQL; the conditional bump also on SQLite, where
    # select_for_update is a no-op: a save in between refuses the batch, never overwritten.
    if changed and not bump_versions(AnnualReport, {report.pk: report.version for report in changed}):
        raise ReportsRefused({report.pk: StaleReportError() for report in changed})
    _write_reports(changed, new_results, old_results, user=user, via=via)
    return {report.pk: report for report in changed}


def _sheet_indicators(reports, items, results) -> dict:
    """{(sheet id, indicator id): indicator} for the result rows the changes add."""
    wanted = {indicator_id for item in items for indicator_id in item.changes.results
              if (item.report_id, indicator_id) not in results}
    sheets = {report.sheet_id for report in reports.values()}
    if not wanted:
        return {}
    return {(i.sheet_id, i.pk): i for i in Indicator.objects.filter(pk__in=wanted, sheet_id__in=sheets)}


def _assign(instance, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _assign_results(report, values: dict, results: dict, indicators: dict) -> list:
    rows = []
    for indicator_id, fields in values.items():
        row = results.get((report.pk, indicator_id))
        if row is None:
            indicator = indicators.get((report.sheet_id, indicator_id))
            if indicator is None:
                raise ValidationError("この報告のシートにない指標です。")
            row = IndicatorResult(report=report, indicator=indicator)
            _assign(row, fields)
            rows.append(row)
        elif _assign(row, fields):
            rows.append(row)
    return rows


def _validate_report(report, rows):
    errors = []
    for instance, parents in ((report, REPORT_PARENTS), *((row, ["report", "indicator"]) for row in rows)):
        try:
            instance.full_clean(exclude=parents, validate_unique=False)
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError([message for error in errors for message in error.messages])


def _write_reports(reports, new_results, old_results, *, user, via, how=""):
    """`how` names a write other than the department's input in the history's reason
    (e.g. 「内容の訂正」), before how it was made: 「内容の訂正(画面)」."""
    if not reports:
        return
    history = {"user": user, "reason": f"{how}({via})" if how else str(via), "date": timezone.now()}
    for report in reports:
        report.version += 1  # as bumped above
    update_rows(reports, editable_names(AnnualReport))
    record_history(reports, created=False, **history)
    if new_results:
        IndicatorResult.objects.bulk_create(new_results)
        record_history(new_results, created=True, **history)
    if old_results:
        update_rows(old_results, ["actual", "note"])
        record_history(old_results, created=False, **history)
    stamps.bump("work")  # bulk writes send no signals (core.stamps)


OVERRIDE_REASON = "達成判定の変更"


def override_rating(*, user, result, met: bool | None, reason: str = "", via=Via.PAGE) -> IndicatorResult:
    """情報推進課's 達成 (True) or 未達成 (False) of one indicator's result in place of
    the one its rate gives, with the reason shown beside it; None goes back to the rate.
    Written with a history row (who, when, the reason). Raises WorkflowPermissionError
    for anyone else and ValidationError (nothing changed) for a bad request."""
    if not is_ict_office(user):
        raise WorkflowPermissionError("達成判定を変更できるのは情報推進課です。")
    reason = reason.strip()
    if met is not None and not reason:
        raise ValidationError("達成判定を変更する理由を記入してください。")
    with transaction.atomic():
        # The report first, as every write in a cycle locks it (refuse_if_closed).
        report = AnnualReport.objects.select_for_update().get(pk=result.report_id)
        refuse_if_closed(report.cycle_id)
        locked = IndicatorResult.objects.select_for_update().select_related("indicator").get(pk=result.pk)
        if locked.indicator.is_qualitative:
            raise ValidationError(f"定性的な指標「{locked.indicator.name}」には達成判定がありません。")
        if met is not None and locked.actual is None:
            raise ValidationError(f"指標「{locked.indicator.name}」の実績値がないため、達成判定を変更できません。")
        locked.override_met, locked.override_reason = met, reason if met is not None else ""
        update_rows([locked], ["override_met", "override_reason"])
        record_history([locked], created=False, user=user, reason=f"{OVERRIDE_REASON}({via})")
        stamps.bump("work")  # the dashboard counts it (a bulk write sends no signal)
    return locked


def move_report(*, user, report, action: Action, comment="", changes=None) -> AnnualReport:
    """The one way a report changes state."""
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().select_related("cycle").get(pk=report.pk)
        refuse_if_closed(locked.cycle_id)
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
    from governance.cycles.reflection import reflection_flags

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

"""情報推進課's corrections of a report already past a step: its content once confirmed,
the 検討会議's evaluation once recorded, the 戦略本部's decision once recorded.

A correction fixes the record of what was reported or concluded; it is not a new
step: the state stays, the event row says 「内容の訂正」 (etc.) with from == to and
the required reason, and the history row says who, when and how. Each function locks
the report, refuses a closed cycle (services.refuse_if_closed) and writes in one
transaction; the data stamps change with the write (save() or services._write_reports).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.permissions import is_ict_office
from governance.cycles.services import (
    ReportChanges, ReportSave, StaleReportError, WorkflowError, WorkflowPermissionError, _assign,
    _assign_results, _sheet_indicators, _validate_report, _write_reports, refuse_if_closed,
)
from governance.models import AnnualReport, IndicatorResult, ReportEvent, ReportState as S
from governance.notifications import notify_section
from governance.vocab import Decision, Evaluation, ReportAction
from core.writes import bump_versions
from projects.models import ProjectSheet
from projects.revisions import Via

# The states in which each part of a report exists and can be corrected.
CORRECTABLE = {
    ReportAction.CORRECT_CONTENT: {S.CONFIRMED, S.EVALUATED, S.DECIDED, S.REFLECTED},
    ReportAction.CORRECT_EVALUATION: {S.EVALUATED, S.DECIDED, S.REFLECTED},
    ReportAction.CORRECT_DECISION: {S.DECIDED, S.REFLECTED},
}
WHAT = {
    ReportAction.CORRECT_CONTENT: "確認済みの報告の内容",
    ReportAction.CORRECT_EVALUATION: "検討会議の評価",
    ReportAction.CORRECT_DECISION: "戦略本部の判断",
}


def can_correct(user, report, action: ReportAction) -> bool:
    """For the report page's forms; the services check again."""
    return is_ict_office(user) and report.state in CORRECTABLE[action] and not report.cycle.is_closed


def _locked(user, report, action, reason) -> tuple[AnnualReport, str]:
    """The report, locked, after the checks every correction shares."""
    if not is_ict_office(user):
        raise WorkflowPermissionError(f"{WHAT[action]}を訂正できるのは情報推進課です。")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("訂正の理由を記入してください。")
    locked = AnnualReport.objects.select_for_update().select_related("cycle", "sheet__project").get(pk=report.pk)
    refuse_if_closed(locked.cycle_id)
    if locked.state not in CORRECTABLE[action]:
        raise WorkflowError(f"「{locked.get_state_display()}」の実績報告には{WHAT[action]}がないため、訂正できません。")
    return locked, reason


def _event(locked, action, user, reason):
    ReportEvent.objects.create(report=locked, action=action, from_state=locked.state, to_state=locked.state,
                               actor=user, comment=reason)


@transaction.atomic
def correct_content(*, user, report, seen_version: int, changes: ReportChanges, reason: str,
                    via=Via.PAGE) -> AnnualReport:
    """Correct a confirmed (or later) report's 実施状況・進捗度・内容・課題・方向性 and
    indicator results, as the department's save would write them (the same checks of
    each value, one new version, a history row per changed row marked 「内容の訂正」)."""
    action = ReportAction.CORRECT_CONTENT
    locked, reason = _locked(user, report, action, reason)
    results = {(r.report_id, r.indicator_id): r for r in IndicatorResult.objects.filter(report=locked)}
    indicators = _sheet_indicators({locked.pk: locked}, [ReportSave(locked.pk, seen_version, changes)], results)
    rows = _assign_results(locked, changes.results, results, indicators)
    if not (_assign(locked, changes.fields) or rows):
        raise WorkflowError("訂正する内容が入力されていません(今の内容と同じです)。")
    if locked.version != seen_version:
        raise StaleReportError()
    _validate_report(locked, rows)
    if not bump_versions(AnnualReport, {locked.pk: locked.version}):
        raise StaleReportError()
    _write_reports([locked], [r for r in rows if r.pk is None], [r for r in rows if r.pk is not None],
                   user=user, via=via, how=action.label)
    _event(locked, action, user, reason)
    return locked


@transaction.atomic
def correct_evaluation(*, user, report, evaluation: str, comment: str, reason: str, via=Via.PAGE) -> AnnualReport:
    """Correct the 検討会議's A/B/C and comment as recorded; the meeting stays the one it was made in."""
    action = ReportAction.CORRECT_EVALUATION
    locked, reason = _locked(user, report, action, reason)
    if evaluation not in Evaluation.values:
        raise WorkflowError("評価(A・B・C)を選んでください。")
    _save_corrected(locked, user, via, action, evaluation=evaluation, evaluation_comment=comment or "")
    _event(locked, action, user, reason)
    return locked


@transaction.atomic
def correct_decision(*, user, report, decision: str, comment: str, reason: str, via=Via.PAGE) -> AnnualReport:
    """Correct the 戦略本部's 判断 and 理由・指示 as recorded, and tell the section by mail.

    The correction fixes the record of the decision the 戦略本部 took at its meeting, so
    what was recorded about that moment stays: the meeting (decided_in), the targets and
    the sheet's version then (targets_at_decision, sheet_version_at_decision), against
    which reflection_flags compare a revised sheet. A report already 反映済 gets its
    flags computed again for the corrected decision when its sheet is still the version
    it was reflected in; otherwise a flag says the sheet should be checked again."""
    action = ReportAction.CORRECT_DECISION
    locked, reason = _locked(user, report, action, reason)
    if decision not in Decision.values:
        raise WorkflowError("判断を選んでください。")
    fields = {"decision": decision, "decision_comment": comment or ""}
    if locked.state == S.REFLECTED:
        fields["reflection_flags"] = _flags_after_correction(locked, decision)
    _save_corrected(locked, user, via, action, **fields)
    _event(locked, action, user, reason)
    detail = (f"{locked.get_decision_display()}" + (f"\n\n{locked.decision_comment}" if locked.decision_comment else "")
              + f"\n\n訂正の理由:{reason}")
    transaction.on_commit(lambda: notify_section(locked, "戦略本部の判断の訂正", detail))
    return locked


RECHECK_FLAG = "シートへの反映の後に戦略本部の判断が訂正されました。訂正後の判断に沿っているか、シートを確認してください。"


def _flags_after_correction(locked, decision) -> list[str]:
    from governance.cycles.reflection import reflection_flags

    sheet = ProjectSheet.objects.with_details().get(pk=locked.sheet_id)
    if sheet.version != locked.reflected_sheet_version:
        return [*locked.reflection_flags, RECHECK_FLAG]
    corrected = AnnualReport(pk=locked.pk, cycle=locked.cycle, decision=decision,
                             targets_at_decision=locked.targets_at_decision,
                             sheet_version_at_decision=locked.sheet_version_at_decision)
    return reflection_flags(corrected, sheet)


def _save_corrected(locked, user, via, action, **fields):
    """Write the corrected fields with a new version and one history row marked with the correction."""
    for name, value in fields.items():
        setattr(locked, name, value)
    try:
        locked.full_clean(exclude=["cycle", "sheet", "section", "evaluated_in", "decided_in"], validate_unique=False)
    except ValidationError as error:
        raise WorkflowError("".join(error.messages)) from error
    locked.version += 1  # the row is locked
    locked._change_reason = f"{action.label}({via})"  # simple-history's who and how for this save
    locked._history_user = user
    locked.save()

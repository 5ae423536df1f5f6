"""Screens of the yearly cycle: work lists, reports and their moves, summary tables.
Workflow moves are small POST-only views that call one service."""

import logging
from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views import View
from django.views.decorators.http import require_POST

from accounts.permissions import is_ict_office
from core import stamps
from core.busy import keep_input
from governance import notifications, permissions
from governance.cycles import services
from governance.cycles.forms import (
    CloseCycleForm, CommentForm, CycleForm, DecisionCorrectionForm, EvaluationCorrectionForm, OverrideForm, ReopenCycleForm,
    ReportForm, ResultFormSet, ReturnForm, SeenVersionForm, TamperedForm, report_changes,
)
from governance.cycles.quality import first_year_cells, missing_indicators, quality_check, result_rows
from governance.cycles.tables import cached_state_board, summary_tables
from governance.cycles.workflow import allowed_actions
from governance.models import AnnualReport, CycleStatus, IndicatorResult, ReportState, ReviewCycle
from governance.vocab import ReportAction
from plans.choice import plan_choice
from plans.models import Project
from projects.layout import layout_for
from projects.services import ensure_sheets, projects_without_sheet

PENDING = [ReportState.DRAFT, ReportState.RETURNED]
security_logger = logging.getLogger("django.security.TamperedForm")


def _report(request, pk):
    return get_object_or_404(AnnualReport.objects.visible_to(request.user).with_details(), pk=pk)


def _cycle_list(request, form, status=200):
    cycles = ReviewCycle.objects.select_related("plan").annotate(
        total=Count("reports"), pending=Count("reports", filter=Q(reports__state__in=PENDING)),
    )
    choice = plan_choice(request)  # checked for everyone: a plan one may not see is a 404
    context = {"cycles": cycles, "form": form}
    if form is not None:
        # The form opens a cycle of the chosen plan (any adopted one, not only the
        # current one). Projects without a sheet get no report: say so before.
        plan = choice.plan
        missing = projects_without_sheet(plan) if plan else Project.objects.none()
        context.update(choice=choice, plan=plan, missing_sheets=missing[:MISSING_LISTED],
                       missing_count=missing.count())
    return render(request, "governance/cycle_list.html", context, status=status)


MISSING_LISTED = 50


def cycle_list(request):
    return _cycle_list(request, CycleForm() if permissions.can_manage_cycles(request.user) else None)


@require_POST
def cycle_open(request):
    """Open a cycle of the plan chosen on the list (`?plan=` of the form's address)."""
    permissions.require_cycle_manager(request.user)
    form = CycleForm(request.POST)
    plan = plan_choice(request).plan
    if form.is_valid():
        try:
            if plan is None:
                raise ValidationError("進行管理を開始できる計画がありません(策定済みの計画がありません)。")
            cycle = services.open_cycle(user=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("fiscal_year", error.messages)
        else:
            messages.success(request, f"{cycle}を開始し、{cycle.reports.count()} 件の実績報告を作成しました。")
            if missing := projects_without_sheet(plan).count():
                messages.warning(request, f"情報化事業シートがない事業が {missing} 件あり、その実績報告は作成していません。"
                                          "進行管理の一覧でシートを作成し、担当部署を反映してください。")
            return redirect(cycle)
    return _cycle_list(request, form, status=400)


@require_POST
def create_missing_sheets(request):
    """Give every project of the chosen plan that has none its (empty) sheet."""
    permissions.require_cycle_manager(request.user)
    choice = plan_choice(request)
    created = ensure_sheets(plan=choice.plan) if choice.plan else 0
    messages.success(request, f"{created} 件の事業に情報化事業シートを作成しました。担当部署を設定してください。")
    return redirect(f"{reverse('governance:cycle_list')}?{choice.query}")


def closing_context(user, cycle, totals) -> dict:
    """The cycle page's 確定 part: its record, and 情報推進課's form to close or reopen.
    `totals` ({state: count}, the cached state board's) gives the reports not yet decided."""
    from governance.cycles.closing import CONCLUDED, describe

    manage = permissions.can_manage_cycles(user)
    pending = describe(Counter({state: n for state, n in totals.items() if state not in CONCLUDED})) \
        if manage and not cycle.is_closed else ""
    return {
        "cycle_events": cycle.events.select_related("actor"),
        "close_form": CloseCycleForm() if manage and not cycle.is_closed else None,
        "unconcluded": pending,
        "reopen_form": ReopenCycleForm() if manage and cycle.is_closed else None,
    }


def cycle_detail(request, pk):
    cycle = get_object_or_404(ReviewCycle.objects.select_related("plan", "closed_by"), pk=pk)
    # Read first: the board and the list are cached under it (core.stamps).
    stamp = stamps.current("plans", "work")
    board, totals = cached_state_board(cycle, stamp)
    state = request.GET.get("state", "")
    section = request.GET.get("section", "")
    reports = cycle.reports.select_related("sheet__project", "section__department").order_by(
        "sheet__project__code")
    if state in ReportState.values:
        reports = reports.filter(state=state)
    if section == "none":
        reports = reports.filter(section__isnull=True)
    elif section.isdecimal():
        reports = reports.filter(section_id=int(section))
    page_number = request.GET.get("page", "")
    page = SimpleLazyObject(lambda: Paginator(reports, 50).get_page(page_number))
    return render(request, "governance/cycle_detail.html", {
        "cycle": cycle, "board": board, "totals": totals, "states": ReportState,
        "reports": page, "page": page, "state": state, "section": section,
        "stamp": stamp, "page_number": page_number,
        "overdue": timezone.localdate() > cycle.deadline and totals.get("draft", 0) + totals.get("returned", 0),
        "meetings": cycle.meetings.select_related("body"),
        "unassigned": sum(counts.total() for key, _, counts in board if key is None),
        "can_manage": permissions.can_manage_cycles(request.user),
        **closing_context(request.user, cycle, totals),
    })


@require_POST
def cycle_assign_sections(request, pk):
    permissions.require_cycle_manager(request.user)
    cycle = get_object_or_404(ReviewCycle, pk=pk)
    try:
        changed = services.assign_report_sections(user=request.user, cycle=cycle)
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{changed} 件の実績報告にシートの担当部署を反映しました。")
    return redirect(cycle)


@require_POST
def cycle_remind(request, pk):
    permissions.require_cycle_manager(request.user)
    cycle = get_object_or_404(ReviewCycle, pk=pk)
    try:
        services.refuse_if_closed(cycle)
    except services.WorkflowError as error:
        messages.error(request, f"督促メールは送っていません。{error}")
        return redirect(cycle)
    sent = notifications.send_reminders(user=request.user, cycle=cycle, today=timezone.localdate())
    messages.success(request, notifications.queued_message(
        request.user, f"{sent} 課への督促メールを送信待ちにしました(同じ日に督促した課には送りません)。"))
    return redirect(cycle)


def cycle_summary(request, pk):
    cycle = get_object_or_404(ReviewCycle.objects.select_related("plan"), pk=pk)
    # Read first: the tables are cached under it (core.stamps); the reports (work) and the
    # plan's items and placements (plans) are counted only when the cache misses.
    stamp = stamps.current("plans", "work")
    return render(request, "governance/cycle_summary.html", {
        "cycle": cycle, "stamp": stamp, "tables": SimpleLazyObject(lambda: summary_tables(cycle)),
    })


def my_reports(request):
    """The department's work list: what is due, returned and overdue."""
    user = request.user
    # Read first: the lists are cached under it, the section and the day (core.stamps);
    # the reports are read only when the cache misses.
    stamp = stamps.current("plans", "work")
    reports = (
        AnnualReport.objects.of_section(user.section_id)
        .filter(cycle__status=CycleStatus.OPEN)
        .select_related("cycle__plan", "sheet__project")
        .order_by("cycle__deadline", "sheet__project__code")
    ) if user.section_id else AnnualReport.objects.none()

    def grouped():
        rows = list(reports)
        pending = (ReportState.RETURNED, ReportState.DRAFT, ReportState.DECIDED)
        return {
            "returned": [r for r in rows if r.state == ReportState.RETURNED],
            "due": [r for r in rows if r.state == ReportState.DRAFT],
            "decided": [r for r in rows if r.state == ReportState.DECIDED],
            "done": [r for r in rows if r.state not in pending],
        }
    return render(request, "governance/my_reports.html", {
        "lists": SimpleLazyObject(grouped), "today": timezone.localdate(), "stamp": stamp,
    })


def correction_forms(user, report) -> dict:
    """情報推進課's correction forms of the report page, for the parts it may correct now."""
    from governance.cycles.corrections import can_correct

    return {
        "can_correct_content": can_correct(user, report, ReportAction.CORRECT_CONTENT),
        "evaluation_correction": EvaluationCorrectionForm(prefix="evaluation", initial={
            "evaluation": report.evaluation, "comment": report.evaluation_comment,
        }) if can_correct(user, report, ReportAction.CORRECT_EVALUATION) else None,
        "decision_correction": DecisionCorrectionForm(prefix="decision", initial={
            "decision": report.decision, "comment": report.decision_comment,
        }) if can_correct(user, report, ReportAction.CORRECT_DECISION) else None,
    }


def report_detail(request, pk):
    report = _report(request, pk)
    blockers, warnings = quality_check(report)
    events = list(report.events.select_related("actor"))
    returned = next((e for e in reversed(events) if e.action == "return"), None)
    return render(request, "governance/report_detail.html", {
        "report": report,
        "rows": result_rows(report),
        "layout": layout_for(report.sheet),
        "events": events,
        "return_event": returned if report.state == ReportState.RETURNED else None,
        "blockers": blockers, "warnings": warnings,
        # A closed cycle's report offers no move and no input (the services refuse them anyway).
        "actions": [] if report.cycle.is_closed else allowed_actions(request.user, report),
        "can_edit": permissions.can_edit_report(request.user, report) and not report.cycle.is_closed,
        "return_form": ReturnForm(),
        "can_override": is_ict_office(request.user) and not report.cycle.is_closed,
        **correction_forms(request.user, report),
    })


@require_POST
def result_override(request, pk, result_pk):
    """情報推進課 changes one indicator's 達成判定 (403 for anyone else, in the service)."""
    if not is_ict_office(request.user):
        raise PermissionDenied("達成判定を変更できるのは情報推進課です。")
    report = _report(request, pk)
    result = get_object_or_404(IndicatorResult, pk=result_pk, report=report)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect(report)
    try:
        services.override_rating(user=request.user, result=result, met=form.cleaned_data["met"],
                                 reason=form.cleaned_data["reason"])
    except services.WorkflowPermissionError as error:
        raise PermissionDenied(str(error)) from error
    except services.WorkflowError as error:  # e.g. the cycle is closed
        messages.error(request, str(error))
        return redirect(report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(report)
    messages.success(request, f"指標「{result.indicator.name}」の達成判定を変更しました。")
    return redirect(report)


class ReportEditView(View):
    template_name = "governance/report_form.html"

    def dispatch(self, request, pk):
        self.report = get_object_or_404(
            AnnualReport.objects.of_section(request.user.section_id).with_details(), pk=pk
        ) if request.user.section_id else None
        if self.report is None:
            return render(request, "404.html", status=404)
        if not permissions.can_edit_report(request.user, self.report):
            messages.error(request, "この実績報告は提出済みのため変更できません。差戻しを受けてから修正してください。")
            return redirect(self.report)
        if self.report.cycle.is_closed:
            messages.error(request, services.CLOSED_MESSAGE.format(cycle=self.report.cycle))
            return redirect(self.report)
        return super().dispatch(request, pk)

    def forms(self, data=None):
        results = IndicatorResult.objects.select_related("indicator")
        return (ReportForm(data, instance=self.report, prefix="report"),
                ResultFormSet(data, instance=self.report, prefix="results", queryset=results,
                              missing=missing_indicators(self.report),
                              form_kwargs={"first_years": first_year_cells(self.report)}))

    def render_form(self, form, formset, status=200, seen_version=None):
        year = self.report.cycle.result_year
        return render(self.request, self.template_name, {
            "report": self.report, "form": form, "formset": formset,
            "seen_version": seen_version or self.report.version,
            # The year's target of each of the sheet's indicators, for the rows old and new.
            "targets": {indicator.pk: next((t.value for t in indicator.targets.all() if t.fiscal_year == year), None)
                        for indicator in self.report.sheet.indicators.all()},
            **self.get_context_extra(),
        }, status=status)

    def get_context_extra(self):
        return {}

    def get(self, request, pk):
        return self.render_form(*self.forms())

    def post(self, request, pk):
        version = SeenVersionForm(request.POST)
        form, formset = self.forms(request.POST)
        try:
            if not version.is_valid():
                raise TamperedForm("seen_version is not a version")
            valid = form.is_valid() and formset.is_valid()
        except TamperedForm as error:
            return self.refuse_tampered(error)
        if not valid:
            messages.error(request, "入力内容に誤りがあります。各項目のメッセージを確認してください。")
            return self.render_form(form, formset, status=400, seen_version=request.POST.get("seen_version"))
        keep_input(request, lambda: self.render_form(form, formset, seen_version=request.POST.get("seen_version")))
        try:
            self.save(form, formset, version.cleaned_data["seen_version"])
        except services.StaleReportError:
            messages.error(request, "この実績報告は、あなたが開いた後に更新されました(ほかの利用者か、別のタブや画面での保存)。保存されていません。"
                                    "内容を確認して、もう一度入力してください。")
            return self.render_form(form, formset, status=409, seen_version=request.POST.get("seen_version"))
        except services.WorkflowError as error:
            messages.error(request, str(error))
            return redirect(self.report)
        except ValidationError as error:  # e.g. an indicator deleted from the sheet meanwhile
            messages.error(request, "保存していません:" + "".join(error.messages))
            return self.render_form(form, formset, status=400, seen_version=request.POST.get("seen_version"))
        return redirect(self.report)

    def save(self, form, formset, seen_version):
        services.save_report(user=self.request.user, report=self.report, changes=report_changes(form, formset),
                             seen_version=seen_version)
        messages.success(self.request, "実績報告を保存しました。")

    def refuse_tampered(self, error):
        """Nothing is saved; the form is shown again as stored."""
        security_logger.warning("Tampered report form %s by %s: %s", self.report.pk, self.request.user, error)
        messages.error(self.request, "送信された内容が正しくありません(この画面から送られる形ではありません)。"
                                     "保存していません。画面を開き直して、もう一度入力してください。")
        return self.render_form(*self.forms(), status=400)


def _move(request, pk, run, success):
    report = _report(request, pk)
    try:
        run(report)
    except services.WorkflowPermissionError as error:
        raise PermissionDenied(str(error)) from error  # handler403: the Japanese page and the 監査ログ
    except services.WorkflowError as error:
        messages.error(request, str(error))
        return redirect(report)
    messages.success(request, success)
    return redirect(report)


@require_POST
def report_submit(request, pk):
    return _move(request, pk, lambda r: services.submit_report(user=request.user, report=r),
                 "実績報告を提出しました。情報推進課の確認をお待ちください。")


@require_POST
def report_return(request, pk):
    form = ReturnForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _move(request, pk, lambda r: services.return_report(user=request.user, report=r, reason=reason),
                 notifications.queued_message(
                     request.user, "実績報告を差し戻しました。担当課へのお知らせメールを送信待ちにしました。"))


@require_POST
def report_confirm(request, pk):
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _move(request, pk, lambda r: services.confirm_report(user=request.user, report=r, comment=comment),
                 "実績報告を確認済みにしました。")


@require_POST
def report_reflect(request, pk):
    return _move(request, pk, lambda r: services.reflect_report(user=request.user, report=r),
                 "シートへの反映を記録しました。")

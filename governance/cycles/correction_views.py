"""Screens of 情報推進課's corrections of a report and of closing a cycle: small
POST-only views (and the content's form page) that each call one service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts.permissions import is_ict_office
from governance import permissions
from governance.cycles import closing, corrections, services
from governance.cycles.forms import (
    CloseCycleForm, DecisionCorrectionForm, EvaluationCorrectionForm, ReasonForm, ReopenCycleForm, report_changes,
)
from governance.cycles.views import ReportEditView, _report
from governance.models import AnnualReport, ReviewCycle
from governance.vocab import ReportAction


def _errors(form) -> str:
    return " ".join(message for messages_ in form.errors.values() for message in messages_)


def _run(request, target, run, success):
    """Call the service; a refusal is a message on the page (403 for a role that may never)."""
    try:
        run()
    except services.WorkflowPermissionError as error:
        raise PermissionDenied(str(error)) from error
    except (services.WorkflowError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    except services.StaleReportError:
        messages.error(request, "この実績報告は、開いた後に更新されました。訂正していません。画面を開き直してください。")
    else:
        messages.success(request, success)
    return redirect(target)


@require_POST
def report_correct_evaluation(request, pk):
    if not is_ict_office(request.user):
        raise PermissionDenied("検討会議の評価を訂正できるのは情報推進課です。")
    report = _report(request, pk)
    form = EvaluationCorrectionForm(request.POST, prefix="evaluation")
    if not form.is_valid():
        messages.error(request, "評価を訂正していません:" + _errors(form))
        return redirect(report)
    data = form.cleaned_data
    return _run(request, report, lambda: corrections.correct_evaluation(
        user=request.user, report=report, evaluation=data["evaluation"], comment=data["comment"],
        reason=data["reason"]), "検討会議の評価を訂正しました。")


@require_POST
def report_correct_decision(request, pk):
    if not is_ict_office(request.user):
        raise PermissionDenied("戦略本部の判断を訂正できるのは情報推進課です。")
    report = _report(request, pk)
    form = DecisionCorrectionForm(request.POST, prefix="decision")
    if not form.is_valid():
        messages.error(request, "判断を訂正していません:" + _errors(form))
        return redirect(report)
    data = form.cleaned_data
    return _run(request, report, lambda: corrections.correct_decision(
        user=request.user, report=report, decision=data["decision"], comment=data["comment"],
        reason=data["reason"]), "戦略本部の判断を訂正しました。担当課へのお知らせメールを送信待ちにしました。")


class ReportCorrectView(ReportEditView):
    """情報推進課 corrects a confirmed report's content: the department's form, with a reason."""

    def dispatch(self, request, pk):
        if not is_ict_office(request.user):
            raise PermissionDenied("確認済みの報告の内容を訂正できるのは情報推進課です。")
        self.report = get_object_or_404(AnnualReport.objects.with_details(), pk=pk)
        if not corrections.can_correct(request.user, self.report, ReportAction.CORRECT_CONTENT):
            messages.error(request, "この実績報告の内容は訂正できません(確認済みより前の報告か、確定した進行管理の報告です)。")
            return redirect(self.report)
        self.reason_form = ReasonForm(request.POST or None, prefix="correction")
        return super(ReportEditView, self).dispatch(request, pk)

    def get_context_extra(self):
        return {"reason_form": self.reason_form}

    def save(self, form, formset, seen_version):
        if not self.reason_form.is_valid():
            raise ValidationError("訂正の理由を記入してください。")
        corrections.correct_content(user=self.request.user, report=self.report, seen_version=seen_version,
                                    changes=report_changes(form, formset),
                                    reason=self.reason_form.cleaned_data["reason"])
        messages.success(self.request, "実績報告の内容を訂正しました。")


@require_POST
def cycle_close(request, pk):
    permissions.require_cycle_manager(request.user)
    cycle = get_object_or_404(ReviewCycle, pk=pk)
    form = CloseCycleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "確定していません:" + _errors(form))
        return redirect(cycle)
    data = form.cleaned_data
    return _run(request, cycle, lambda: closing.close_cycle(
        user=request.user, cycle=cycle, reason=data["reason"], include_unconcluded=data["include_unconcluded"]),
                f"{cycle}を確定しました。この進行管理の実績報告・評価・判断・会議は変更できなくなりました。")


@require_POST
def cycle_reopen(request, pk):
    permissions.require_cycle_manager(request.user)
    cycle = get_object_or_404(ReviewCycle, pk=pk)
    form = ReopenCycleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "確定を取り消していません:" + _errors(form))
        return redirect(cycle)
    return _run(request, cycle, lambda: closing.reopen_cycle(user=request.user, cycle=cycle, **form.cleaned_data),
                f"{cycle}の確定を取り消しました。実績報告・評価・判断を変更できます。")

"""Screens of the meetings: preparing one, its agenda, recording the bodies'
evaluations and decisions, minutes and papers."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.decorators.http import require_POST

from governance import notifications, permissions
from governance.cycles import services
from governance.meetings.bodies import members_of, presiding_over
from governance.meetings.forms import DecisionForm, EvaluationForm, MeetingForm, MinutesForm
from governance.meetings.services import prepare_meeting, save_minutes
from governance.models import (
    AnnualReport,
    Body,
    BodyKind,
    BookJob,
    BookKind,
    Meeting,
    ReportState,
    ReviewCycle,
)


class MeetingCreateView(View):
    template_name = "governance/meeting_form.html"

    def dispatch(self, request, pk):
        permissions.require_cycle_manager(request.user)
        self.cycle = get_object_or_404(ReviewCycle, pk=pk)
        try:
            services.refuse_if_closed(self.cycle)
        except services.WorkflowError as error:
            messages.error(request, str(error))
            return redirect(self.cycle)
        return super().dispatch(request, pk)

    def form(self, data=None):
        bodies = Body.objects.filter(kind__in=[BodyKind.COMMITTEE, BodyKind.HEADQUARTERS])
        return MeetingForm(data, cycle=self.cycle, bodies=bodies)

    def get(self, request, pk):
        return render(request, self.template_name, {"cycle": self.cycle, "form": self.form()})

    def post(self, request, pk):
        form = self.form(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"cycle": self.cycle, "form": form}, status=400)
        data = dict(form.cleaned_data)
        try:
            meeting = prepare_meeting(user=request.user, cycle=self.cycle, **data)
        except services.WorkflowError as error:
            form.add_error(None, str(error))
            return render(request, self.template_name, {"cycle": self.cycle, "form": form}, status=400)
        messages.success(request, "会議を準備しました。議題と出席者を確認してください。")
        return redirect(meeting)


def _meeting(pk):
    return get_object_or_404(Meeting.objects.select_related("body", "cycle__plan", "prepared_by"), pk=pk)


def meeting_detail(request, pk):
    meeting = _meeting(pk)
    items = meeting.items.select_related(
        "report__sheet__project", "report__section__department"
    ).order_by("position")
    chair, chair_role = presiding_over(meeting)
    is_committee = meeting.body.kind == BodyKind.COMMITTEE
    can_record = permissions.can_manage_cycles(request.user) and not meeting.cycle.is_closed
    record_state = ReportState.CONFIRMED if is_committee else ReportState.EVALUATED
    form_class = EvaluationForm if is_committee else DecisionForm
    rows = [
        (item, form_class(prefix=f"r{item.report_id}")
         if can_record and item.report.state == record_state else None)
        for item in items
    ]
    return render(request, "governance/meeting_detail.html", {
        "meeting": meeting, "rows": rows, "chair": chair, "chair_role": chair_role,
        "attendees": meeting.attendees.select_related("section__department", "department"),
        "is_committee": is_committee,
        "minutes_form": MinutesForm(instance=meeting, members=members_of(meeting.body)) if can_record else None,
        "papers_job": _papers_jobs(request.user, meeting).first(),
    })


def _papers_jobs(user, meeting):
    """The user's orders of this meeting's papers, newest first."""
    return BookJob.objects.filter(requested_by=user, kind=BookKind.PAPERS,
                                  params__meeting=meeting.pk).with_task_status()


@require_POST
def meeting_record(request, pk, report_pk):
    """The secretariat records the body's evaluation (検討会議) or decision (戦略本部)."""
    permissions.require_cycle_manager(request.user)
    meeting = _meeting(pk)
    report = get_object_or_404(AnnualReport, pk=report_pk)
    committee = meeting.body.kind == BodyKind.COMMITTEE
    form = (EvaluationForm if committee else DecisionForm)(request.POST, prefix=f"r{report.pk}")
    if not form.is_valid():
        messages.error(request, "評価・判断を選んでください。")
        return redirect(meeting)
    try:
        if committee:
            services.evaluate_report(user=request.user, report=report, meeting=meeting,
                                     evaluation=form.cleaned_data["evaluation"], comment=form.cleaned_data["comment"])
        else:
            services.decide_report(user=request.user, report=report, meeting=meeting,
                                   decision=form.cleaned_data["decision"], comment=form.cleaned_data["comment"])
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        done = f"{report.sheet.project.name}:記録しました。"
        messages.success(request, done if committee else notifications.queued_message(
            request.user, done + "担当課へのお知らせメールを送信待ちにしました。"))
    return redirect(meeting)


@require_POST
def meeting_minutes(request, pk):
    permissions.require_cycle_manager(request.user)
    meeting = _meeting(pk)
    form = MinutesForm(request.POST, instance=meeting, members=members_of(meeting.body))
    if form.is_valid():
        try:
            save_minutes(user=request.user, form=form)
        except services.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "議事録と出席者を保存しました。")
    else:
        messages.error(request, "議事録を保存できませんでした。入力内容を確認してください。")
    return redirect(meeting)


def meeting_papers(request, pk):
    """The papers' old address: they are made in the background now (several sheets
    are too heavy for a web request), ordered from the meeting's page."""
    meeting = _meeting(pk)
    job = _papers_jobs(request.user, meeting).first()
    if job and job.unfinished:
        return redirect(job)
    messages.info(request, "会議資料の PDF は、この画面の「会議資料(PDF)を作成」から依頼してください。")
    return redirect(f"{meeting.get_absolute_url()}#papers")

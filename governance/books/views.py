"""Ordering a PDF book, following its progress, and downloading it."""

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from governance.books.tasks import render_book
from governance.models import BookJob, BookKind, BookStatus, Meeting, ReviewCycle
from plans.models import Plan


def _order(user, kind, params, title):
    job = BookJob.objects.create(kind=kind, params=params, title=title, requested_by=user)
    transaction.on_commit(lambda: render_book.enqueue(job_id=job.pk))
    return job


def book_list(request):
    jobs = BookJob.objects.filter(requested_by=request.user)[:30]
    return render(request, "governance/book_list.html", {
        "jobs": jobs, "plans": Plan.objects.order_by("-start_year"),
        "cycles": ReviewCycle.objects.select_related("plan"),
    })


@require_POST
def book_order(request):
    kind = request.POST.get("kind")
    if kind == BookKind.PLAN:
        plan = get_object_or_404(Plan, code=request.POST.get("plan", ""))
        with_sheets = request.POST.get("with_sheets") == "on"
        job = _order(request.user, kind, {"plan": plan.code, "with_sheets": with_sheets},
                     f"{plan.name}{'(情報化事業シート付き)' if with_sheets else ''}")
    elif kind == BookKind.REPORT:
        cycle = get_object_or_404(ReviewCycle, pk=request.POST.get("cycle") or 0)
        job = _order(request.user, kind, {"cycle": cycle.pk}, f"{cycle} 進行管理報告書")
    elif kind == BookKind.PAPERS:
        meeting = get_object_or_404(Meeting, pk=request.POST.get("meeting") or 0)
        job = _order(request.user, kind, {"meeting": meeting.pk}, f"{meeting} 会議資料")
    else:
        raise Http404
    messages.success(request, "PDF の作成を受け付けました。できあがるとこの画面でダウンロードできます。")
    return redirect(job)


def _job(request, pk):
    return get_object_or_404(BookJob.objects.filter(requested_by=request.user), pk=pk)


def book_detail(request, pk):
    job = _job(request, pk)
    # A job the worker left behind (stopped, crashed) is reported, not waited for
    # (BookJob.shown_status); a GET never writes.
    waiting = job.shown_status in (BookStatus.QUEUED, BookStatus.RUNNING)
    # Nobody has picked the job up for a while: the worker may not be running.
    stalled = job.status == BookStatus.QUEUED and timezone.now() - job.created_at > timedelta(minutes=1)
    return render(request, "governance/book_detail.html", {"job": job, "waiting": waiting, "stalled": stalled})


def book_download(request, pk):
    job = _job(request, pk)
    if job.status != BookStatus.DONE or not job.file:
        raise Http404("PDF はまだできていません。")
    response = FileResponse(job.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"{job.title}.pdf")
    return response

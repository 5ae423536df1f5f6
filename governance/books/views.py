"""Ordering a PDF book, following its progress, ordering it again, and downloading it."""

from datetime import timedelta

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from accounts.permissions import is_ict_office
from governance.books.services import TooManyOrders, order_book, orders_per_user
from governance.models import BookJob, BookKind, BookStatus, Meeting, ReviewCycle
from plans.choice import plan_choice
from plans.models import Plan

# A job nobody has picked up for this long: the worker may not be running.
STALLED_AFTER = timedelta(seconds=60)


def _mark_superseded(jobs):
    """Newest first: a job with a newer order of the same book is `superseded`, so that
    only the latest offers 「もう一度作成」."""
    for i, job in enumerate(jobs):
        job.superseded = any(newer.same_book(job) for newer in jobs[:i])
    return jobs


def book_list(request):
    jobs = _mark_superseded(list(BookJob.objects.filter(requested_by=request.user).with_task_status()[:30]))
    # The chosen plan, else the adopted current one (not the newest, which may be in preparation).
    choice = plan_choice(request)
    return render(request, "governance/book_list.html", {
        "jobs": jobs, "choice": choice, "plan": choice.plan,
        "cycles": ReviewCycle.objects.filter(plan=choice.plan).select_related("plan"), "orders_per_user": orders_per_user(),
    })


def _what_to_order(post, user):
    """(kind, params, title) of the book the order form asks for; 404 for anything else."""
    kind = post.get("kind")
    if kind == BookKind.PLAN:
        plan = get_object_or_404(Plan.objects.visible_to(user), code=post.get("plan", ""))
        with_sheets = post.get("with_sheets") == "on"
        return kind, {"plan": plan.code, "with_sheets": with_sheets}, \
            f"{plan.name}{'(案)' if plan.in_preparation else ''}{'(情報化事業シート付き)' if with_sheets else ''}"
    if kind == BookKind.REPORT:
        cycle = get_object_or_404(ReviewCycle, pk=_int(post.get("cycle")))
        return kind, {"cycle": cycle.pk}, f"{cycle} 進行管理報告書"
    if kind == BookKind.PAPERS:
        meeting = get_object_or_404(Meeting, pk=_int(post.get("meeting")))
        return kind, {"meeting": meeting.pk}, f"{meeting} 会議資料"
    raise Http404


def _int(value):
    return int(value) if value and value.isdigit() else 0


def _order(request, kind, params, title):
    try:
        job, new = order_book(user=request.user, kind=kind, params=params, title=title)
    except TooManyOrders as refused:
        messages.error(request, str(refused))
        return redirect("governance:book_list")
    if new:
        messages.success(request, "PDF の作成を受け付けました。できあがるとこの画面でダウンロードできます。")
    else:
        messages.info(request, "同じ PDF を作成中です。できあがるまでお待ちください。")
    return redirect(job)


@require_POST
def book_order(request):
    return _order(request, *_what_to_order(request.POST, request.user))


def _job(request, pk):
    return get_object_or_404(BookJob.objects.filter(requested_by=request.user).with_task_status(), pk=pk)


@require_POST
def book_retry(request, pk):
    """「もう一度作成」: the same book as a failed job, ordered anew."""
    job = _job(request, pk)
    if job.shown_status != BookStatus.FAILED:
        return redirect(job)
    newer = _newer_order(job)
    if newer:  # already ordered again (another tab, an old page): no third copy
        return redirect(newer)
    return _order(request, job.kind, job.params, job.title)


def _newer_order(job):
    """The latest later order of the same book by the same user, if any."""
    later = BookJob.objects.filter(requested_by=job.requested_by_id, kind=job.kind, created_at__gt=job.created_at)
    return next((other for other in later.order_by("-created_at") if other.same_book(job)), None)


def book_detail(request, pk):
    job = _job(request, pk)
    # A job the worker left behind (stopped, crashed) is reported, not waited for
    # (BookJob.left_behind); a GET never writes.
    # Nobody has picked the job up for a while: the worker may not be running.
    stalled = job.shown_status == BookStatus.QUEUED and timezone.now() - job.created_at > STALLED_AFTER
    return render(request, "governance/book_detail.html", {
        "job": job, "waiting": job.unfinished, "stalled": stalled,
        "newer": _newer_order(job) if job.shown_status == BookStatus.FAILED else None,
        # 情報推進課 keeps the worker and the storage: told what to check, not whom to call.
        "for_ict_office": is_ict_office(request.user),
    })


def book_download(request, pk):
    job = _job(request, pk)
    if job.status != BookStatus.DONE or not job.file:
        raise Http404("PDF はまだできていません。")
    response = FileResponse(job.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"{job.title}.pdf")
    return response

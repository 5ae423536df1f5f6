"""「フォロー中の事業」 and 「お知らせ」: two lists and small POST-only actions."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from follows import services
from follows.forms import FollowSettingsForm
from follows.models import Follow, FollowSettings, Notification
from governance.models import AnnualReport
from projects.models import ProjectSheet

NOTIFICATIONS_PER_PAGE = 50


def _sheet(request, plan, code):
    """The project's sheet as the user may read it: one they may not is a 404."""
    return get_object_or_404(ProjectSheet.objects.visible_to(request.user).select_related("project__plan"),
                             project__plan__code=plan, project__code=code)


def _back(request, fallback):
    """Where the button was pressed (`next`, a page of this site), or `fallback`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@require_POST
def follow(request, plan, code):
    sheet = _sheet(request, plan, code)
    project = sheet.project
    if services.follow_project(user=request.user, project=project):
        messages.success(request, f"「{project.code} {project.name}」をフォローしました。"
                                  "実績報告の状態が変わったときとシートが更新されたときに、お知らせが届きます。")
    else:
        messages.info(request, f"「{project.code} {project.name}」はすでにフォローしています。")
    return _back(request, sheet)


@require_POST
def unfollow(request, plan, code):
    sheet = _sheet(request, plan, code)
    project = sheet.project
    if services.unfollow_project(user=request.user, project=project):
        messages.success(request, f"「{project.code} {project.name}」のフォローをやめました。")
    else:
        messages.info(request, f"「{project.code} {project.name}」はフォローしていません。")
    return _back(request, sheet)


def follow_list(request):
    """The user's followed projects (those they may still read), each with its latest report."""
    latest = AnnualReport.objects.filter(sheet__project=OuterRef("project")).order_by(
        "-cycle__fiscal_year", "-cycle_id")
    follows = list(
        Follow.objects.filter(user=request.user,
                              project__in=ProjectSheet.objects.visible_to(request.user).values("project"))
        .select_related("project__plan", "project__sheet__section__department")
        .annotate(latest_report_id=Subquery(latest.values("pk")[:1]))
        .order_by("project__plan__start_year", "project__plan__code", "project__code")
    )
    reports = AnnualReport.objects.select_related("cycle").in_bulk(
        [f.latest_report_id for f in follows if f.latest_report_id])
    for item in follows:
        item.latest_report = reports.get(item.latest_report_id)
    send_mail = not FollowSettings.objects.filter(user=request.user, send_mail=False).exists()
    return render(request, "follows/follow_list.html", {
        "follows": follows, "form": FollowSettingsForm(initial={"send_mail": send_mail}),
    })


@require_POST
def follow_settings(request):
    form = FollowSettingsForm(request.POST)
    if form.is_valid():
        send_mail = form.cleaned_data["send_mail"]
        services.set_follow_mail(user=request.user, send_mail=send_mail)
        messages.success(request, "フォロー中の事業のお知らせを、メールでも受け取ります。" if send_mail else
                         "フォロー中の事業のお知らせのメールを停止しました(アプリ内のお知らせは届きます)。")
    return redirect("follows:follow_list")


def notification_list(request):
    notifications = Notification.objects.of(request.user).with_basics()
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "follows/notification_list.html", {
        "page": page, "unread": Notification.objects.of(request.user).unread().count(),
    })


@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification.objects.of(request.user), pk=pk)
    services.mark_read(user=request.user, notification=notification)
    if "open" in request.POST:
        return redirect(notification.link)
    return _back(request, "follows:notification_list")


@require_POST
def notification_read_all(request):
    count = services.mark_all_read(user=request.user)
    messages.success(request, f"{count} 件のお知らせを既読にしました。")
    return redirect("follows:notification_list")

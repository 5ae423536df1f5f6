"""The list of outgoing mails (failed and waiting first), 再送 and 送信しない."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import mail
from core.models import MailStatus, OutgoingMail
from governance import permissions

RECENT = 50
# A mail waiting longer than this was not picked up: the worker is probably not running.
WAITING_TOO_LONG = mail.CLAIM_EXPIRES
# 「すべて送信する」 sends a mail older than this only when asked to in so many words: a
# notice about a deadline long past would confuse more than it tells.
OLD_AFTER = timedelta(days=7)


def _require_mail_manager(user):
    if not permissions.can_manage_mail(user):
        raise PermissionDenied


def mail_list(request):
    _require_mail_manager(request.user)
    unsent = list(mail.unsent().order_by("status", "created_at"))
    now = timezone.now()
    return render(request, "governance/mail_list.html", {
        "unsent": unsent,
        "failed_count": sum(m.status == MailStatus.FAILED for m in unsent),
        "old_count": sum(m.created_at < now - OLD_AFTER for m in unsent),
        "old_days": OLD_AFTER.days,
        "waiting_too_long": any(m.status == MailStatus.PENDING and m.created_at < now - WAITING_TOO_LONG
                                for m in unsent),
        "recent": OutgoingMail.objects.filter(status=MailStatus.SENT).order_by("-sent_at")[:RECENT],
        "discarded": OutgoingMail.objects.filter(status=MailStatus.DISCARDED)
                     .select_related("discarded_by").order_by("-discarded_at", "-pk")[:RECENT],
        "recent_limit": RECENT,
    })


def _chosen(request):
    """The one unsent mail posted, or every unsent one."""
    chosen = request.POST.get("mail", "")
    ids = mail.unsent().order_by("created_at").values_list("pk", flat=True)
    return (ids.filter(pk=int(chosen)) if chosen.isdecimal() else ids), chosen.isdecimal()


@require_POST
def mail_resend(request):
    """Send now, from the request, the one mail posted or every unsent one (those older
    than OLD_AFTER only when `include_old` is ticked): the user sees at once whether the
    server takes them."""
    _require_mail_manager(request.user)
    ids, one = _chosen(request)
    left_old = 0
    if not one and request.POST.get("include_old") != "on":
        old = ids.filter(created_at__lt=timezone.now() - OLD_AFTER)
        left_old = old.count()
        ids = ids.exclude(pk__in=old)
    sent, failed = mail.deliver(list(ids))
    if sent:
        messages.success(request, f"{sent} 通のメールを送信しました。")
    if failed:
        messages.error(request, f"{failed} 通のメールを送信できませんでした。理由を確認してください。")
    if left_old:
        messages.warning(request, f"作成から {OLD_AFTER.days} 日以上たったメール {left_old} 通は送信しませんでした。"
                                  "送る場合は「古いメールも送信する」を選んでから送信し、"
                                  "送らない場合は「送信しない」にしてください。")
    if not sent and not failed and not left_old:
        messages.info(request, "送信するメールはありませんでした。")
    return redirect(reverse("governance:mail_list"))


@require_POST
def mail_discard(request):
    """「送信しない」: the one mail posted or every unsent one is kept, marked with who
    and when, and never sent."""
    _require_mail_manager(request.user)
    ids, _ = _chosen(request)
    count = mail.discard(mail_ids=list(ids), user=request.user, reason="情報推進課が送信しないことにしました")
    if count:
        messages.success(request, f"{count} 通のメールを送信しないことにしました(記録は残ります)。")
    else:
        messages.info(request, "送信しないことにできるメールはありませんでした(送信中か、送信済みです)。")
    return redirect(reverse("governance:mail_list"))

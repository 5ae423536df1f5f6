"""The list of outgoing mails (failed and waiting first) and the 再送 action."""

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


def _require_mail_manager(user):
    if not permissions.can_manage_mail(user):
        raise PermissionDenied


def mail_list(request):
    _require_mail_manager(request.user)
    unsent = list(mail.unsent().order_by("status", "created_at"))
    stale_before = timezone.now() - WAITING_TOO_LONG
    return render(request, "governance/mail_list.html", {
        "unsent": unsent,
        "failed_count": sum(m.status == MailStatus.FAILED for m in unsent),
        "waiting_too_long": any(m.status == MailStatus.PENDING and m.created_at < stale_before for m in unsent),
        "recent": OutgoingMail.objects.filter(status=MailStatus.SENT).order_by("-sent_at")[:RECENT],
    })


@require_POST
def mail_resend(request):
    """Send now, from the request, the one mail posted or every unsent one: the user
    sees at once whether the server takes them."""
    _require_mail_manager(request.user)
    chosen = request.POST.get("mail", "")
    ids = mail.unsent().order_by("created_at").values_list("pk", flat=True)
    if chosen.isdecimal():
        ids = ids.filter(pk=int(chosen))
    sent, failed = mail.deliver(list(ids))
    if sent:
        messages.success(request, f"{sent} 通のメールを送信しました。")
    if failed:
        messages.error(request, f"{failed} 通のメールを送信できませんでした。エラーの内容を確認してください。")
    if not sent and not failed:
        messages.info(request, "送信するメールはありませんでした。")
    return redirect(reverse("governance:mail_list"))

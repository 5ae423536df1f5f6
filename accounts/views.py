"""Pages of the accounts app: signing in and out, the 監査ログ, the session keep-alive,
and the 403 handler that records each refusal."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.http import require_GET, require_POST

from accounts import audit
from accounts.forms import AuditFilterForm, LoginForm
from accounts.models import AuditEntry, AuditKind
from accounts.permissions import can_view_audit_log
from core.busy import MSG_BUSY_LOGIN, keep_input

AUDIT_PAGE_SIZE = 50


@require_GET
def audit_log(request):
    """監査ログ for 情報推進課: read only, filtered, 50 entries a page."""
    if not can_view_audit_log(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    entries = form.filter(AuditEntry.objects.select_related("user"))
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/auditentry_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
    })


class LoginView(auth_views.LoginView):
    """Django's sign-in with our form. Signing in writes the new session, last_login, the
    監査ログ and django-axes' records in one transaction; when the database is too busy
    (core.busy) the form comes back with the user name typed and the message, and none
    of them is written."""

    authentication_form = LoginForm

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.request.method == "POST":
            keep_input(self.request, lambda: self.render_to_response(self.get_context_data(form=form)),
                       message=MSG_BUSY_LOGIN)
        return form

    def form_valid(self, form):
        with transaction.atomic():
            return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    """Signing out is a POST (Django's); a GET (a typed or bookmarked address) asks with
    the same button instead of a blank 405, and the login page then says it is done."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "ログアウトしました。")
        return response


@require_POST
def session_keepalive(request):
    """「ログインを続ける」: the session is written now, so it ends a full idle timeout
    from now (other requests renew it at most once a minute, accounts.sessions)."""
    request.session.modified = True
    return HttpResponse(status=204)


def permission_denied(request, exception=None):
    """handler403: the Japanese 403 page, after writing the refusal to the 監査ログ."""
    audit.record(AuditKind.PERMISSION_DENIED, request=request, user=getattr(request, "user", None),
                 detail=str(exception or ""))
    return defaults.permission_denied(request, exception, template_name="403.html")

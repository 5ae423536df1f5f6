"""The data pages: exports, the section template, and upload → preview → confirm.

The uploaded file is kept server-side (MEDIA_ROOT/imports, named by a random
token kept in the user's session) between the preview and the confirmation; the
confirmation runs the whole import again on that file, never on posted data.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from accounts.models import Section
from accounts.permissions import is_ict_office, works_in_section
from core import fiscal
from exchange import services
from exchange.files import FileRejected, read_upload, write_csv, write_xlsx
from exchange.forms import UploadForm
from governance.models import ReviewCycle
from plans.models import Plan

SESSION_KEY = "exchange_upload"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _can_import(user):
    return is_ict_office(user) or works_in_section(user, user.section_id)


def data_index(request):
    plan = Plan.objects.current()
    return render(request, "exchange/data_index.html", {
        "plan": plan,
        "resources": services.resource_choices(),
        "cycles": ReviewCycle.objects.filter(plan=plan).order_by("-fiscal_year", "kind"),
        "sections": Section.objects.filter(is_active=True).select_related("department")
        if is_ict_office(request.user) else None,
        "form": UploadForm() if _can_import(request.user) else None,
    })


def _download(specs, filename, fmt):
    if fmt == "csv":
        body, content_type, filename = write_csv(specs[0].dataset), "text/csv; charset=utf-8", f"{filename}.csv"
    else:
        body, content_type, filename = write_xlsx(specs), XLSX, f"{filename}.xlsx"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def data_export(request, name):
    if name not in services.RESOURCES and name != "summary":
        raise Http404
    plan = Plan.objects.current()
    cycle = None
    if request.GET.get("cycle"):
        cycle = get_object_or_404(ReviewCycle.objects.select_related("plan"), pk=request.GET["cycle"])
        plan = cycle.plan
    elif name == "summary":
        raise Http404
    specs = services.export_specs(name, user=request.user, plan=plan, cycle=cycle)
    # A cycle's file names its year and kind: several years' files sit side by side.
    parts = [specs[0].title, *([fiscal.fy_era(cycle.fiscal_year), cycle.get_kind_display()] if cycle else []),
             timezone.localdate().strftime("%Y%m%d")]
    return _download(specs, "_".join(parts), request.GET.get("format", "xlsx"))


def template_download(request):
    """The section's own workbook; 情報推進課 may pick any section (or all)."""
    user = request.user
    section = user.section
    if is_ict_office(user):
        code = request.GET.get("section", "")
        section = get_object_or_404(Section, code=code) if code else None
    elif not user.section_id:
        raise Http404
    plan = Plan.objects.current()
    specs = services.section_template(user=user, plan=plan, section=section)
    label = section.name if section else "全課"
    return _download(specs, f"入力用_{label}_{timezone.localdate():%Y%m%d}", "xlsx")


def _store_dir():
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored(request):
    info = request.session.get(SESSION_KEY)
    if not info:
        return None, None
    path = _store_dir() / f"{request.user.pk}-{info['token']}"
    return (info, path) if path.exists() else (None, None)


def _forget(request):
    info, path = _stored(request)
    if path:
        path.unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


@require_http_methods(["GET", "POST"])
def import_upload(request):
    if not _can_import(request.user):
        raise Http404
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            read_upload(upload, upload.name)  # refuse a bad file before keeping it
        except FileRejected as error:
            form.add_error("file", error.message)
        else:
            _forget(request)
            token = secrets.token_urlsafe(16)
            upload.seek(0)
            with open(_store_dir() / f"{request.user.pk}-{token}", "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            request.session[SESSION_KEY] = {"token": token, "name": upload.name,
                                            "resource": form.cleaned_data.get("resource") or None}
            return redirect("exchange:import_preview")
    status = 400 if request.method == "POST" else 200
    return render(request, "exchange/import_upload.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def import_preview(request):
    """GET: what the file would change and every error (a dry run). POST: apply it."""
    info, path = _stored(request)
    if info is None:
        messages.error(request, "取り込むファイルが見つかりません。もう一度ファイルを選んでください。")
        return redirect("exchange:import_upload")
    commit = request.method == "POST"
    if commit and request.POST.get("token") != info["token"]:
        messages.error(request, "確認した内容と別のファイルです。もう一度確認してください。")
        return redirect("exchange:import_preview")
    plan = Plan.objects.current()
    try:
        with open(path, "rb") as stored:
            upload = read_upload(stored, info["name"])
    except FileRejected as error:
        _forget(request)
        messages.error(request, error.message)
        return redirect("exchange:import_upload")
    outcome = services.run_import(upload, user=request.user, plan=plan, commit=commit,
                                  resource_name=info["resource"])
    if outcome.applied:
        _forget(request)
        messages.success(request, f"{outcome.changed_rows} 行を取り込みました(変更のない行 {outcome.unchanged})。"
                                  "変更は各シート・実績報告の履歴に記録されています。")
        return redirect("exchange:data_index")
    if commit and outcome.ok:  # nothing to apply
        _forget(request)
        messages.info(request, "変更のある行がないため、何も取り込みませんでした。")
        return redirect("exchange:data_index")
    return render(request, "exchange/import_preview.html", {
        "outcome": outcome, "info": info, "token": info["token"],
    }, status=400 if commit else 200)

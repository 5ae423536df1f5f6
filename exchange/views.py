"""The data pages: exports, the section template, and upload → preview → confirm.

The uploaded file is parsed once, in a child process (exchange.parsing), and kept
server-side with its parsed tables (exchange.uploads: MEDIA_ROOT/imports, named by a
random token kept in the user's session) between the preview and the confirmation;
the confirmation runs the whole import again on those tables, never on posted data.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from accounts.models import Section
from accounts.permissions import is_ict_office
from core import fiscal
from core.busy import keep_input
from exchange import parsing, services, uploads
from exchange.files import FileRejected, write_csv, write_xlsx
from exchange.forms import UploadForm
from exchange.permissions import can_import
from governance.models import ReviewCycle
from plans.models import Plan

SESSION_KEY = "exchange_upload"
MSG_STORAGE = "ファイルを保存できませんでした(サーバーの保存領域に書き込めません)。情報推進課に連絡してください。"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def data_index(request):
    plan = Plan.objects.current()
    return render(request, "exchange/data_index.html", {
        "plan": plan,
        "resources": services.resource_choices(),
        "cycles": ReviewCycle.objects.filter(plan=plan).order_by("-fiscal_year", "kind"),
        "sections": Section.objects.filter(is_active=True).select_related("department")
        if is_ict_office(request.user) else None,
        "form": UploadForm() if can_import(request.user) else None,
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


def _forget(request):
    info = request.session.pop(SESSION_KEY, None)
    if info:
        uploads.forget_upload(user=request.user, token=info["token"])


@require_http_methods(["GET", "POST"])
def import_upload(request):
    if not can_import(request.user):
        raise Http404
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            # No more than the size limit is read: the child refuses a larger file.
            data = upload.read(settings.IMPORT_MAX_BYTES + 1)
            try:
                parsed = parsing.parse_upload(data, upload.name)  # refuse a bad file before keeping it
                token = uploads.store_upload(user=request.user, data=data, encoded=parsed.encoded)
            except FileRejected as error:
                form.add_error("file", error.message)
            except uploads.StorageError:
                form.add_error(None, MSG_STORAGE)
                status = 503
            else:
                _forget(request)
                request.session[SESSION_KEY] = {"token": token, "name": upload.name,
                                                "resource": form.cleaned_data.get("resource") or None}
                return redirect("exchange:import_preview")
    return render(request, "exchange/import_upload.html", {
        "form": form, "keep_hours": settings.IMPORT_UPLOAD_KEEP_HOURS,
    }, status=status)


@require_http_methods(["GET", "POST"])
def import_preview(request):
    """GET: what the file would change and every error (a dry run). POST: apply it."""
    info = request.session.get(SESSION_KEY)
    try:
        upload = info and uploads.load_upload(user=request.user, token=info["token"], name=info["name"])
    except FileRejected as error:
        _forget(request)
        messages.error(request, error.message)
        return redirect("exchange:import_upload")
    if not upload:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, "取り込むファイルが見つかりません(確定されなかったファイルは "
                                f"{settings.IMPORT_UPLOAD_KEEP_HOURS} 時間で削除されます)。もう一度ファイルを選んでください。")
        return redirect("exchange:import_upload")
    commit = request.method == "POST"
    if commit and request.POST.get("token") != info["token"]:
        messages.error(request, "確認した内容と別のファイルです。もう一度確認してください。")
        return redirect("exchange:import_preview")
    if commit:  # too busy to write: the same confirmation again, the upload kept
        keep_input(request, lambda: render(request, "exchange/import_preview.html",
                                           {"info": info, "token": info["token"], "busy": True}))
    plan = Plan.objects.current()
    outcome = services.run_import(upload, user=request.user, plan=plan, commit=commit,
                                  resource_name=info["resource"])
    if outcome.applied:
        _forget(request)
        outside = f"他の課の行 {outcome.outside} 行は変更がないため取り込んでいません。" if outcome.outside else ""
        messages.success(request, f"{outcome.changed_rows} 行を取り込みました(変更のない行 {outcome.unchanged})。"
                                  f"{outside}変更は各シート・実績報告の履歴に記録されています。")
        return redirect("exchange:data_index")
    if commit and outcome.ok:  # nothing to apply
        _forget(request)
        messages.info(request, "変更のある行がないため、何も取り込みませんでした。")
        return redirect("exchange:data_index")
    return render(request, "exchange/import_preview.html", {
        "outcome": outcome, "info": info, "token": info["token"],
    }, status=400 if commit else 200)

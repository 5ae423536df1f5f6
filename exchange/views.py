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
from exchange.forms import PlanFileForm, UploadForm
from exchange.permissions import can_import
from exchange.plan_files import export_plan, run_plan_import
from governance.models import ReviewCycle
from plans.choice import plan_choice
from plans.models import Plan
from plans.permissions import can_author_plans, require_plan_author

SESSION_KEY = "exchange_upload"
PLAN_SESSION_KEY = "exchange_plan_upload"
MSG_STORAGE = "ファイルを保存できませんでした(サーバーの保存領域に書き込めません)。情報推進課に連絡してください。"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def data_index(request):
    choice = plan_choice(request)
    plan = choice.plan
    return render(request, "exchange/data_index.html", {
        "plan": plan, "choice": choice,
        "resources": services.resource_choices(),
        "cycles": ReviewCycle.objects.filter(plan=plan).select_related("plan").order_by("-fiscal_year", "kind"),
        "sections": Section.objects.filter(is_active=True).select_related("department")
        if is_ict_office(request.user) else None,
        "form": UploadForm() if can_import(request.user) else None,
        "plan_author": can_author_plans(request.user),
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
    plan = plan_choice(request).plan
    cycle = None
    if request.GET.get("cycle"):
        cycle = get_object_or_404(ReviewCycle.objects.select_related("plan"), pk=_int(request.GET["cycle"]))
        plan = cycle.plan
    elif name == "summary":
        raise Http404
    specs = services.export_specs(name, user=request.user, plan=plan, cycle=cycle)
    # A cycle's file names its year and kind: several years' files sit side by side.
    parts = [specs[0].title, *([fiscal.fy_era(cycle.fiscal_year), cycle.get_kind_display()] if cycle else []),
             timezone.localdate().strftime("%Y%m%d")]
    return _download(specs, "_".join(parts), request.GET.get("format", "xlsx"))


def _int(value):
    return int(value) if value.isascii() and value.isdigit() else 0


def template_download(request):
    """The section's own workbook; 情報推進課 may pick any section (or all)."""
    user = request.user
    section = user.section
    if is_ict_office(user):
        code = request.GET.get("section", "")
        section = get_object_or_404(Section, code=code) if code else None
    elif not user.section_id:
        raise Http404
    plan = plan_choice(request).plan
    specs = services.section_template(user=user, plan=plan, section=section)
    label = section.name if section else "全課"
    return _download(specs, f"入力用_{label}_{timezone.localdate():%Y%m%d}", "xlsx")


def _forget(request, key=SESSION_KEY):
    info = request.session.pop(key, None)
    if info:
        uploads.forget_upload(user=request.user, token=info["token"])


def _keep_upload(request, form, key, **info) -> int | None:
    """Parse and keep a valid form's file under the session's `key`; None when kept,
    else the status of the form shown again with its error."""
    upload = form.cleaned_data["file"]
    # No more than the size limit is read: the child refuses a larger file.
    data = upload.read(settings.IMPORT_MAX_BYTES + 1)
    try:
        parsed = parsing.parse_upload(data, upload.name)  # refuse a bad file before keeping it
        token = uploads.store_upload(user=request.user, data=data, encoded=parsed.encoded)
    except FileRejected as error:
        form.add_error("file", error.message)
        return 400
    except uploads.StorageError:
        form.add_error(None, MSG_STORAGE)
        return 503
    _forget(request, key)
    request.session[key] = {"token": token, "name": upload.name, **info}
    return None


def _kept_upload(request, key, back):
    """(session info, parsed upload) of the kept upload, or (None, a redirect to `back`)."""
    info = request.session.get(key)
    try:
        upload = info and uploads.load_upload(user=request.user, token=info["token"], name=info["name"])
    except FileRejected as error:
        _forget(request, key)
        messages.error(request, error.message)
        return None, redirect(back)
    if not upload:
        request.session.pop(key, None)
        messages.error(request, "取り込むファイルが見つかりません(確定されなかったファイルは "
                                f"{settings.IMPORT_UPLOAD_KEEP_HOURS} 時間で削除されます)。もう一度ファイルを選んでください。")
        return None, redirect(back)
    return info, upload


@require_http_methods(["GET", "POST"])
def import_upload(request):
    if not can_import(request.user):
        raise Http404
    # The file goes into the plan chosen on the data page (`?plan=`, kept in the form's address).
    choice = plan_choice(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = _keep_upload(request, form, SESSION_KEY, resource=form.cleaned_data.get("resource") or None,
                                  plan=choice.plan.code if choice.plan else "")
            if status is None:
                return redirect("exchange:import_preview")
    return render(request, "exchange/import_upload.html", {
        "form": form, "keep_hours": settings.IMPORT_UPLOAD_KEEP_HOURS, "plan": choice.plan, "choice": choice,
    }, status=status)


def _upload_plan(request, info):
    """The plan the kept upload goes into: the one chosen when it was sent (an upload
    kept from before plans could be chosen: the current plan)."""
    code = info.get("plan")
    plans = Plan.objects.visible_to(request.user)
    return get_object_or_404(plans, code=code) if code else plans.current()


@require_http_methods(["GET", "POST"])
def import_preview(request):
    """GET: what the file would change and every error (a dry run). POST: apply it."""
    info, upload = _kept_upload(request, SESSION_KEY, "exchange:import_upload")
    if info is None:
        return upload
    commit = request.method == "POST"
    if commit and request.POST.get("token") != info["token"]:
        messages.error(request, "確認した内容と別のファイルです。もう一度確認してください。")
        return redirect("exchange:import_preview")
    if commit:  # too busy to write: the same confirmation again, the upload kept
        keep_input(request, lambda: render(request, "exchange/import_preview.html",
                                           {"info": info, "token": info["token"], "busy": True}))
    plan = _upload_plan(request, info)
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
        "outcome": outcome, "info": info, "token": info["token"], "plan": plan,
    }, status=400 if commit else 200)


# ─── A whole plan (情報推進課) ─────────────────────────────────────────────────

@require_http_methods(["GET", "POST"])
def plan_files(request):
    """「計画の取込み・書出し」: each plan's file to download, and the upload of one."""
    require_plan_author(request.user)
    form = PlanFileForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = _keep_upload(request, form, PLAN_SESSION_KEY, code=form.cleaned_data["plan_code"])
            if status is None:
                return redirect("exchange:plan_import_preview")
    return render(request, "exchange/plan_files.html", {
        "plans": Plan.objects.visible_to(request.user).order_by("-start_year", "code"),
        "form": form, "keep_hours": settings.IMPORT_UPLOAD_KEEP_HOURS,
    }, status=status)


def plan_export(request, plan):
    require_plan_author(request.user)
    plan = get_object_or_404(Plan.objects.visible_to(request.user), code=plan)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    body, filename = export_plan(plan, fmt)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_http_methods(["GET", "POST"])
def plan_import_preview(request):
    """GET: the plan the file makes or every change it makes to a plan in
    preparation, and every error (nothing kept). POST: apply it, all or nothing."""
    require_plan_author(request.user)
    info, upload = _kept_upload(request, PLAN_SESSION_KEY, "exchange:plan_files")
    if info is None:
        return upload
    commit = request.method == "POST"
    if commit and request.POST.get("token") != info["token"]:
        messages.error(request, "確認した内容と別のファイルです。もう一度確認してください。")
        return redirect("exchange:plan_import_preview")
    if commit:  # too busy to write: the same confirmation again, the upload kept
        keep_input(request, lambda: render(request, "exchange/plan_import_preview.html", {
            "info": info, "token": info["token"], "digest": request.POST.get("digest", ""), "busy": True}))
    outcome = run_plan_import(upload, user=request.user, code=info["code"], commit=commit,
                              digest=request.POST.get("digest", ""), filename=info["name"])
    if outcome.applied:
        _forget(request, PLAN_SESSION_KEY)
        made = "を作成しました(策定中)" if outcome.is_new else "を変更しました"
        messages.success(request, f"ファイルを取り込み、計画「{outcome.name}」{made}(変更 {len(outcome.changes)} 件)。")
        return redirect("plans:plan_tree", plan=outcome.code)
    if commit and outcome.ok and not outcome.stale:  # nothing to apply
        _forget(request, PLAN_SESSION_KEY)
        messages.info(request, "ファイルの内容は計画と同じです。何も変更していません。")
        return redirect("exchange:plan_files")
    if outcome.stale:
        messages.error(request, "確認した後に計画が変更されたため、取り込んでいません。変わる内容を確認し直してください。")
    return render(request, "exchange/plan_import_preview.html", {
        "outcome": outcome, "info": info, "token": info["token"],
    }, status=409 if outcome.stale else 400 if commit else 200)

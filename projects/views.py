"""Screens of the 情報化事業シート: my section's list, the sheet, its edit form,
print page, PDF and past versions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import TemplateView

from accounts.models import Section
from core import stamps
from core.busy import keep_input
from plans.choice import plan_choice
from projects import permissions
from projects.forms import COMPLETE_MESSAGE, IndicatorFormSet, ScheduleFormSet, SheetEdit, SheetForm, SheetOfficeForm
from projects.history import sheet_history
from projects.layout import layout_as_of, layout_for, revision_end
from projects.merge import merge_stale_input
from projects.models import Indicator, ProjectSheet, SheetStatus
from projects.pdf import render_sheet_pdf
from projects.services import (
    IncompleteSheetError, StaleSheetError, UnknownRowError, Via, missing_after, missing_items, save_sheet,
)


def _sheet(queryset, kwargs, *, details=True):
    return get_object_or_404(
        queryset.with_details() if details else queryset.with_basics(),
        project__plan__code=kwargs["plan"], project__code=kwargs["code"],
    )


class SheetListView(TemplateView):
    """自課の事業: the sheets of a section (the user's own by default) and what each lacks."""

    template_name = "projects/sheet_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        choice = plan_choice(self.request)
        plan = choice.plan
        sections = Section.objects.filter(is_active=True).select_related("department")
        wanted = self.request.GET.get("section") or (user.section.code if user.section_id else "all")
        sheets = ProjectSheet.objects.visible_to(user).in_plan(plan).with_details()
        section = None
        if wanted == "unassigned":
            sheets = sheets.filter(section__isnull=True)
        elif wanted != "all":
            section = get_object_or_404(Section, code=wanted)
            sheets = sheets.of_section(section)
        rows = [(sheet, missing_items(sheet)) for sheet in sheets]
        # 「完成」 is the state a person chose; nothing missing is what the sheet holds:
        # two counts, since a full sheet may still be a draft (and an old 完成 may lack a new item).
        full = [sheet for sheet, missing in rows if not missing]
        return super().get_context_data(
            plan=plan, choice=choice, rows=rows, sections=sections, section=section, wanted=wanted,
            completed_count=sum(1 for sheet, _ in rows if sheet.status == SheetStatus.COMPLETE),
            full_count=len(full), full_draft_count=sum(1 for sheet in full if sheet.status == SheetStatus.DRAFT),
            **kwargs,
        )


class SheetDetailView(View):
    """The sheet, what it lacks and its history. The body is cached under the data
    stamps (core.stamps: plans, work and sheets, read first), the sheet's version and
    last change (which every save of the sheet changes) and the day; indicators,
    schedule and history are read only when the cache misses."""

    def get(self, request, **kwargs):
        stamp = stamps.current("plans", "work", "sheets")  # before the data it keys
        sheet = get_object_or_404(
            ProjectSheet.objects.visible_to(request.user).with_basics(),
            project__plan__code=kwargs["plan"], project__code=kwargs["code"],
        )

        def body():
            prefetch_related_objects(  # as ProjectSheet.objects.with_details()
                [sheet], Prefetch("indicators", queryset=Indicator.objects.prefetch_related("targets")),
                "schedule")
            return {"layout": layout_for(sheet), "missing": missing_items(sheet),
                    "history": sheet_history(sheet)}
        return render(request, "projects/sheet_detail.html", {
            "body": SimpleLazyObject(body),
            "sheet": sheet,
            "stamp": stamp,
            "today": timezone.localdate(),
            "can_edit": permissions.can_edit_sheet(request.user, sheet),
        })


class SheetPrintView(View):
    def get(self, request, **kwargs):
        sheet = _sheet(ProjectSheet.objects.visible_to(request.user), kwargs)
        return render(request, "projects/sheet_print.html", {"layout": layout_for(sheet)})


class SheetPdfView(View):
    def get(self, request, **kwargs):
        sheet = _sheet(ProjectSheet.objects.visible_to(request.user), kwargs)
        response = HttpResponse(render_sheet_pdf(layout_for(sheet)), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            False, f"情報化事業シート_{sheet.project.code}.pdf"
        )
        return response


class SheetVersionView(View):
    """A past version of the sheet, as it was after a given save."""

    def get(self, request, history_id, **kwargs):
        sheet = _sheet(ProjectSheet.objects.visible_to(request.user), kwargs)
        record = get_object_or_404(sheet.history, history_id=history_id)
        return render(request, "projects/sheet_version.html", {
            "layout": layout_as_of(sheet, revision_end(record)),
            "record": record,
            "sheet": sheet,
        })


class SheetEditView(View):
    """The edit form. Only sheets the user may edit are found at all (404 otherwise)."""

    template_name = "projects/sheet_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.sheet = _sheet(ProjectSheet.objects.editable_by(request.user), kwargs, details=False)
        return super().dispatch(request, *args, **kwargs)

    def forms(self, data=None):
        plan = self.sheet.project.plan
        form_class = SheetOfficeForm if permissions.can_assign_section(self.request.user) else SheetForm
        return SheetEdit(
            sheet_form=form_class(data, instance=self.sheet, prefix="sheet"),
            indicator_formset=IndicatorFormSet(
                data, instance=self.sheet, prefix="indicators",
                queryset=Indicator.objects.prefetch_related("targets"),
                form_kwargs={"years": plan.years, "era": plan.era},
            ),
            schedule_formset=ScheduleFormSet(data, instance=self.sheet, prefix="schedule"),
        )

    def render_form(self, edit, *, seen_version, status=200, conflict=None, missing=None):
        return render(self.request, self.template_name, {
            "sheet": self.sheet,
            "plan": self.sheet.project.plan,
            "edit": edit,
            "seen_version": seen_version,
            "conflict": conflict,
            "missing": missing,
        }, status=status)

    def get(self, request, **kwargs):
        return self.render_form(self.forms(), seen_version=self.sheet.version)

    def refuse(self, edit, seen_version, text, missing=None):
        messages.error(self.request, text)
        return self.render_form(edit, seen_version=seen_version, status=400, missing=missing)

    def post(self, request, **kwargs):
        complete = "complete" in request.POST
        edit = self.forms(request.POST)
        seen_version = request.POST.get("seen_version", "")
        if not seen_version.isascii() or not seen_version.isdigit():
            return self.refuse(self.forms(), self.sheet.version,
                               "送信された内容が正しくありません(版が読めません)。保存はされていません。"
                               "編集画面を開き直してください。")
        seen_version = int(seen_version)
        if tampering := edit.tampering():
            return self.refuse(self.forms(), self.sheet.version,
                               f"{tampering}保存はされていません。編集画面を開き直してください。")
        if not edit.is_valid():
            # On a refused 完成, also every item it would still lack, so that all is listed at once.
            missing = missing_after(sheet=self.sheet, changes=edit.changes(complete=True, valid_only=True)) \
                if complete else None
            return self.refuse(edit, seen_version, "入力内容に誤りがあります。各項目のメッセージを確認してください。",
                               missing=missing or None)
        keep_input(request, lambda: self.render_form(edit, seen_version=seen_version))
        try:
            saved = save_sheet(sheet=self.sheet, seen_version=seen_version, changes=edit.changes(complete=complete),
                               user=request.user, via=Via.PAGE)
        except StaleSheetError as stale:
            return self.conflict(edit, stale, seen_version, **kwargs)
        except IncompleteSheetError as incomplete:
            for name in incomplete.fields:
                if name in edit.sheet_form.fields:
                    edit.sheet_form.add_error(name, COMPLETE_MESSAGE)
            return self.refuse(edit, seen_version, "完成として保存するには、次の項目が不足しています。保存はされていません。",
                               missing=incomplete.missing)
        except (UnknownRowError, ValidationError) as error:
            return self.refuse(edit, seen_version, "保存できませんでした:" + "".join(
                getattr(error, "messages", [str(error)])))
        if saved is None:
            messages.info(request, "変更がなかったため、保存しませんでした(版は変わりません)。")
        else:
            messages.success(request, "情報化事業シートを保存しました。")
        return redirect(self.sheet.get_absolute_url())

    def conflict(self, edit, stale, seen_version, **kwargs):
        newer = [c for c in sheet_history(stale.sheet) if (c.version or 0) > seen_version]
        self.sheet = _sheet(ProjectSheet.objects.editable_by(self.request.user), kwargs, details=False)
        edit = self.forms(merge_stale_input(edit, self.forms()))
        edit.is_valid()
        messages.error(
            self.request,
            f"このシートは、あなたが開いた後に更新されました(更新者:{updaters(newer, self.request.user)})。"
            "保存はされていません。下の「その間の変更」を確認し、必要な入力を反映してから、もう一度保存してください。",
        )
        return self.render_form(edit, seen_version=self.sheet.version, status=409, conflict=newer)


def updaters(change_sets, user) -> str:
    """Who saved the sheet in between, oldest first, each once; the user themself
    too (another tab or window), so the message blames no one."""
    names = {}
    for change_set in reversed(change_sets):
        who = change_set.user
        if who is not None and who.pk == user.pk:
            names.setdefault("self", "あなた自身(別のタブや画面)")
        else:
            names.setdefault(getattr(who, "pk", None), who.display_name if who else "(システム)")
    return "、".join(names.values())

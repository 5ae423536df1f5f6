"""The admin of sheets. Every write goes through projects.services.save_sheet, as the
edit page's and the import's do: it validates, raises the sheet's version (so that an
edit form opened before is refused as stale) and writes one revision of history,
marked 「管理画面」."""

from decimal import Decimal
from operator import attrgetter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from core import fiscal
from core.resources import admin_export_action, shown
from projects import permissions
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry
from projects.services import (
    IncompleteSheetError,
    IndicatorChange,
    ScheduleChange,
    SheetChanges,
    StaleSheetError,
    UnknownRowError,
    Via,
    save_sheet,
)


class ScopedAdminMixin:
    """The admin applies the same rules as the pages: a sheet is changed only by
    someone who may edit it (or a superuser, who may change anything in the admin)."""

    def may_edit(self, request, obj):
        sheet = self.sheet_of(obj) if obj is not None else None
        return sheet is None or request.user.is_superuser or permissions.can_edit_sheet(request.user, sheet)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_edit(request, obj)


class PlainDecimalInput(forms.NumberInput):
    """A decimal as people write it: 10, 12.5 (not 10.00, 12.50)."""

    def format_value(self, value):
        return super().format_value(shown(value) if isinstance(value, Decimal) else value)


class FiscalYearFilter(admin.SimpleListFilter):
    """年度, named as people name them (平成28年度(2016年度)), the years the rows have."""

    title = "年度"
    parameter_name = "fiscal_year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).order_by("fiscal_year").values_list("fiscal_year", flat=True)
        return [(year, fiscal.fy_label(year)) for year in dict.fromkeys(years)]

    def queryset(self, request, queryset):
        return queryset.filter(fiscal_year=self.value()) if self.value() else queryset


def sheet_columns(project):
    """事業コード and 事業名 of the sheet a row belongs to (`project`: the path to its
    project), for the list and, read-only, the change page: rows of different sheets
    otherwise look alike (the same indicator name, the same years)."""
    get = attrgetter(project.replace("__", "."))

    @admin.display(description="事業コード", ordering=f"{project}__code")
    def project_code(self, obj):
        return get(obj).code

    @admin.display(description="事業名", ordering=f"{project}__name")
    def project_name(self, obj):
        return get(obj).name

    return project_code, project_name


class SheetPartAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """An indicator, a target or a schedule row: saved and deleted as a change of its sheet."""

    parent_fields: list[str] = []
    sheet_fields = ["project_code", "project_name"]
    formfield_overrides = {models.DecimalField: {"widget": PlainDecimalInput}}

    def get_readonly_fields(self, request, obj=None):
        # A row stays on its sheet (and year): moving it is a deletion and an addition.
        return [*self.sheet_fields, *self.parent_fields] if obj is not None else []

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:
            return fields
        return [*self.sheet_fields, *(name for name in fields if name not in self.sheet_fields)]

    @admin.display(description="年度", ordering="fiscal_year")
    def fiscal_year_label(self, obj):
        return fiscal.fy_label(obj.fiscal_year)

    def save_model(self, request, obj, form, change):
        changes = self.changes(obj, form, change)
        if _save(request, self.sheet_of(obj), changes):
            obj.pk = self.saved_pk(obj, changes)

    def saved_pk(self, obj, changes):
        return (changes.indicators or changes.schedule)[0].saved.pk

    def delete_model(self, request, obj):
        _save(request, self.sheet_of(obj), self.deletion(obj))

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:  # refused by the service (its message is shown)
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_related(self, request, form, formsets, change):
        pass  # no inlines: save_model has saved everything

    def log_addition(self, request, obj, message):
        return super().log_addition(request, obj, message) if obj.pk else None


def _save(request, sheet, changes) -> bool:
    """Save through the service; a refusal (nothing written) becomes an error message."""
    sheet = ProjectSheet.objects.get(pk=sheet.pk)  # as stored now: a bulk delete saves it once per row
    try:
        save_sheet(sheet=sheet, seen_version=sheet.version, changes=changes, user=request.user, via=Via.ADMIN)
    except IncompleteSheetError as error:
        messages.error(request, "完成のシートが不足する変更のため、保存していません。不足する項目:"
                       + "、".join(error.missing))
    except (StaleSheetError, UnknownRowError, ValidationError) as error:
        messages.error(request, "保存していません:" + "".join(getattr(error, "messages", [str(error)])))
    else:
        return True
    return False


class ScheduleInline(admin.TabularInline):
    model = ScheduleEntry
    extra = 0
    fields = ["fiscal_year", "planned", "actual"]


@admin.register(ProjectSheet)
class ProjectSheetAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    actions = [admin_export_action("sheets")]
    list_display = ["project", "section", "status", "version", "updated_at", "updated_by"]
    list_filter = ["status", "project__plan", "section__department", "section"]
    list_select_related = ["project__plan", "section__department", "updated_by"]
    search_fields = ["project__code", "project__name", "section__name"]
    ordering = ["project__plan", "project__code"]
    readonly_fields = ["project", "version", "updated_at", "updated_by"]
    inlines = [ScheduleInline]

    @staticmethod
    def sheet_of(obj):
        return obj

    def has_add_permission(self, request):
        # Every project has its sheet from the start (projects.services.ensure_sheets).
        return False

    def save_model(self, request, obj, form, change):
        request._sheet_changes = SheetChanges(fields={name: form.cleaned_data[name] for name in form.changed_data})

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # the admin's log
        for inline_form in formset.forms:
            entry = inline_form.instance
            served_year = inline_form.initial.get("fiscal_year")  # the form has already set the posted one
            if inline_form in formset.deleted_forms:
                if entry.pk:
                    request._sheet_changes.schedule.append(ScheduleChange(served_year, delete=True))
            elif inline_form.has_changed():
                data = inline_form.cleaned_data
                if entry.pk and served_year != data["fiscal_year"]:
                    request._sheet_changes.schedule.append(ScheduleChange(served_year, delete=True))
                request._sheet_changes.schedule.append(ScheduleChange(
                    data["fiscal_year"], {"planned": data["planned"], "actual": data["actual"]}))

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        sheet = ProjectSheet.objects.get(pk=form.instance.pk)
        _save(request, sheet, request._sheet_changes)
        form.instance.refresh_from_db()


@admin.register(Indicator)
class IndicatorAdmin(SheetPartAdmin):
    list_display = ["project_code", "project_name", "position", "name", "kind", "unit"]
    list_display_links = ["name"]
    list_filter = ["kind", "direction", "is_qualitative"]
    list_select_related = ["sheet__project"]
    project_code, project_name = sheet_columns("sheet__project")
    search_fields = ["name", "sheet__project__code", "sheet__project__name"]
    ordering = ["sheet__project__code", "position"]
    parent_fields = ["sheet"]

    @staticmethod
    def sheet_of(obj):
        return obj.sheet

    def changes(self, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "sheet"}
        return SheetChanges(indicators=[IndicatorChange(id=obj.pk if change else None, fields=fields)])

    def deletion(self, obj):
        return SheetChanges(indicators=[IndicatorChange(id=obj.pk, delete=True)])


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(SheetPartAdmin):
    list_display = ["project_code", "project_name", "indicator", "fiscal_year_label", "value_shown"]
    list_display_links = ["indicator"]
    list_filter = [FiscalYearFilter]
    list_select_related = ["indicator__sheet__project"]
    search_fields = ["indicator__name", "indicator__sheet__project__code", "indicator__sheet__project__name"]
    project_code, project_name = sheet_columns("indicator__sheet__project")
    ordering = ["indicator__sheet__project__code", "fiscal_year"]
    parent_fields = ["indicator", "fiscal_year"]

    @staticmethod
    def sheet_of(obj):
        return obj.indicator.sheet

    def changes(self, obj, form, change):
        return SheetChanges(indicators=[IndicatorChange(id=obj.indicator_id, targets={obj.fiscal_year: obj.value})])

    def deletion(self, obj):
        return SheetChanges(indicators=[IndicatorChange(id=obj.indicator_id, targets={obj.fiscal_year: None})])

    @admin.display(description="目標値", ordering="value")
    def value_shown(self, obj):
        return shown(obj.value)

    def saved_pk(self, obj, changes):
        return IndicatorTarget.objects.get(indicator=obj.indicator_id, fiscal_year=obj.fiscal_year).pk


@admin.register(ScheduleEntry)
class ScheduleEntryAdmin(SheetPartAdmin):
    list_display = ["project_code", "project_name", "fiscal_year_label", "planned", "actual"]
    list_display_links = ["fiscal_year_label"]
    list_filter = [FiscalYearFilter]
    list_select_related = ["sheet__project"]
    project_code, project_name = sheet_columns("sheet__project")
    search_fields = ["sheet__project__code", "sheet__project__name", "planned", "actual"]
    ordering = ["sheet__project__code", "fiscal_year"]
    parent_fields = ["sheet", "fiscal_year"]

    @staticmethod
    def sheet_of(obj):
        return obj.sheet

    def changes(self, obj, form, change):
        return SheetChanges(schedule=[ScheduleChange(obj.fiscal_year, {"planned": obj.planned, "actual": obj.actual})])

    def deletion(self, obj):
        return SheetChanges(schedule=[ScheduleChange(obj.fiscal_year, delete=True)])

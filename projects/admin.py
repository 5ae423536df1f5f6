from django.contrib import admin
from django.db.models import F
from simple_history.admin import SimpleHistoryAdmin

from projects import permissions
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry
from plans.resources import admin_export_action


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

    def save_model(self, request, obj, form, change):
        """A change here is a new version, as a save of the edit form is: an edit form
        opened before it is refused as stale instead of overwriting it, and the 履歴
        names the version."""
        if change:
            ProjectSheet.objects.filter(pk=obj.pk).update(version=F("version") + 1)
            obj.version = ProjectSheet.objects.values_list("version", flat=True).get(pk=obj.pk)
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Indicator)
class IndicatorAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "unit", "sheet"]
    list_filter = ["kind", "direction", "is_qualitative"]
    list_select_related = ["sheet__project"]
    search_fields = ["name", "sheet__project__code", "sheet__project__name"]
    ordering = ["sheet__project__code", "position"]

    @staticmethod
    def sheet_of(obj):
        return obj.sheet


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["indicator", "fiscal_year", "value"]
    list_filter = ["fiscal_year"]
    list_select_related = ["indicator__sheet__project"]
    search_fields = ["indicator__name", "indicator__sheet__project__code"]
    ordering = ["indicator__sheet__project__code", "fiscal_year"]

    @staticmethod
    def sheet_of(obj):
        return obj.indicator.sheet


@admin.register(ScheduleEntry)
class ScheduleEntryAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["sheet", "fiscal_year", "planned", "actual"]
    list_filter = ["fiscal_year"]
    list_select_related = ["sheet__project"]
    search_fields = ["sheet__project__code", "sheet__project__name", "planned", "actual"]
    ordering = ["sheet__project__code", "fiscal_year"]

    @staticmethod
    def sheet_of(obj):
        return obj.sheet

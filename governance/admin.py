from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin
from governance.models import (
    AgendaItem, AnnualReport, Body, BookJob, CycleEvent, CycleStatus, IndicatorResult, Meeting, ReminderLog,
    ReportEvent, ReviewCycle, Seat,
)
from plans.resources import admin_export_action


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0
    fields = ["role", "position", "department", "section", "sort_order"]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    ordering = ["pk"]
    inlines = [SeatInline]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["body", "role", "position", "department", "section"]
    list_filter = ["body", "role", "position"]
    list_select_related = ["body", "department", "section__department"]
    search_fields = ["body__name", "section__name", "department__name"]
    ordering = ["body", "sort_order"]


class ClosedCycleReadOnly:
    """What belongs to a closed (確定) cycle is read, never changed or deleted, here as on
    every other path (governance.cycles.services.refuse_if_closed); closing and reopening
    are done on the cycle's page, with a reason (governance.cycles.closing)."""

    cycle_path = "cycle"

    def cycle_of(self, obj):
        for name in self.cycle_path.split("__"):
            obj = getattr(obj, name)
        return obj

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.cycle_of(obj).is_closed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.cycle_of(obj).is_closed:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # New rows only in open cycles.
        if db_field.name == "cycle":
            kwargs["queryset"] = ReviewCycle.objects.filter(status=CycleStatus.OPEN)
        elif db_field.name == "meeting":
            kwargs["queryset"] = Meeting.objects.filter(cycle__status=CycleStatus.OPEN)
        elif db_field.name == "report":
            kwargs["queryset"] = AnnualReport.objects.filter(cycle__status=CycleStatus.OPEN)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CycleEventInline(admin.TabularInline):
    model = CycleEvent
    extra = 0
    fields = ["at", "action", "actor", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReviewCycle)
class ReviewCycleAdmin(ClosedCycleReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "plan", "deadline", "status", "closed_at"]
    list_filter = ["plan", "kind", "status"]
    search_fields = ["plan__name"]
    ordering = ["-fiscal_year"]
    # Cycles are opened on the 進行管理 page so that reports are created with them, and
    # closed or reopened there with a reason: the state is not edited here.
    readonly_fields = ["status", "opened_by", "opened_at", "closed_at", "closed_by"]
    inlines = [CycleEventInline]

    def cycle_of(self, obj):
        return obj


class ReportContentReadOnly(ReadOnlyAdmin):
    """A report's content is written only by governance.cycles.services (save_reports and
    the workflow moves), which check the state, the section and the version and record
    who and how: here it is read, with its history, never changed."""


@admin.register(AnnualReport)
class AnnualReportAdmin(ReportContentReadOnly, SimpleHistoryAdmin):
    actions = [admin_export_action("reports")]
    list_display = ["sheet", "cycle", "section", "state", "evaluation", "decision"]
    list_filter = ["cycle", "state", "evaluation", "decision", "section__department"]
    list_select_related = ["sheet__project", "cycle", "section__department"]
    search_fields = ["sheet__project__code", "sheet__project__name"]
    ordering = ["cycle", "sheet__project__code"]
    readonly_fields = [
        "cycle", "sheet", "state", "version", "evaluated_in", "decided_in", "targets_at_decision",
        "sheet_version_at_decision", "reflected_sheet_version", "reflection_flags",
    ]


@admin.register(IndicatorResult)
class IndicatorResultAdmin(ReportContentReadOnly, SimpleHistoryAdmin):
    actions = [admin_export_action("results")]
    list_display = ["indicator", "report", "actual"]
    list_select_related = ["indicator", "report__sheet__project", "report__cycle"]
    search_fields = ["indicator__name", "report__sheet__project__code"]
    ordering = ["report", "indicator__position"]


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ["report", "action", "from_state", "to_state", "actor", "at"]
    list_filter = ["action", "to_state"]
    list_select_related = ["report__sheet__project", "report__cycle", "actor"]
    search_fields = ["report__sheet__project__code", "comment"]
    ordering = ["-at"]


@admin.register(CycleEvent)
class CycleEventAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "action", "actor", "at"]
    list_filter = ["action"]
    list_select_related = ["cycle__plan", "actor"]
    search_fields = ["reason"]
    ordering = ["-at"]


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    autocomplete_fields = ["report"]

    def has_add_permission(self, request, obj=None):  # obj: the meeting
        return not (obj is not None and obj.cycle.is_closed) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and obj.cycle.is_closed) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and obj.cycle.is_closed) and super().has_delete_permission(request, obj)


@admin.register(Meeting)
class MeetingAdmin(ClosedCycleReadOnly, admin.ModelAdmin):
    list_display = ["title", "body", "held_on", "cycle"]
    list_filter = ["body", "cycle"]
    list_select_related = ["body", "cycle"]
    search_fields = ["title", "place", "minutes"]
    ordering = ["-held_on"]
    inlines = [AgendaInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(ClosedCycleReadOnly, admin.ModelAdmin):
    cycle_path = "meeting__cycle"

    list_display = ["meeting", "position", "report"]
    list_select_related = ["meeting", "report__sheet__project"]
    search_fields = ["meeting__title", "report__sheet__project__name"]
    ordering = ["meeting", "position"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["cycle", "section", "sent_on", "recipients"]
    list_filter = ["cycle", "sent_on"]
    search_fields = ["section__name"]
    ordering = ["-sent_on"]


@admin.register(BookJob)
class BookJobAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "requested_by", "created_at", "size"]
    list_filter = ["kind", "status"]
    list_select_related = ["requested_by"]
    search_fields = ["title", "error"]
    ordering = ["-created_at"]
    readonly_fields = ["kind", "params", "status", "requested_by", "started_at", "finished_at", "file", "size",
                       "error"]

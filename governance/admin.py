from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin
from governance.models import (
    AgendaItem, AnnualReport, Body, BookJob, IndicatorResult, Meeting, ReminderLog, ReportEvent, ReviewCycle,
    Seat,
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


@admin.register(ReviewCycle)
class ReviewCycleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "deadline", "status"]
    list_filter = ["plan", "kind", "status"]
    search_fields = ["plan__name"]
    ordering = ["-fiscal_year"]
    # Cycles are opened on the 進行管理 page so that reports are created with them.
    readonly_fields = ["opened_by", "opened_at"]


class ReportContentReadOnly(ReadOnlyAdmin):
    """A report's content is written only by governance.cycles.services (save_reports and
    the workflow moves), which check the state, the section and the version and record
    who and how: here it is read, with its history, never changed."""


@admin.register(AnnualReport)
class AnnualReportAdmin(ReportContentReadOnly, SimpleHistoryAdmin):
    actions = [admin_export_action("reports")]
    list_display = ["sheet", "cycle", "section", "state", "evaluation", "decision"]
    list_filter = ["cycle", "state", "evaluation", "decision", "section__department"]
    list_select_related = ["sheet__project", "cycle__plan", "section__department"]
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
    list_select_related = ["indicator", "report__sheet__project", "report__cycle__plan"]
    search_fields = ["indicator__name", "report__sheet__project__code"]
    ordering = ["report", "indicator__position"]


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ["report", "action", "from_state", "to_state", "actor", "at"]
    list_filter = ["action", "to_state"]
    list_select_related = ["report__sheet__project", "report__cycle", "actor"]
    search_fields = ["report__sheet__project__code", "comment"]
    ordering = ["-at"]


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    autocomplete_fields = ["report"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "held_on", "cycle"]
    list_filter = ["body", "cycle"]
    list_select_related = ["body", "cycle"]
    search_fields = ["title", "place", "minutes"]
    ordering = ["-held_on"]
    inlines = [AgendaInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
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

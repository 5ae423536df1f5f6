"""The plan in /admin/: read-only for the structure, whose one write path is
plans.structure (the plan editing page, the plan import and the seed loader),
so that codes, 事業コード and every project's sheet stay true."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from core.resources import admin_export_action
from plans.models import MasterPlanCode, Placement, Plan, PlanChapter, PlanEdit, PlanItem, PlanLevel, Project, Succession


class LevelInline(admin.TabularInline):
    model = PlanLevel
    fields = ["depth", "name", "numbering", "has_text", "stated_count"]
    extra = 0
    # Read-only like the plan itself (ReadOnlyAdmin's three answers).
    has_add_permission = ReadOnlyAdmin.has_change_permission
    has_change_permission = ReadOnlyAdmin.has_change_permission
    has_delete_permission = ReadOnlyAdmin.has_delete_permission


@admin.register(PlanLevel)
class PlanLevelAdmin(ReadOnlyAdmin):
    list_display = ["plan", "depth", "name", "numbering", "has_text", "stated_count"]
    list_filter = ["plan"]
    list_select_related = ["plan"]
    search_fields = ["name"]
    ordering = ["plan", "depth"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "start_year", "end_year", "is_current", "in_preparation"]
    list_filter = ["is_current", "in_preparation"]
    search_fields = ["name", "code", "philosophy"]
    ordering = ["-start_year"]
    inlines = [LevelInline]


@admin.register(PlanItem)
class PlanItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "level", "plan", "reposted_from"]
    list_display_links = ["code", "title"]
    list_filter = ["plan"]
    list_select_related = ["plan", "level", "reposted_from"]
    search_fields = ["code", "title", "text"]
    ordering = ["plan", "sort_key"]


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "plan", "is_planned", "since_year", "security_kind"]
    list_display_links = ["code", "name"]
    list_filter = ["plan", "is_planned", "security_kind"]
    list_select_related = ["plan"]
    search_fields = ["code", "name"]
    ordering = ["plan", "code"]


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    actions = [admin_export_action("plan")]
    list_display = ["project", "item", "position", "is_home"]
    list_filter = ["is_home", "item__plan"]
    list_select_related = ["project", "item"]
    search_fields = ["project__name", "project__code", "item__title"]
    ordering = ["item__plan", "item__sort_key", "position"]


@admin.register(PlanEdit)
class PlanEditAdmin(ReadOnlyAdmin):
    list_display = ["at", "plan", "user", "via", "summary", "undone_at"]
    list_filter = ["plan", "via"]
    list_select_related = ["plan", "user"]
    search_fields = ["summary"]


@admin.register(Succession)
class SuccessionAdmin(ReadOnlyAdmin):
    """Written by governance.succession (the 事業の引継ぎ page) only."""

    list_display = ["project", "fate", "suggested_fate", "next_plan", "recorded_by", "recorded_at"]
    list_filter = ["next_plan", "fate"]
    list_select_related = ["project", "next_plan", "recorded_by"]
    search_fields = ["project__name", "project__code", "reason"]


@admin.register(PlanChapter)
class PlanChapterAdmin(ReadOnlyAdmin):
    """Read-only: chapters change through plans.chapters (計画書の本文 in the plan editor)."""

    list_display = ["plan", "position", "number", "title", "updated_at", "updated_by"]
    list_display_links = ["number", "title"]
    list_filter = ["plan"]
    list_select_related = ["plan", "updated_by"]
    search_fields = ["number", "title", "body"]
    ordering = ["plan", "position"]


@admin.register(MasterPlanCode)
class MasterPlanCodeAdmin(admin.ModelAdmin):
    actions = [admin_export_action("master_codes")]
    list_display = ["code", "title", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "title"]
    ordering = ["code"]

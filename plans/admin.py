from django.contrib import admin

from plans.models import Goal, MasterPlanCode, Measure, Placement, Plan, Policy, Project
from core.resources import admin_export_action


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "start_year", "end_year", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["name", "code", "philosophy"]
    ordering = ["-start_year"]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "subtitle", "plan"]
    list_display_links = ["code", "title"]
    list_filter = ["plan"]
    list_select_related = ["plan"]
    search_fields = ["title", "subtitle", "description"]
    ordering = ["plan", "number"]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "goal"]
    list_display_links = ["code", "title"]
    list_filter = ["goal__plan", "goal"]
    list_select_related = ["goal__plan"]
    search_fields = ["title"]
    ordering = ["goal__plan", "goal__number", "number"]


class PlacementInline(admin.TabularInline):
    model = Placement
    extra = 0
    fields = ["measure", "project", "position", "is_home"]
    autocomplete_fields = ["measure", "project"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "policy", "reposted_from"]
    list_display_links = ["code", "title"]
    list_filter = ["policy__goal__plan", "policy__goal"]
    list_select_related = ["policy__goal__plan", "reposted_from__policy__goal"]
    search_fields = ["title", "description"]
    ordering = ["policy__goal__plan", "policy__goal__number", "policy__number", "number"]
    autocomplete_fields = ["reposted_from"]
    inlines = [PlacementInline]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "plan", "is_planned", "since_year", "security_kind"]
    list_display_links = ["code", "name"]
    list_filter = ["plan", "is_planned", "security_kind"]
    list_select_related = ["plan"]
    search_fields = ["code", "name"]
    ordering = ["plan", "code"]
    inlines = [PlacementInline]


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    actions = [admin_export_action("plan")]
    list_display = ["project", "measure", "position", "is_home"]
    list_filter = ["is_home", "measure__policy__goal__plan"]
    list_select_related = ["project", "measure__policy__goal"]
    search_fields = ["project__name", "project__code", "measure__title"]
    ordering = ["measure__policy__goal__number", "measure__policy__number", "measure__number", "position"]
    autocomplete_fields = ["measure", "project"]


@admin.register(MasterPlanCode)
class MasterPlanCodeAdmin(admin.ModelAdmin):
    actions = [admin_export_action("master_codes")]
    list_display = ["code", "title", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "title"]
    ordering = ["code"]

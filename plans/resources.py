"""Import/export of the plan: export only (the plan is the published document
and changes through /admin/). The building blocks are core.resources'."""

from core.resources import BooleanWidget, ExchangeResource, FiscalYearWidget, column
from core.resources import admin_export_action  # noqa: F401  (still imported by governance.admin)
from plans.models import MasterPlanCode, Placement


# ─── The plan: export only ───────────────────────────────────────────────────

class PlacementResource(ExchangeResource):
    """The plan hierarchy, one row per project and item it is listed under (再掲 included).

    Export only (the plan's own import and export is exchange.plan_files): the
    columns of the second plan's levels are named by the plan's levels.
    """

    importable = False
    title = "計画体系"
    item = column("項目コード", "item__code", readonly=True)
    item_title = column("項目名", "item__title", readonly=True)
    code = column("事業コード", "project__code", readonly=True)
    name = column("事業名", "project__name", readonly=True)
    home = column("掲載", readonly=True)
    planned = column("予定事業", "project__is_planned", BooleanWidget(), readonly=True)
    since = column("開始年度", "project__since_year", FiscalYearWidget(), readonly=True)

    class Meta(ExchangeResource.Meta):
        model = Placement
        fields = ("item", "item_title", "code", "name", "home", "planned", "since",)

    def __init__(self, *, plan=None, **kwargs):
        super().__init__(**kwargs)
        self.plan = plan

    def dehydrate_home(self, placement):
        return "主たる掲載" if placement.is_home else "再掲"

    def export_queryset(self):
        return (
            Placement.objects.filter(project__plan=self.plan)
            .select_related("project", "item")
            .order_by("item__sort_key", "position")
        )


class MasterPlanCodeResource(ExchangeResource):
    """第五次総合基本計画コード (施策コード), the list sheets pick from. Export only (kept in /admin/)."""

    importable = False
    title = "総合基本計画コード"
    code = column("施策コード", "code", readonly=True)
    name = column("施策名", "title", readonly=True)
    active = column("使用中", "is_active", BooleanWidget(), readonly=True)

    class Meta(ExchangeResource.Meta):
        model = MasterPlanCode
        fields = ("code", "name", "active",)

    def export_queryset(self):
        return MasterPlanCode.objects.order_by("code")



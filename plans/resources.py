"""Import/export of the plan: the 計画体系 list and the master-plan codes, export
only. A whole plan (fields, levels, tree) goes in and out as one file through
exchange.plan_files. The building blocks are core.resources'."""

from core.resources import BooleanWidget, ChoiceWidget, ExchangeResource, FiscalYearWidget, column
from core.resources import admin_export_action  # noqa: F401  (still imported by governance.admin)
from plans.models import MasterPlanCode, Placement, SecurityMeasureKind


# ─── The plan: export only ───────────────────────────────────────────────────

class PlacementResource(ExchangeResource):
    """The plan's projects, one row per item they are listed under (再掲 included).

    Export only (a whole plan goes in and out through exchange.plan_files). The
    item columns are named by the plan's last level (「情報化施策コード」,
    「情報化施策」) and years written in the plan's era.
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
    security = column("セキュリティ対策の種類", "project__security_kind", ChoiceWidget(SecurityMeasureKind),
                      readonly=True)

    class Meta(ExchangeResource.Meta):
        model = Placement
        fields = ("item", "item_title", "code", "name", "home", "planned", "since", "security",)

    def __init__(self, *, plan=None, **kwargs):
        super().__init__(**kwargs)
        self.plan = plan
        leaf = plan.leaf_level if plan is not None else None
        if leaf is not None:  # the fields are this instance's own copies
            self.fields["item"].column_name = f"{leaf.name}コード"
            self.fields["item_title"].column_name = leaf.name
            self.fields["since"].widget = FiscalYearWidget(plan.era)

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



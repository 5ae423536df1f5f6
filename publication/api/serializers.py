"""What the API shows of each record: explicit fields only. The public serializers show
exactly the public fields of publication.querysets (SHEET_FIELDS, INDICATOR_FIELDS,
REPORT_FIELDS, RESULT_FIELDS); the staff ones add what every signed-in user reads on the
staff pages (a report's state, the department's notes, the 検討会議's evaluation)."""

from rest_framework import serializers

from governance.models import AnnualReport, IndicatorResult, ReviewCycle
from plans.models import Placement, Plan, PlanItem, Project
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["code", "name", "short_name", "start_year", "end_year", "adopted_on", "is_current",
                  "in_preparation", "philosophy", "philosophy_subtitle", "philosophy_text"]


class ItemSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", help_text="計画のコード")
    level = serializers.CharField(source="level.name", help_text="階層名(目標、基本方針、情報化施策など)")
    parent_path = serializers.CharField(source="parent.path", allow_null=True, default=None,
                                        help_text="上位の項目の番号の並び(最上位は null)")
    reposted_from_path = serializers.CharField(source="reposted_from.path", allow_null=True, default=None,
                                               help_text="再掲元の項目の番号の並び(再掲でなければ null)")

    class Meta:
        model = PlanItem
        fields = ["id", "plan", "level", "path", "code", "title", "subtitle", "text", "parent_path",
                  "reposted_from_path"]


class PlacementSerializer(serializers.ModelSerializer):
    item_path = serializers.CharField(source="item.path", help_text="掲載項目の番号の並び")
    item_code = serializers.CharField(source="item.code", help_text="掲載項目のコード")
    is_repost = serializers.SerializerMethodField(help_text="再掲(主たる掲載でない)なら true")

    class Meta:
        model = Placement
        fields = ["item_path", "item_code", "is_home", "is_repost"]

    def get_is_repost(self, placement) -> bool:
        return not placement.is_home


class ScheduleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScheduleEntry
        fields = ["fiscal_year", "planned", "actual"]


class SheetSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.code", allow_null=True, default=None, help_text="担当課のコード")
    section_name = serializers.SerializerMethodField(help_text="担当部・課の名前")
    master_plan_code = serializers.CharField(source="master_plan_code.code", allow_null=True, default=None,
                                             help_text="総合基本計画の施策コード")
    schedule = ScheduleSerializer(many=True, help_text="年度ごとの計画と実績")

    class Meta:
        model = ProjectSheet
        fields = ["section", "section_name", "master_plan_code", "legal_basis", "policy_major", "policy_middle",
                  "start_year", "end_year", "target", "objective", "activities", "status", "schedule"]

    def get_section_name(self, sheet) -> str | None:
        return f"{sheet.section.department.name}{sheet.section.name}" if sheet.section_id else None


class ProjectSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", help_text="計画のコード")
    placements = PlacementSerializer(many=True, help_text="掲載項目(主たる掲載と再掲)")
    sheet = serializers.SerializerMethodField(help_text="情報化事業シート(公開側では完成したシートだけ。なければ null)")

    class Meta:
        model = Project
        fields = ["id", "plan", "code", "name", "is_planned", "since_year", "placements", "sheet"]

    def get_sheet(self, project) -> SheetSerializer(allow_null=True):
        sheet = getattr(project, "sheet", None)  # filtered out by the scope: no sheet
        return SheetSerializer(sheet).data if sheet is not None else None


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorTarget
        fields = ["fiscal_year", "value"]


class IndicatorSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="sheet.project.plan.code", help_text="計画のコード")
    project = serializers.CharField(source="sheet.project.code", help_text="事業コード")
    project_name = serializers.CharField(source="sheet.project.name", help_text="事業名")
    targets = TargetSerializer(many=True, help_text="年度ごとの目標値")

    class Meta:
        model = Indicator
        fields = ["id", "plan", "project", "project_name", "position", "kind", "name", "unit", "baseline_value",
                  "baseline_year", "direction", "achievement_method", "data_source", "is_qualitative", "targets"]


class CycleSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", help_text="計画のコード")
    label = serializers.CharField(source="__str__", help_text="表示名(例:平成28年度(2016年度) 年次進行管理)")

    class Meta:
        model = ReviewCycle
        fields = ["id", "plan", "kind", "fiscal_year", "label"]


class ResultSerializer(serializers.ModelSerializer):
    indicator_name = serializers.CharField(source="indicator.name", help_text="指標名")
    unit = serializers.CharField(source="indicator.unit", help_text="単位")

    class Meta:
        model = IndicatorResult
        fields = ["indicator", "indicator_name", "unit", "actual"]


class StaffResultSerializer(ResultSerializer):
    class Meta(ResultSerializer.Meta):
        fields = [*ResultSerializer.Meta.fields, "note", "override_met", "override_reason"]


class ReportSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="cycle.plan.code", help_text="計画のコード")
    fiscal_year = serializers.IntegerField(source="cycle.fiscal_year", help_text="対象年度(西暦)")
    cycle_kind = serializers.CharField(source="cycle.kind", help_text="進行管理の種類")
    project = serializers.CharField(source="sheet.project.code", help_text="事業コード")
    project_name = serializers.CharField(source="sheet.project.name", help_text="事業名")
    results = ResultSerializer(many=True, help_text="指標の実績値")

    class Meta:
        model = AnnualReport
        fields = ["id", "cycle", "plan", "fiscal_year", "cycle_kind", "project", "project_name",
                  "implementation_status", "progress", "direction", "decision", "results"]


class StaffReportSerializer(ReportSerializer):
    """A report as the staff pages show it to every signed-in user."""

    section = serializers.CharField(source="section.code", allow_null=True, default=None, help_text="担当課のコード")
    results = StaffResultSerializer(many=True, help_text="指標の実績値")

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "state", "section", "work_done", "problems", "evaluation",
                  "evaluation_comment", "decision_comment", "version", "updated_at"]

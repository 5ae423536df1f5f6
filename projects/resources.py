"""Import/export of the 情報化事業シート: one resource each for the sheet's basic
data, its indicators (with a target column per plan year) and its schedule.

Columns, scope, the row checks of the browser's forms and how a changed row
becomes the sheet's plain changes are declared here; the import (exchange.engine)
saves each changed sheet once through projects.services.save_sheets, with the
edit page's rules: only sheets the user may edit (ProjectSheet.objects.editable_by),
担当部署 only by 情報推進課, the 版 column checked, one version step and one history
entry per sheet.
"""

from accounts.models import Section
from core import fiscal
from plans.models import MasterPlanCode
from core.resources import (
    VERSION_COLUMN, BooleanWidget, ChoiceWidget, CodeWidget, ExchangeResource, FiscalYearWidget, NumberWidget,
    column,
)
from projects import permissions
from projects.forms import IndicatorForm, ScheduleForm, SheetForm, SheetOfficeForm
from projects.models import (
    AchievementMethod, ImprovementDirection, Indicator, IndicatorKind, ProjectSheet, ScheduleEntry, SheetStatus,
)
from projects.services import IndicatorChange, ScheduleChange, SheetChanges


class _SheetScoped(ExchangeResource):
    """Rows that belong to a sheet of the plan, keyed by 事業コード (and more); a
    changed row is saved with its sheet through projects.services.save_sheets."""

    record_kind = "sheet"

    def __init__(self, *, plan, **kwargs):
        super().__init__(**kwargs)
        self.plan = plan

    def record_of(self, instance):
        return instance.sheet

    def record_label(self, sheet):
        return sheet.project.code

    def import_queryset(self):
        editable = ProjectSheet.objects.editable_by(self.user).in_plan(self.plan)
        return self.export_queryset().filter(**{self.sheet_path + "pk__in": editable.values("pk")})


class SheetResource(_SheetScoped):
    """基本データ and 事業概要: one row per sheet."""

    title = "シート"
    key_columns = ("事業コード",)
    sheet_path = ""
    code = column("事業コード", "project__code", readonly=True)
    name = column("事業名", "project__name", readonly=True)
    section = column("担当部署", "section", CodeWidget(
        Section.objects.select_related("department"), key=str, names=lambda s: (s.code,), what="課"))
    master_plan_code = column("第五次総合基本計画コード", "master_plan_code", CodeWidget(
        MasterPlanCode.objects.all(), what="第五次総合基本計画コード"))
    legal_basis = column("実施根拠", "legal_basis")
    policy_major = column("政策項目(大項目)", "policy_major")
    policy_middle = column("政策項目(中項目)", "policy_middle")
    start_year = column("事業期間(開始年度)", "start_year", FiscalYearWidget())
    end_year = column("事業期間(終了年度)", "end_year", FiscalYearWidget())
    target = column("目的<対象者、対象物>", "target")
    objective = column("目的<目標>", "objective")
    activities = column("実施内容", "activities")
    status = column("状態", "status", ChoiceWidget(SheetStatus, blank=False))
    version = column(VERSION_COLUMN, "version", NumberWidget(), readonly=True)

    class Meta(ExchangeResource.Meta):
        model = ProjectSheet
        fields = ("code", "name", "section", "master_plan_code", "legal_basis", "policy_major", "policy_middle", "start_year", "end_year", "target", "objective", "activities", "status", "version",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        era = self.plan.era
        self.fields["start_year"].widget.era = self.fields["end_year"].widget.era = era
        # The column is named as the plan names its master plan's codes (第五次総合基本計画コード).
        self.fields["master_plan_code"].column_name = self.plan.master_plan_label
        self.fields["master_plan_code"].widget.what = self.plan.master_plan_label

    def choices(self):
        choices = super().choices()
        choices[self.plan.master_plan_label] = list(
            MasterPlanCode.objects.filter(is_active=True).values_list("code", flat=True))
        if permissions.can_assign_section(self.user):
            choices["担当部署"] = [str(s) for s in Section.objects.filter(is_active=True).select_related("department")]
        return choices

    def export_queryset(self):
        return ProjectSheet.objects.visible_to(self.user).in_plan(self.plan).with_basics().order_by("project__code")

    def instance_key(self, sheet):
        return (sheet.project.code,)

    def record_of(self, sheet):
        return sheet

    def row_errors(self, sheet, original):
        office = permissions.can_assign_section(self.user)
        if not office and sheet.section_id != original.section_id:
            return {"section": ["担当部署は情報推進課だけが変更できます。"]}
        form_class = SheetOfficeForm if office else SheetForm
        data = {
            name: "" if value is None else value for name, value in {
                "section": sheet.section_id, "master_plan_code": sheet.master_plan_code_id,
                "legal_basis": sheet.legal_basis, "policy_major": sheet.policy_major,
                "policy_middle": sheet.policy_middle, "start_year": sheet.start_year,
                "end_year": sheet.end_year, "target": sheet.target, "objective": sheet.objective,
                "activities": sheet.activities,
            }.items()
        }
        form = form_class(data, instance=original)
        return self.form_errors(form)

    def change_of(self, sheet, fields):
        return SheetChanges(fields={name: getattr(sheet, name) for name in fields})


class IndicatorResource(_SheetScoped):
    """活動指標・成果指標: one row per indicator, with a 目標値 column per plan year."""

    title = "指標"
    key_columns = ("事業コード", "指標番号")
    sheet_path = "sheet__"
    code = column("事業コード", "sheet__project__code", readonly=True)
    name_of_project = column("事業名", "sheet__project__name", readonly=True)
    position = column("指標番号", "position", NumberWidget(), readonly=True)
    kind = column("種類", "kind", ChoiceWidget(IndicatorKind, blank=False))
    name = column("指標名", "name")
    unit = column("単位", "unit")
    baseline_value = column("基準値", "baseline_value", NumberWidget())
    baseline_year = column("基準年度", "baseline_year", FiscalYearWidget())
    direction = column("改善の方向", "direction", ChoiceWidget(ImprovementDirection, blank=False))
    achievement_method = column("達成率の算定方法", "achievement_method",
                                ChoiceWidget(AchievementMethod, blank=False))
    data_source = column("数値の出典", "data_source")
    is_qualitative = column("定性的な指標", "is_qualitative", BooleanWidget())
    qualitative_reason = column("定量化できない理由", "qualitative_reason")

    class Meta(ExchangeResource.Meta):
        model = Indicator
        fields = ("code", "name_of_project", "position", "kind", "name", "unit", "baseline_value", "baseline_year", "direction", "achievement_method", "data_source", "is_qualitative", "qualitative_reason",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from import_export import fields

        self.fields["baseline_year"].widget.era = self.plan.era
        version = self.fields.pop("version", None)
        for year in self.plan.years:
            self.fields[f"target_{year}"] = fields.Field(
                attribute=f"target_{year}", column_name=f"{fiscal.fy_short(year, self.plan.era)}目標値",
                widget=NumberWidget())
        self.fields["version"] = version or column(VERSION_COLUMN, "sheet__version", NumberWidget(), readonly=True)

    def export_queryset(self):
        return (
            Indicator.objects.filter(sheet__in=ProjectSheet.objects.visible_to(self.user).in_plan(self.plan))
            .select_related("sheet__project").prefetch_related("targets")
            .order_by("sheet__project__code", "position", "pk")
        )

    def prepare(self, indicators):
        for indicator in indicators:
            self._load_targets(indicator)

    def _load_targets(self, indicator):
        have = {t.fiscal_year: t.value for t in indicator.targets.all()}
        for year in self.plan.years:
            setattr(indicator, f"target_{year}", have.get(year))

    def export_resource(self, instance, selected_fields=None, **kwargs):
        self._load_targets(instance)
        return super().export_resource(instance, selected_fields, **kwargs)

    def instance_key(self, indicator):
        return (indicator.sheet.project.code, str(indicator.position))

    def row_errors(self, indicator, original):
        data = {
            name: "" if (value := getattr(indicator, name)) is None else value
            for name in IndicatorForm.Meta.fields if name != "is_qualitative"
        }
        if indicator.is_qualitative:
            data["is_qualitative"] = "on"
        for year in self.plan.years:
            value = getattr(indicator, f"target_{year}")
            data[IndicatorForm.target_field(year)] = "" if value is None else value
        form = IndicatorForm(data, instance=original, years=self.plan.years, era=self.plan.era)
        errors = self.form_errors(form)
        return {
            (f"target_{name.removeprefix('target_')}" if name.startswith("target_") else name): messages
            for name, messages in errors.items()
        }

    def change_of(self, indicator, fields):
        return SheetChanges(indicators=[IndicatorChange(
            id=indicator.pk, fields={name: getattr(indicator, name) for name in fields},
            targets={year: getattr(indicator, f"target_{year}") for year in self.plan.years})])


class ScheduleResource(_SheetScoped):
    """スケジュール: one row per sheet and plan year, 予定 and 実績."""

    title = "スケジュール"
    key_columns = ("事業コード", "年度")
    sheet_path = "sheet__"
    code = column("事業コード", "sheet__project__code", readonly=True)
    name = column("事業名", "sheet__project__name", readonly=True)
    fiscal_year = column("年度", "fiscal_year", FiscalYearWidget(), readonly=True)
    planned = column("予定", "planned")
    actual = column("実績", "actual")
    version = column(VERSION_COLUMN, "sheet__version", NumberWidget(), readonly=True)

    class Meta(ExchangeResource.Meta):
        model = ScheduleEntry
        fields = ("code", "name", "fiscal_year", "planned", "actual", "version",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["fiscal_year"].widget.era = self.plan.era

    def export_queryset(self):
        return (
            ScheduleEntry.objects.filter(sheet__in=ProjectSheet.objects.visible_to(self.user).in_plan(self.plan))
            .select_related("sheet__project").order_by("sheet__project__code", "fiscal_year")
        )

    def instance_key(self, entry):
        return (entry.sheet.project.code, str(entry.fiscal_year))

    def row_key(self, row):
        code, year = super().row_key(row)
        return (code, str(fiscal.parse_fiscal_year(year)) if year else "")

    def row_errors(self, entry, original):
        form = ScheduleForm({"planned": entry.planned, "actual": entry.actual}, instance=original)
        return self.form_errors(form)

    def change_of(self, entry, fields):
        return SheetChanges(schedule=[ScheduleChange(entry.fiscal_year, {name: getattr(entry, name) for name in fields})])

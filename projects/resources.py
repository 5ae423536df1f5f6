"""Import/export of the 情報化事業シート: one resource each for the sheet's basic
data, its indicators (with a target column per plan year) and its schedule.

Imports follow the browser's edit page exactly: only sheets the user may edit
(ProjectSheet.objects.editable_by), the same forms' validation, 担当部署 only by
情報推進課, and one version bump and one history revision per changed sheet
(the 版 column must still be the sheet's version: a stale upload is refused).
Changed rows are written in batches (plans.resources.ExchangeResource.write):
per batch one version bump of its sheets, and history rows stamped with the
run's revision, as projects.services.save_sheet writes them.
"""

from types import SimpleNamespace

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone

from accounts.models import Section
from core import fiscal
from plans.models import MasterPlanCode
from plans.resources import (
    VERSION_COLUMN, BooleanWidget, ChoiceWidget, CodeWidget, ExchangeResource, FiscalYearWidget, ImportStale,
    NumberWidget, bulk_history, bump_versions, column, file_version,
)
from projects import permissions
from projects.forms import IndicatorForm, ScheduleForm, SheetForm, SheetOfficeForm
from projects.models import (
    Direction, Indicator, IndicatorKind, ProjectSheet, ScheduleEntry, SheetStatus,
)
from projects.revisions import stamp_revision
from projects.services import _save_targets, missing_items


def revision_attrs() -> dict:
    """The revision fields a history row of this run gets (what the
    pre_create_historical_record receiver stamps on a browser save)."""
    probe = SimpleNamespace()
    stamp_revision(sender=None, history_instance=probe)
    return {"revision": probe.revision}


class SheetImportContext:
    """What one import run shares between the sheet resources: the versions the
    sheets had when the run began, which sheets it has bumped, and the user."""

    def __init__(self, *, user, plan):
        self.user, self.plan = user, plan
        self.start_versions = dict(
            ProjectSheet.objects.in_plan(plan).values_list("pk", "version")
        )
        self.bumped: dict[int, int] = {}

    def check_version(self, sheet_id, row):
        """Errors for a changed row whose 版 is not the sheet's version at the start."""
        seen = file_version(row)
        if seen is None:
            return {NON_FIELD_ERRORS: ["「版」の列が読めません。テンプレートの「版」の列は変更しないでください。"]}
        current = self.start_versions.get(sheet_id)
        if seen != current:
            return {NON_FIELD_ERRORS: [
                f"このシートは、ファイルを取り出した後に更新されています(取り出した時の版 {seen}、"
                f"現在の版 {current})。この行は取り込めません。最新のファイルを取り出して入力し直してください。"
            ]}
        return {}

    def bump(self, sheets, *, history=True) -> None:
        """Raise each sheet's version once per run, in one UPDATE that also checks
        that none changed since the run began, and record who updated it; with
        `history`, write each sheet's history row (one per sheet, like every
        browser save; the in-memory sheets are as loaded)."""
        todo = {s.pk: s for s in sheets if s.pk not in self.bumped}
        if not todo:
            return
        now = timezone.now()
        starts = {pk: self.start_versions[pk] for pk in todo}
        if not bump_versions(ProjectSheet, starts, updated_at=now, updated_by=self.user):
            raise ImportStale("取り込みの途中で他の利用者がシートを更新しました。もう一度取り込んでください。")
        for pk, sheet in todo.items():
            self.bumped[pk] = sheet.version = starts[pk] + 1
            sheet.updated_at, sheet.updated_by = now, self.user
        if history:
            bulk_history(list(todo.values()), user=self.user, attrs=revision_attrs())

    def incomplete(self) -> dict[int, list[str]]:
        """Bumped sheets marked 完成 that would lack something after this run."""
        sheets = ProjectSheet.objects.with_details().filter(pk__in=self.bumped, status=SheetStatus.COMPLETE)
        return {s.pk: missing for s in sheets if (missing := missing_items(s))}


class _SheetScoped(ExchangeResource):
    """Rows that belong to a sheet of the plan, keyed by 事業コード (and more)."""

    def __init__(self, *, plan, **kwargs):
        super().__init__(**kwargs)
        self.plan = plan

    def sheet_of(self, instance):
        return instance.sheet

    def base(self, model):
        return model.objects.filter(**{self.sheet_path + "project__plan": self.plan})

    def import_queryset(self):
        editable = ProjectSheet.objects.editable_by(self.user).in_plan(self.plan)
        return self.export_queryset().filter(**{self.sheet_path + "pk__in": editable.values("pk")})

    def row_errors(self, instance):
        sheet = self.sheet_of(instance)
        errors = self.context.check_version(sheet.pk, self._row)
        return errors or self.form_check(instance)

    def before_import_row(self, row, **kwargs):
        self._row = row

    def form_check(self, instance):
        return {}

    def write(self, instances):
        self.context.bump([self.sheet_of(instance) for instance in instances])
        self.write_rows(instances, attrs=revision_attrs())


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

    def choices(self):
        choices = super().choices()
        choices["第五次総合基本計画コード"] = list(
            MasterPlanCode.objects.filter(is_active=True).values_list("code", flat=True))
        if permissions.can_assign_section(self.user):
            choices["担当部署"] = [str(s) for s in Section.objects.filter(is_active=True).select_related("department")]
        return choices

    def export_queryset(self):
        return ProjectSheet.objects.visible_to(self.user).in_plan(self.plan).with_basics().order_by("project__code")

    def instance_key(self, sheet):
        return (sheet.project.code,)

    def sheet_of(self, sheet):
        return sheet

    def form_check(self, sheet):
        original = self._original
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
        form = form_class(data, instance=original, complete=sheet.status == SheetStatus.COMPLETE)
        return self.form_errors(form)

    def write(self, sheets):
        self.context.bump(sheets, history=False)
        for sheet in sheets:
            sheet.updated_by = self.user
        self.write_rows(sheets, also=["version", "updated_by"], attrs=revision_attrs())


class TargetField:
    """Marker: a column holding an indicator's target for one fiscal year."""


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
    direction = column("改善の方向", "direction", ChoiceWidget(Direction, blank=False))
    data_source = column("数値の出典", "data_source")
    is_qualitative = column("定性的な指標", "is_qualitative", BooleanWidget())
    qualitative_reason = column("定量化できない理由", "qualitative_reason")

    class Meta(ExchangeResource.Meta):
        model = Indicator
        fields = ("code", "name_of_project", "position", "kind", "name", "unit", "baseline_value", "baseline_year", "direction", "data_source", "is_qualitative", "qualitative_reason",)

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

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        for indicator in self._index.values():
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

    def form_check(self, indicator):
        original = self._original
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

    def write(self, indicators):
        super().write(indicators)
        # The targets as the sheet's save writes them (a few rows per changed indicator).
        for indicator in indicators:
            _save_targets(indicator, {year: getattr(indicator, f"target_{year}") for year in self.plan.years})


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

    def form_check(self, entry):
        original = self._original
        form = ScheduleForm({"planned": entry.planned, "actual": entry.actual}, instance=original)
        return self.form_errors(form)

"""Import/export of the yearly results: 実績報告 and 指標の実績 of a cycle, and
the summary tables (表4-2〜4-4) as a dataset.

Imports follow the report's edit page exactly: only reports the user may edit
now (governance.permissions.can_edit_report: the owning section, 作成中 or
差戻し中), the same forms' validation, the 版 column checked (a stale upload is
refused), and each changed report saved once, through the edit page's write
service (governance.cycles.services.save_reports, in batches, by exchange.engine).
"""

import tablib
from accounts.permissions import is_ict_office
from core import fiscal
from governance.achievement import of_indicator
from governance.cycles.forms import ReportForm, ResultForm
from governance.cycles.services import CLOSED_MESSAGE, ReportChanges
from governance.models import AnnualReport, CycleKind, CycleStatus, IndicatorResult, ReportState, ReviewCycle
from governance.permissions import can_edit_report
from governance.cycles.tables import summary_tables
from projects.models import AchievementMethod
from governance.vocab import Decision, Direction, Evaluation, ImplementationStatus, Progress
from core.resources import VERSION_COLUMN, ChoiceWidget, ExchangeResource, FiscalYearWidget, NumberWidget, column


class _CycleScoped(ExchangeResource):
    """Rows of reports, keyed by cycle (対象年度 and 種類) and 事業コード; imports
    match reports of open cycles only (of `plan`, when given: the plan chosen on the
    data page, so that one plan's rows never land in another's cycle of the same year).
    A changed row is saved with its report."""

    record_kind = "report"

    def __init__(self, *, cycle=None, plan=None, **kwargs):
        super().__init__(**kwargs)
        self.cycle, self.plan = cycle, plan
        if self.cycle is not None:
            self.fields["fiscal_year"].widget.era = self.cycle.plan.era

    def reports(self):
        reports = AnnualReport.objects.visible_to(self.user)
        if self.cycle is not None:
            return reports.filter(cycle=self.cycle)
        if self.plan is not None:
            reports = reports.filter(cycle__plan=self.plan)
        return reports.filter(cycle__status=CycleStatus.OPEN)

    def import_queryset(self):
        # 情報推進課's rows are matched everywhere (so that its exports read back),
        # but can_edit_report refuses every change, as on the report's page.
        if is_ict_office(self.user):
            return self.export_queryset()
        if not self.user.section_id:
            return self.export_queryset().none()
        return self.export_queryset().filter(**{self.report_path + "section_id": self.user.section_id})

    def refused_message(self, label):
        return f"{label} は他の課の実績報告です。この行は取り込めません。"

    def unknown_message(self, key):
        # Reports of closed (確定) cycles are outside the import's scope: say why.
        if closed := self.closed_cycles().get(tuple(key[:2])):
            return f"{' / '.join(str(k) for k in key)}:{CLOSED_MESSAGE.format(cycle=closed)}この行は取り込めません。"
        return super().unknown_message(key)

    def closed_cycles(self) -> dict:
        """{(year, kind): cycle} of the plan's closed cycles (read once per import)."""
        if getattr(self, "_closed", None) is None:
            cycles = ReviewCycle.objects.filter(status=CycleStatus.CLOSED).select_related("plan")
            if self.plan is not None:
                cycles = cycles.filter(plan=self.plan)
            self._closed = {(str(c.fiscal_year), c.kind): c for c in cycles}
        return self._closed

    def row_key(self, row):
        year, kind, *rest = super().row_key(row)
        year = str(fiscal.parse_fiscal_year(year)) if year else ""
        kind = next((value for value, label in CycleKind.choices if kind in (value, label)), kind)
        return (year, kind, *rest)

    def record_label(self, report):
        return report.sheet.project.code

    def row_refusal(self, report):
        if not can_edit_report(self.user, report):
            return (f"この実績報告は「{report.get_state_display()}」のため変更できません"
                    "(変更できるのは担当課が作成中・差戻し中の報告だけです)。")
        return None


class ReportResource(_CycleScoped):
    """実績報告: one row per project of the cycle."""

    title = "実績報告"
    key_columns = ("対象年度", "種類", "事業コード")
    report_path = ""
    fiscal_year = column("対象年度", "cycle__fiscal_year", FiscalYearWidget(), readonly=True)
    kind = column("種類", "cycle__kind", ChoiceWidget(CycleKind), readonly=True)
    code = column("事業コード", "sheet__project__code", readonly=True)
    name = column("事業名", "sheet__project__name", readonly=True)
    section = column("担当部署", "section", readonly=True)
    state = column("状態", "state", ChoiceWidget(ReportState), readonly=True)
    implementation_status = column("実施状況", "implementation_status", ChoiceWidget(ImplementationStatus))
    progress = column("進捗度", "progress", ChoiceWidget(Progress))
    work_done = column("実施した内容", "work_done")
    problems = column("課題・問題点", "problems")
    direction = column("今後の方向性", "direction", ChoiceWidget(Direction))
    evaluation = column("検討会議の評価", "evaluation", ChoiceWidget(Evaluation), readonly=True)
    evaluation_comment = column("評価の意見", "evaluation_comment", readonly=True)
    decision = column("戦略本部の判断", "decision", ChoiceWidget(Decision), readonly=True)
    decision_comment = column("判断の理由・指示", "decision_comment", readonly=True)
    version = column(VERSION_COLUMN, "version", NumberWidget(), readonly=True)

    class Meta(ExchangeResource.Meta):
        model = AnnualReport
        fields = ("fiscal_year", "kind", "code", "name", "section", "state", "implementation_status", "progress", "work_done", "problems", "direction", "evaluation", "evaluation_comment", "decision", "decision_comment", "version",)

    def export_queryset(self):
        return self.reports().select_related(
            "cycle__plan", "sheet__project", "section__department").order_by(
            "cycle__fiscal_year", "cycle__kind", "sheet__project__code")

    def instance_key(self, report):
        return (str(report.cycle.fiscal_year), report.cycle.kind, report.sheet.project.code)

    def record_of(self, report):
        return report

    def row_errors(self, report, original):
        form = ReportForm({name: getattr(report, name) for name in ReportForm.Meta.fields},
                          instance=original, prefix=None)
        return self.form_errors(form)

    def change_of(self, report, fields):
        return ReportChanges(fields={name: getattr(report, name) for name in fields})


class ResultResource(_CycleScoped):
    """指標の実績: one row per indicator of each report, with the year's target beside it."""

    title = "指標の実績"
    key_columns = ("対象年度", "種類", "事業コード", "指標番号")
    report_path = "report__"
    fiscal_year = column("対象年度", "report__cycle__fiscal_year", FiscalYearWidget(), readonly=True)
    kind = column("種類", "report__cycle__kind", ChoiceWidget(CycleKind), readonly=True)
    code = column("事業コード", "report__sheet__project__code", readonly=True)
    name = column("事業名", "report__sheet__project__name", readonly=True)
    position = column("指標番号", "indicator__position", NumberWidget(), readonly=True)
    indicator = column("指標名", "indicator__name", readonly=True)
    unit = column("単位", "indicator__unit", readonly=True)
    target = column("目標値", "target", NumberWidget(), readonly=True)
    actual = column("実績値", "actual", NumberWidget())
    rate = column("達成率", "rate", readonly=True)
    rating = column("達成判定", "rating", readonly=True)
    method = column("達成率の算定方法", "indicator__achievement_method", ChoiceWidget(AchievementMethod), readonly=True)
    note = column("補足", "note")
    version = column(VERSION_COLUMN, "report__version", NumberWidget(), readonly=True)

    class Meta(ExchangeResource.Meta):
        model = IndicatorResult
        fields = ("fiscal_year", "kind", "code", "name", "position", "indicator", "unit", "target", "actual",
                  "rate", "rating", "method", "note", "version",)

    def export_queryset(self):
        return (
            IndicatorResult.objects.filter(report__in=self.reports())
            .select_related("report__cycle__plan", "report__sheet__project", "indicator")
            .prefetch_related("indicator__targets")
            .order_by("report__cycle__fiscal_year", "report__cycle__kind",
                      "report__sheet__project__code", "indicator__position", "pk")
        )

    def import_queryset(self):
        # The import matches and validates rows without the targets and the plan (export only).
        return (super().import_queryset().prefetch_related(None).select_related(None)
                .select_related("report__cycle", "report__sheet__project", "indicator"))

    @staticmethod
    def _target(result):
        year = result.report.cycle.result_year
        return next((t.value for t in result.indicator.targets.all() if t.fiscal_year == year), None)

    def dehydrate_target(self, result):
        return self.fields["target"].widget.render(self._target(result))

    def dehydrate_rate(self, result):
        """「95.0%」「△18.0%」 or why there is none, as on the report page."""
        return of_indicator(result.indicator, result.actual, self._target(result)).text

    def dehydrate_rating(self, result):
        """達成 or 未達成, and 情報推進課's reason when it changed the rate's word."""
        if result.override_met is not None:
            return f"{'達成' if result.override_met else '未達成'}(情報推進課が変更:{result.override_reason})"
        met = of_indicator(result.indicator, result.actual, self._target(result)).met
        return "" if met is None else "達成" if met else "未達成"

    def instance_key(self, result):
        cycle = result.report.cycle
        return (str(cycle.fiscal_year), cycle.kind, result.report.sheet.project.code,
                str(result.indicator.position))

    def record_of(self, result):
        return result.report

    def row_errors(self, result, original):
        data = {"actual": "" if result.actual is None else result.actual, "note": result.note}
        return self.form_errors(ResultForm(data, instance=original))

    def change_of(self, result, fields):
        return ReportChanges(results={result.indicator_id: {name: getattr(result, name) for name in fields}})


def summary_dataset(cycle) -> tablib.Dataset:
    """The summary tables (表4-2〜4-4) as one sheet: table, group, item, count, share."""
    data = tablib.Dataset(headers=["表", "区分", "項目", "件数", "割合(%)"])
    for summary in summary_tables(cycle):
        for group, rows in summary.groups:
            for row in rows:
                data.append([summary.title, group, row.label, row.count, row.share])
    data.title = "集計表"
    return data

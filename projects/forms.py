"""Input of the sheet: the 基本データ/事業概要 form, indicators with yearly targets,
and the yearly schedule. Forms only validate; projects.services saves."""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.functional import cached_property

from core import fiscal
from core.forms import FiscalYearField
from plans.models import MasterPlanCode
from projects.models import AchievementMethod, Indicator, ProjectSheet, ScheduleEntry, SheetStatus
from projects.services import IndicatorChange, ScheduleChange, SheetChanges

COMPLETE_MESSAGE = "完成として保存するには入力が必要です。"


class RememberInitialMixin:
    """Post each field's initial value along, so that after a refused stale save we
    know which fields this user changed (projects.merge). A new row (the blank
    indicator) needs none: its initial values are the blank form's, known here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.remembers_initial = not self.instance._state.adding
        for field in self.fields.values():
            field.show_hidden_initial = self.remembers_initial


class SheetForm(RememberInitialMixin, forms.ModelForm):
    """What department staff may set. 事業コード, 事業名 and 担当部署 are not among them."""

    start_year = FiscalYearField(label="事業期間(開始年度)", required=False, min_year=1989)
    end_year = FiscalYearField(
        label="事業期間(終了年度)", required=False, help_text="空欄は終了年度を定めない事業です。"
    )

    class Meta:
        model = ProjectSheet
        fields = [
            "master_plan_code", "legal_basis", "policy_major", "policy_middle",
            "start_year", "end_year", "target", "objective", "activities",
        ]
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "target": forms.Textarea(attrs={"rows": 3}),
            "objective": forms.Textarea(attrs={"rows": 3}),
            "activities": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["master_plan_code"].queryset = MasterPlanCode.objects.filter(is_active=True)
        self.fields["master_plan_code"].empty_label = "(選択してください)"
        plan = self.instance.project.plan
        self.fields["master_plan_code"].label = plan.master_plan_label
        self.fields["start_year"].max_year = plan.end_year
        self.fields["end_year"].min_year = plan.start_year

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", "終了年度は開始年度以降にしてください。")
        return data


class SheetOfficeForm(SheetForm):
    """情報推進課 also assigns the 担当部署."""

    class Meta(SheetForm.Meta):
        fields = ["section", *SheetForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = self.fields["section"].queryset.filter(
            is_active=True
        ).select_related("department")
        self.fields["section"].empty_label = "(未定)"


class TargetValueField(forms.DecimalField):
    """A target as typed: a text box (type=number would make the browser send nothing
    for 「十二」, and an empty box removes the year's target), full-width digits and
    「1,200」 read as numbers, anything else refused with a message."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 8})
    default_error_messages = {
        "invalid": "数値を入力してください。",
        "min_value": "目標値は0以上の数値を入力してください。",
    }

    def __init__(self, **kwargs):
        # Also a model DecimalField's form field (Meta.field_classes), which passes its own
        # digits and required.
        super().__init__(**{"required": False, "min_value": Decimal(0), "max_digits": 14, "decimal_places": 2,
                            **kwargs})

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        return super().to_python(value)

    def prepare_value(self, value):
        # Shown as entered: 「7」, not the stored 「7.00」.
        if isinstance(value, Decimal):
            return f"{value.normalize():f}"
        return value


class IndicatorForm(RememberInitialMixin, forms.ModelForm):
    """One indicator, with a target field for each fiscal year of the plan."""

    class Meta:
        model = Indicator
        fields = [
            "kind", "name", "unit", "baseline_value", "baseline_year", "direction", "achievement_method",
            "data_source", "is_qualitative", "qualitative_reason",
        ]
        widgets = {"qualitative_reason": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "kind": "活動指標は事業の活動の量(研修の回数など)、成果指標は活動の結果として生じた変化(満足度など)です。",
            "direction": "数値が大きいほど良いか、小さいほど良いか。達成率の計算に使います。",
            "achievement_method": "目標値に対する割合は 実績値÷目標値(下向きは 目標値÷実績値)、"
                                  "基準値からの進捗は (実績値−基準値)÷(目標値−基準値)。基準値を下回ると「△」で示します。",
            "data_source": "実績値をどこから取るか(例:業務システムの集計、アンケート)。",
            "is_qualitative": "数値で測れない成果指標のときだけ。実績は実績報告の補足欄に文章で書きます。",
        }

    baseline_year = FiscalYearField(label="基準年度", required=False, min_year=1989,
                                    help_text="基準値を測った年度。例:令和元年度、2019")

    def __init__(self, *args, years=(), era=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = list(years)
        current = {}
        if self.instance.pk:
            # Shown as entered: 「1200」, not 「1200.00」.
            current = {t.fiscal_year: f"{t.value.normalize():f}" for t in self.instance.targets.all()}
        for year in self.years:
            self.fields[self.target_field(year)] = TargetValueField(
                label=f"{fiscal.fy_short(year, era)}の目標値",
                initial=current.get(year),
                show_hidden_initial=self.remembers_initial,
            )

    @staticmethod
    def target_field(year):
        return f"target_{year}"

    def targets(self):
        """{year: value or None} as entered."""
        return {year: self.cleaned_data.get(self.target_field(year)) for year in self.years}

    def clean(self):
        data = super().clean()
        if data.get("is_qualitative") and not data.get("qualitative_reason"):
            self.add_error("qualitative_reason", "定性的な指標には、数値で測れない理由を記入してください。")
        if data.get("kind") == "output" and data.get("is_qualitative"):
            self.add_error("is_qualitative", "定性的な指標にできるのは成果指標だけです。")
        if (data.get("achievement_method") == AchievementMethod.PROGRESS and not data.get("is_qualitative")
                and data.get("baseline_value") is None):
            self.add_error("baseline_value", "達成率を「基準値からの進捗」で算定するには、基準値を入力してください。")
        return data


class LoadedRowField(forms.ModelChoiceField):
    """The hidden id of a row of a LoadedRowsFormSet: found among the rows the formset
    loaded, so a posted id of any other row (another sheet's) is refused."""

    def __init__(self, formset, **kwargs):
        super().__init__(**kwargs)
        self.formset = formset

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.formset.rows_by_pk[int(value)]
        except (KeyError, TypeError, ValueError):
            raise forms.ValidationError(
                "この行が見つかりません(ほかの利用者が削除したか、このシートの行ではありません)。"
                "編集画面を開き直してください。", code="invalid_choice"
            )


class LoadedRowsFormSet(BaseInlineFormSet):
    """An inline formset that checks each posted row's id against the rows it loaded (one
    query), where Django's id field looks every row up again (a query per row)."""

    @cached_property
    def rows_by_pk(self):
        return {row.pk: row for row in self.get_queryset()}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self._pk_field.name
        django_field = form.fields[name]
        form.fields[name] = LoadedRowField(
            self, queryset=django_field.queryset, initial=django_field.initial, required=False,
            widget=django_field.widget,
        )


class IndicatorRowsFormSet(LoadedRowsFormSet):
    def clean(self):
        super().clean()
        # A result reported against an indicator (its 実績値 or 補足) is a record of that
        # year's 実績報告: the indicator stays while it has one. (A deleted form's own errors
        # would be ignored, so this is the formset's error.)
        kept = [form.instance.name for form in self.deleted_forms
                if form.instance.pk and form.instance.results.exclude(actual=None, note="").exists()]
        if kept:
            raise forms.ValidationError(
                [f"指標「{name}」には実績報告の実績値が記録されているため削除できません。" for name in kept]
                + ["使わなくなった指標は、名前や目標値を改めて残してください。"], code="has_results")


IndicatorFormSet = inlineformset_factory(
    ProjectSheet, Indicator, form=IndicatorForm, formset=IndicatorRowsFormSet,
    # The blank new row has nothing to delete: no 削除 box there.
    extra=1, can_delete=True, can_delete_extra=False, max_num=20, validate_max=True,
)


class ScheduleForm(RememberInitialMixin, forms.ModelForm):
    class Meta:
        model = ScheduleEntry
        fields = ["planned", "actual"]
        widgets = {
            "planned": forms.Textarea(attrs={"rows": 3}),
            "actual": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_actual(self):
        actual = self.cleaned_data.get("actual", "")
        year = self.instance.fiscal_year
        if actual and year >= fiscal.current_fiscal_year():
            raise forms.ValidationError(
                f"{fiscal.fy_era(year)}の実績は年度が終わってから入力してください。"
            )
        return actual


ScheduleFormSet = inlineformset_factory(
    ProjectSheet, ScheduleEntry, form=ScheduleForm, formset=LoadedRowsFormSet,
    extra=0, can_delete=False, max_num=10,
)


@dataclass
class SheetEdit:
    """The forms of one edit of a sheet, and the changes they ask for once valid."""

    sheet_form: SheetForm
    indicator_formset: BaseInlineFormSet
    schedule_formset: BaseInlineFormSet

    def is_valid(self) -> bool:
        return all([self.sheet_form.is_valid(), self.indicator_formset.is_valid(),
                    self.schedule_formset.is_valid()])

    def tampering(self) -> str | None:
        """Why the post cannot come from the form as served (a garbled row count, a row
        id of another sheet or one deleted since), or None: said once, at the top, not
        as Django's ManagementForm text or an error far down the form."""
        formsets = (self.indicator_formset, self.schedule_formset)
        for formset in formsets:
            management = formset.management_form
            if not management.is_valid() or not (
                    0 <= management.cleaned_data["INITIAL_FORMS"] <= management.cleaned_data["TOTAL_FORMS"]):
                return "送信された内容が正しくありません(行の数が読めません)。"
        schedule = self.schedule_formset.management_form.cleaned_data
        if schedule["TOTAL_FORMS"] != schedule["INITIAL_FORMS"]:  # one row per plan year, never added here
            return "送信された内容が正しくありません(スケジュールの行の数が違います)。"
        for formset in formsets:
            pk = formset.model._meta.pk.name
            if any(form.has_error(pk, "invalid_choice") for form in formset.forms):
                return "この行が見つかりません(ほかの利用者が削除したか、このシートの行ではありません)。"
        return None

    def changes(self, *, complete: bool, valid_only: bool = False) -> SheetChanges:
        """Plain data for projects.services.save_sheet (call after is_valid). With
        `valid_only`, the input that passed validation, leaving out the fields and rows
        that did not (they keep what is stored): for listing what a 完成 would still lack."""
        indicators = []
        for form in self.indicator_formset.forms:
            pk = form.instance.pk
            if valid_only and form.errors:
                continue
            if form in self.indicator_formset.deleted_forms:
                if pk:
                    indicators.append(IndicatorChange(id=pk, delete=True))
                continue
            if not pk and not form.has_changed():
                continue  # the blank new row
            fields = {name: form.cleaned_data[name] for name in IndicatorForm.Meta.fields}
            indicators.append(IndicatorChange(id=pk, fields=fields, targets=form.targets()))
        schedule = [
            ScheduleChange(form.instance.fiscal_year, {name: form.cleaned_data[name] for name in ScheduleForm.Meta.fields})
            for form in self.schedule_formset.forms if not (valid_only and form.errors)
        ]
        fields = {name: self.sheet_form.cleaned_data[name] for name in self.sheet_form.Meta.fields
                  if name in self.sheet_form.cleaned_data}
        return SheetChanges(fields=fields, status=SheetStatus.COMPLETE if complete else SheetStatus.DRAFT,
                            indicators=indicators, schedule=schedule, renumber=not valid_only)

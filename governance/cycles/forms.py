"""Input of the cycle: opening, the department's report, returns and comments."""

from django import forms
from django.core.exceptions import SuspiciousOperation
from django.forms import BaseInlineFormSet, inlineformset_factory

from core.forms import FiscalYearField
from governance.models import AnnualReport, CycleKind, IndicatorResult
from governance.vocab import Decision, Evaluation
from projects.forms import TargetValueField


class CycleForm(forms.Form):
    kind = forms.ChoiceField(label="種類", choices=CycleKind.choices, initial=CycleKind.ANNUAL)
    fiscal_year = FiscalYearField(
        label="対象年度", help_text="実績を報告する年度。例:平成28年度、2016",
        widget=forms.TextInput(attrs={"placeholder": "例:平成28年度 / 2016", "size": 16}),
    )
    deadline = forms.DateField(label="提出期限", widget=forms.DateInput(attrs={"type": "date"}))


class ReportForm(forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = ["implementation_status", "progress", "work_done", "problems", "direction"]
        widgets = {
            "work_done": forms.Textarea(attrs={"rows": 5}),
            "problems": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("implementation_status", "progress", "direction"):
            self.fields[name].choices = [("", "(選択してください)"), *self.fields[name].choices[1:]]


class ResultForm(forms.ModelForm):
    class Meta:
        model = IndicatorResult
        fields = ["actual", "note"]
        # A text box that shows 「7」 for 7.00 and reads 「７」「1,200」 as numbers, as on the sheet.
        field_classes = {"actual": TargetValueField}
        error_messages = {"actual": {"min_value": "実績値は0以上の数値を入力してください。"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        indicator = self.instance.indicator
        self.fields["actual"].label = f"{indicator.name}の実績値" + (f"({indicator.unit})" if indicator.unit else "")
        self.fields["note"].label = f"{indicator.name}の補足"


class TamperedForm(SuspiciousOperation):
    """Posted data our pages never send (an id of another report's row, a version that
    is not a number): refused as a whole. Left uncaught it is still a 400, not a 500."""


class SeenVersionForm(forms.Form):
    """The version of the report the form was opened on (a hidden field)."""

    seen_version = forms.IntegerField(min_value=0, max_value=2**31 - 1)


class ResultRowsFormSet(BaseInlineFormSet):
    """The report's results, and a new row for each indicator the sheet gained after the
    cycle opened (`missing`), saved once it is filled in."""

    def __init__(self, *args, missing=(), **kwargs):
        self.missing = list(missing)
        self._posted_ids = set()
        super().__init__(*args, **kwargs)
        self.extra = len(self.missing)

    def total_form_count(self):
        # Never more new rows than missing indicators, whatever the posted count says.
        return min(super().total_form_count(), self.initial_form_count() + len(self.missing))

    def _construct_form(self, i, **kwargs):
        if self.is_bound:
            self._check_posted_id(i)
        offset = i - self.initial_form_count()
        if offset >= 0:
            kwargs["instance"] = IndicatorResult(report=self.instance, indicator=self.missing[offset])
        return super()._construct_form(i, **kwargs)


    def _check_posted_id(self, i):
        """A row the report has must post one of the report's own ids, each once; a new
        row none. (Django would otherwise build a form without its indicator, or save
        an existing row's values as the new indicator's result.)"""
        posted = self.data.get(f"{self.add_prefix(i)}-{self.model._meta.pk.name}", "")
        if i >= self.initial_form_count():
            if posted:
                raise TamperedForm(f"row {i}: an id for a new result")
            return
        try:
            pk = int(posted)
        except (TypeError, ValueError):
            raise TamperedForm(f"row {i}: id {posted!r} is not a number") from None
        if pk in self._posted_ids or self._existing_object(pk) is None:
            raise TamperedForm(f"row {i}: id {pk} is not one of the report's results")
        self._posted_ids.add(pk)


ResultFormSet = inlineformset_factory(
    AnnualReport, IndicatorResult, form=ResultForm, formset=ResultRowsFormSet, extra=0, can_delete=False,
)


def report_changes(form, formset):
    """The valid forms' input as plain data for governance.cycles.services.save_report."""
    from governance.cycles.services import ReportChanges

    return ReportChanges(
        fields=dict(form.cleaned_data),
        results={row.instance.indicator_id: {name: row.cleaned_data[name] for name in ResultForm.Meta.fields}
                 for row in formset.forms if row.has_changed()},
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(label="差戻しの理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


RATINGS = {"": None, "met": True, "unmet": False}  # OverrideForm's choice → IndicatorResult.override_met


class OverrideForm(forms.Form):
    """情報推進課's 達成判定 of one indicator's result (governance.cycles.services.override_rating)."""

    met = forms.ChoiceField(label="達成判定", required=False,
                            choices=[("", "達成率のとおり"), ("met", "達成"), ("unmet", "未達成")])
    reason = forms.CharField(label="変更の理由", required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean_met(self):
        return RATINGS[self.cleaned_data["met"]]


class CommentForm(forms.Form):
    comment = forms.CharField(label="コメント", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=4000)


class ReasonForm(forms.Form):
    """The reason a correction or a reopening needs."""

    reason = forms.CharField(label="訂正の理由", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "理由を記入してください。"})


class EvaluationCorrectionForm(ReasonForm):
    evaluation = forms.ChoiceField(label="評価", choices=[("", "(選択してください)"), *Evaluation.choices],
                                   error_messages={"required": "評価(A・B・C)を選んでください。"})
    comment = forms.CharField(label="評価の意見", required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["evaluation", "comment", "reason"]


class DecisionCorrectionForm(ReasonForm):
    decision = forms.ChoiceField(label="判断", choices=[("", "(選択してください)"), *Decision.choices],
                                 error_messages={"required": "判断を選んでください。"})
    comment = forms.CharField(label="判断の理由・指示", required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["decision", "comment", "reason"]


class CloseCycleForm(forms.Form):
    include_unconcluded = forms.BooleanField(
        label="判断まで済んでいない実績報告を残したまま確定する", required=False)
    reason = forms.CharField(label="確定の理由・メモ", required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="判断まで済んでいない報告を残したまま確定するときは必須です。")
    # The confirmation, without script (the Content-Security-Policy allows none inline).
    confirmed = forms.BooleanField(
        label="確定すると、この進行管理の実績報告・評価・判断を変更できなくなることを確認しました",
        error_messages={"required": "確認の欄にチェックを入れてください。"})


class ReopenCycleForm(forms.Form):
    reason = forms.CharField(label="確定を取り消す理由", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "確定を取り消す理由を記入してください。"})

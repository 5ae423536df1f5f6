"""Input of the cycle: opening, the department's report, returns, meetings, and
the bodies' evaluations and decisions."""

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from core.forms import FiscalYearField
from governance.models import AnnualReport, BodyKind, CycleKind, IndicatorResult, Meeting, ReportState
from governance.vocab import Decision, Evaluation


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
        error_messages = {"actual": {"min_value": "実績値は0以上の数値を入力してください。"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        indicator = self.instance.indicator
        self.fields["actual"].label = f"{indicator.name}の実績値" + (f"({indicator.unit})" if indicator.unit else "")
        self.fields["actual"].widget.attrs.update({"step": "any", "inputmode": "decimal"})
        self.fields["note"].label = f"{indicator.name}の補足"


class ResultRowsFormSet(BaseInlineFormSet):
    """The report's results, and a new row for each indicator the sheet gained after the
    cycle opened (`missing`), saved once it is filled in."""

    def __init__(self, *args, missing=(), **kwargs):
        self.missing = list(missing)
        super().__init__(*args, **kwargs)
        self.extra = len(self.missing)

    def total_form_count(self):
        # Never more new rows than missing indicators, whatever the posted count says.
        return min(super().total_form_count(), self.initial_form_count() + len(self.missing))

    def _construct_form(self, i, **kwargs):
        offset = i - self.initial_form_count()
        if offset >= 0:
            kwargs["instance"] = IndicatorResult(report=self.instance, indicator=self.missing[offset])
        return super()._construct_form(i, **kwargs)


ResultFormSet = inlineformset_factory(
    AnnualReport, IndicatorResult, form=ResultForm, formset=ResultRowsFormSet, extra=0, can_delete=False,
)


class ReturnForm(forms.Form):
    reason = forms.CharField(label="差戻しの理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class CommentForm(forms.Form):
    comment = forms.CharField(label="コメント", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=4000)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["body", "title", "held_on", "place"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}

    reports = forms.ModelMultipleChoiceField(
        label="議題とする実績報告", queryset=AnnualReport.objects.none(),
        widget=forms.CheckboxSelectMultiple, error_messages={"required": "議題を1件以上選んでください。"},
    )

    def __init__(self, *args, cycle, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["body"].empty_label = "(選択してください)"
        self.fields["reports"].queryset = cycle.reports.filter(
            state__in=[ReportState.CONFIRMED, ReportState.EVALUATED]
        ).select_related("sheet__project", "section")
        self.fields["reports"].label_from_instance = (
            lambda r: f"{r.sheet.project.code} {r.sheet.project.name}({r.get_state_display()})"
        )


    def clean(self):
        data = super().clean()
        body, reports = data.get("body"), data.get("reports")
        if body and reports:
            wanted = ReportState.CONFIRMED if body.kind == BodyKind.COMMITTEE else ReportState.EVALUATED
            wrong = [r for r in reports if r.state != wanted]
            if wrong:
                self.add_error("reports", f"{body.name}の議題にできるのは「{wanted.label}」の報告です:"
                               + "、".join(r.sheet.project.name for r in wrong))
        return data


class EvaluationForm(forms.Form):
    evaluation = forms.ChoiceField(label="評価", choices=[("", "(選択してください)"), *Evaluation.choices])
    comment = forms.CharField(label="意見", required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="判断", choices=[("", "(選択してください)"), *Decision.choices])
    comment = forms.CharField(label="理由・指示", required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class MinutesForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["minutes", "attendees"]
        widgets = {"minutes": forms.Textarea(attrs={"rows": 8}), "attendees": forms.CheckboxSelectMultiple}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = members
        self.fields["attendees"].label_from_instance = lambda u: f"{u.display_name}({u.post_title})"



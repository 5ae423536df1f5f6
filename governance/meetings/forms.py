"""Input of the meetings: preparing one, the bodies' evaluations and decisions, minutes."""

from django import forms

from governance.models import AnnualReport, BodyKind, Meeting, ReportState
from governance.vocab import Decision, Evaluation


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

"""Forms of 次期計画の策定: the next plan's title, one row per outgoing project, the adoption date."""

from django import forms

from core.forms import FiscalYearField
from plans.models import Fate
from projects.plan_editor.forms import PlanForm


class NextPlanForm(forms.Form):
    """A plan in preparation drafted from the current one."""

    code = PlanForm.base_fields["code"]
    name = forms.CharField(label="計画名", max_length=100, help_text="例:第三期昭島市情報化推進計画")
    start_year = FiscalYearField(label="計画期間(開始年度)", min_year=1989, max_year=2100)
    end_year = FiscalYearField(label="計画期間(終了年度)", min_year=1989, max_year=2100)
    copy_tree = forms.BooleanField(
        label="現行計画の施策体系(項目と説明)と計画書の本文を写して始める", required=False, initial=True,
        help_text="写した項目と本文は策定中に自由に直せます。写さない場合は階層と基本理念だけを引き継ぎます。",
    )

    clean_code = PlanForm.clean_code


class SuccessionRowForm(forms.Form):
    """What becomes of one project of the outgoing plan."""

    project = forms.IntegerField(widget=forms.HiddenInput)
    fate = forms.ChoiceField(label="引継ぎ区分", choices=Fate.choices)
    item = forms.TypedChoiceField(label="次期計画の掲載項目", coerce=int, required=False, empty_value=None)
    merge_into = forms.TypedChoiceField(label="統合先", coerce=int, required=False, empty_value=None)
    split_names = forms.CharField(label="分割後の事業名(1行に1事業)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="理由", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, item_choices=(), project_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "―")] + list(item_choices)
        self.fields["merge_into"].choices = [("", "―")] + list(project_choices)


class AdoptForm(forms.Form):
    adopted_on = forms.DateField(label="策定日", widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="この日付で策定し、現行計画にします。")

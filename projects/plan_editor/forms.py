"""Forms of the plan editing page: a new plan with its levels, and one form per
change of the tree. A change form validates its input and turns it into an
operation of projects.authoring (plain data); whether the change fits the tree
is the structure service's to say."""

from django import forms
from django.core.validators import RegexValidator

from core.forms import FiscalYearField
from plans.models import MAX_LEVELS, Numbering, Placement, Plan, PlanItem, SecurityMeasureKind
from plans.structure import RESERVED_CODES, LevelSpec, StructureError

# Plan codes that are addresses of their own under /plans/ and /plans/manage/.


class PlanFieldsForm(forms.Form):
    """What a plan's title page and 基本理念 say."""

    name = forms.CharField(label="計画名", max_length=100, help_text="例:第三期昭島市情報化推進計画")
    short_name = forms.CharField(label="略称", max_length=40, required=False,
                                 help_text="後の計画書が呼ぶ名前(例:第三期計画)。表4-2〜4-4 の題名に使います。")
    start_year = FiscalYearField(label="計画期間(開始年度)", min_year=1989, max_year=2100)
    end_year = FiscalYearField(label="計画期間(終了年度)", min_year=1989, max_year=2100)
    published = forms.CharField(label="策定", max_length=40, required=False, help_text="例:令和3年(2021年)3月")
    parent_plan = forms.CharField(label="上位計画", max_length=100, required=False,
                                  help_text="例:第五次昭島市総合基本計画")
    master_plan_label = forms.CharField(
        label="上位計画のコードの名称", max_length=40, initial="総合基本計画コード",
        help_text="情報化事業シートで事業と上位計画を結ぶコードの名称(例:第五次総合基本計画コード)。",
    )
    philosophy = forms.CharField(label="基本理念", max_length=200, required=False)
    philosophy_subtitle = forms.CharField(label="基本理念(副題)", max_length=200, required=False)
    philosophy_text = forms.CharField(label="基本理念(説明)", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", "終了年度は開始年度と同じか、それより後の年度にしてください。")
        return data


class PlanForm(PlanFieldsForm):
    """A new plan."""

    code = forms.CharField(
        label="計画コード", max_length=20,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", "半角英小文字・数字・ハイフンで入力してください。")],
        help_text="画面のアドレスに使います(例:third)。作成後は変更できません。",
    )
    field_order = ("code",)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code in RESERVED_CODES:
            raise forms.ValidationError(f"「{code}」は計画コードには使えません。別のコードにしてください。")
        if Plan.objects.filter(code=code).exists():
            raise forms.ValidationError(f"計画コード「{code}」は既に使われています。")
        return code


class PlanSettingsForm(PlanFieldsForm):
    """An existing plan's fields, and whether it is still in preparation."""

    in_preparation = forms.BooleanField(
        label="策定中(情報推進課にだけ表示する)", required=False,
        help_text="チェックを外すと策定済みとなり、全職員に表示されます。",
    )

    def operation(self, plan, levels) -> dict:
        return {"op": "edit_plan", "fields": dict(self.cleaned_data),
                "levels": [{"name": spec.name, "numbering": spec.numbering, "has_text": spec.has_text,
                            "stated_count": old.stated_count if old else None}
                           for spec, old in zip(levels, [*plan.level_list, *[None] * 5], strict=False)]}


class LevelForm(forms.Form):
    name = forms.CharField(label="階層名", max_length=20, required=False)
    numbering = forms.ChoiceField(label="番号の表記", choices=Numbering.choices, initial=Numbering.ARABIC,
                                  required=False)
    has_text = forms.BooleanField(label="説明文あり", required=False)

    def clean_numbering(self):
        return self.cleaned_data["numbering"] or Numbering.ARABIC

    def is_blank(self):
        return not (self.cleaned_data.get("name") or "").strip()


class BaseLevelFormSet(forms.BaseFormSet):
    """The plan's levels, top first; empty rows below the last level are ignored,
    an empty row between two levels is refused (it would join them silently)."""

    def clean(self):
        if any(self.errors):
            return
        filled = [not form.is_blank() for form in self.forms]
        used = max((index + 1 for index, full in enumerate(filled) if full), default=0)  # rows down to the last level
        gaps = [index + 1 for index, full in enumerate(filled[:used]) if not full]
        if gaps:
            rows = "・".join(f"第{number}階層" for number in gaps)
            raise forms.ValidationError(f"階層は上から詰めて入力してください({rows}が空欄です)。")
        specs = self.specs()
        if not 1 <= len(specs) <= MAX_LEVELS:
            raise forms.ValidationError(f"階層は 1 から {MAX_LEVELS} まで入力してください(入力は {len(specs)})。")
        names = [spec.name for spec in specs]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise forms.ValidationError(f"階層名「{'」「'.join(duplicated)}」が重複しています。")

    def specs(self) -> list[LevelSpec]:
        return [LevelSpec(form.cleaned_data["name"].strip(), form.cleaned_data["numbering"],
                          has_text=form.cleaned_data["has_text"])
                for form in self.forms if not form.is_blank()]


LevelFormSet = forms.formset_factory(
    LevelForm, formset=BaseLevelFormSet, extra=MAX_LEVELS, max_num=MAX_LEVELS, validate_max=True,
    absolute_max=MAX_LEVELS,
)


SECOND_PLAN_LEVELS = [
    {"name": "目標", "numbering": Numbering.ROMAN, "has_text": True},
    {"name": "基本方針"},
    {"name": "情報化施策", "has_text": True},
]


def level_formset(data=None, initial=None):
    formset = LevelFormSet(data, prefix="levels", initial=None if data else (initial or SECOND_PLAN_LEVELS))
    formset.error_messages["too_many_forms"] = f"階層は {MAX_LEVELS} つまでです。"
    return formset


# ─── Changes of the tree ─────────────────────────────────────────────────────

class ChangeForm(forms.Form):
    """One change; `op` names it in the POST, `operation()` gives it to the dispatcher."""

    op = ""

    def operation(self, plan) -> dict:
        return {"op": self.op, **self.cleaned_data}

    def first_error(self) -> str:
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            return f"{label}:{errors[0]}" if label else errors[0]
        return ""


def _ref(label, required=True):
    return forms.IntegerField(label=label, required=required, min_value=1, widget=forms.HiddenInput,
                              error_messages={"required": f"{label}が指定されていません。"})


def _select(label, required=False, empty="—"):
    field = forms.IntegerField(label=label, required=required, min_value=1, widget=forms.Select,
                               error_messages={"required": f"{label}を選んでください。"})
    field.empty_label = empty
    return field


class ItemFieldsForm(ChangeForm):
    title = forms.CharField(label="名称", max_length=200)
    subtitle = forms.CharField(label="副題", max_length=100, required=False, help_text="例:顧客としての市民")
    text = forms.CharField(label="説明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AddItemForm(ItemFieldsForm):
    op = "add_item"
    parent = _ref("上位の項目", required=False)


class EditItemForm(ItemFieldsForm):
    op = "edit_item"
    item = _ref("項目")
    reposted_from = _select("再掲元の項目", empty="(再掲ではない)")


class MoveItemForm(ChangeForm):
    op = "move_item"
    item = _ref("項目")
    parent = _select("移動先(上位の項目)", empty="(最上位)")
    position = forms.IntegerField(label="何番目に置くか", required=False, min_value=1,
                                  help_text="空欄なら最後に置きます。")


class StepForm(ChangeForm):
    direction = forms.ChoiceField(choices=[("up", "上へ"), ("down", "下へ")])

    def step(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1


class StepItemForm(StepForm):
    item = _ref("項目")

    def operation(self, plan):
        item = PlanItem.objects.filter(plan=plan, pk=self.cleaned_data["item"]).first()
        if item is None:
            raise StructureError("指定された項目が見つかりません。画面を読み込み直してください。")
        position = item.number + self.step()
        if position < 1:
            raise StructureError(f"{item.code} は既に先頭です。")
        return {"op": "move_item", "item": item.pk, "parent": item.parent_id, "position": position}


class DeleteItemForm(ChangeForm):
    op = "delete_item"
    item = _ref("項目")


class ProjectFieldsForm(ChangeForm):
    name = forms.CharField(label="事業名", max_length=200)
    is_planned = forms.BooleanField(label="予定事業(〔予定事業〕と表示)", required=False)
    since_year = FiscalYearField(label="開始年度(計画書に付記する場合)", required=False, min_year=1989, max_year=2100,
                                 help_text="例:平成26年度 → 「(平成26年度〜)」と表示")
    security_kind = forms.ChoiceField(label="セキュリティ対策の種類", required=False,
                                      choices=[("", "(なし)"), *SecurityMeasureKind.choices])


class AddProjectForm(ProjectFieldsForm):
    op = "add_project"
    item = _ref("掲載する項目")


class EditProjectForm(ProjectFieldsForm):
    op = "edit_project"
    project = _ref("事業")


class DeleteProjectForm(ChangeForm):
    op = "delete_project"
    project = _ref("事業")


class PlaceProjectForm(ChangeForm):
    op = "place_project"
    project = _ref("事業")
    item = _select("再掲する項目", required=True)


class UnplaceProjectForm(ChangeForm):
    op = "unplace_project"
    project = _ref("事業")
    item = _ref("項目")


class MovePlacementForm(ChangeForm):
    op = "move_placement"
    project = _ref("事業")
    item = _ref("項目")
    to_item = _select("移動先の項目", required=True)


class StepPlacementForm(StepForm):
    project = _ref("事業")
    item = _ref("項目")

    def operation(self, plan):
        placement = Placement.objects.filter(project__plan=plan, project_id=self.cleaned_data["project"],
                                             item_id=self.cleaned_data["item"]).first()
        if placement is None:
            raise StructureError("指定された事業の掲載が見つかりません。画面を読み込み直してください。")
        position = placement.position + self.step()
        if position < 1:
            raise StructureError("この事業は既に先頭です。")
        return {"op": "move_placement", "project": placement.project_id, "item": placement.item_id,
                "position": position}


class MakeCurrentForm(ChangeForm):
    op = "make_current"


CHANGE_FORMS = {
    "make_current": MakeCurrentForm,
    "add_item": AddItemForm, "edit_item": EditItemForm, "move_item": MoveItemForm, "step_item": StepItemForm,
    "delete_item": DeleteItemForm, "add_project": AddProjectForm, "edit_project": EditProjectForm,
    "delete_project": DeleteProjectForm, "place_project": PlaceProjectForm, "unplace_project": UnplaceProjectForm,
    "move_placement": MovePlacementForm, "step_placement": StepPlacementForm,
}

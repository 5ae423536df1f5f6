"""The plan file's layout, and the export that produces it (docs/plan-file.md).

Three sheets: 「計画」 (the plan's fields as label/value rows), 「階層」 (one row per
level) and 「体系」 (one row per item and one per placement of a project, in the
order the plan prints them). The CSV form is the 「体系」 sheet alone.
"""

import tablib
from django.utils import timezone

from core import fiscal
from exchange.files import SheetSpec, write_csv, write_xlsx
from plans.models import Numbering, Placement, Plan, PlanItem, SecurityMeasureKind

SHEET_PLAN = "計画"
SHEET_LEVELS = "階層"
SHEET_TREE = "体系"

# 「計画」: the fields a plan file carries. Its state (現行計画, 策定中) is not content:
# an imported plan is always in preparation.
PLAN_FIELDS = ("code", "name", "start_year", "end_year", "published", "parent_plan", "philosophy",
               "philosophy_subtitle", "philosophy_text", "master_plan_label", "stated_project_count")
YEAR_FIELDS = {"start_year", "end_year"}
NUMBER_FIELDS = {"stated_project_count"}
PLAN_COLUMNS = ("項目", "値")

LEVEL_COLUMNS = ("階層", "階層名", "番号の表記", "説明文", "計画書に記載の数")
NUMBERING_LABELS = {Numbering.ROMAN: "ローマ数字", Numbering.ARABIC: "算用数字"}
HAS_TEXT_LABELS = {True: "あり", False: "なし"}

TREE_COLUMNS = ("種別", "階層名", "コード", "上位コード", "名称", "副題", "説明", "再掲元",
                "事業コード", "予定事業", "開始年度", "セキュリティ対策の種類", "再掲")
KIND_ITEM, KIND_PROJECT = "項目", "事業"
YES, NO = "はい", "いいえ"
SECURITY_LABELS = {value: str(label) for value, label in SecurityMeasureKind.choices}


def plan_label(field: str) -> str:
    """The row label of a plan field: its verbose name (「計画名」, 「基本理念(副題)」…)."""
    return str(Plan._meta.get_field(field).verbose_name)


def year_text(year: int | None, plan: Plan) -> str:
    return "" if year is None else fiscal.fy_label(year, plan.era)


# ─── Export ──────────────────────────────────────────────────────────────────

def plan_dataset(plan: Plan) -> tablib.Dataset:
    data = tablib.Dataset(headers=list(PLAN_COLUMNS), title=SHEET_PLAN)
    for field in PLAN_FIELDS:
        value = getattr(plan, field)
        if field in YEAR_FIELDS:
            value = year_text(value, plan)
        data.append([plan_label(field), "" if value is None else value])
    return data


def levels_dataset(plan: Plan) -> tablib.Dataset:
    data = tablib.Dataset(headers=list(LEVEL_COLUMNS), title=SHEET_LEVELS)
    for level in plan.level_list:
        data.append([level.depth, level.name, NUMBERING_LABELS[level.numbering],
                     HAS_TEXT_LABELS[level.has_text], level.stated_count])
    return data


def tree_dataset(plan: Plan) -> tablib.Dataset:
    """Each item, and under each item of the last level its projects in printed order."""
    data = tablib.Dataset(headers=list(TREE_COLUMNS), title=SHEET_TREE)
    items = PlanItem.objects.filter(plan=plan).select_related("level", "parent", "reposted_from").order_by("sort_key")
    placements = {}
    for placement in (Placement.objects.filter(item__plan=plan).select_related("project")
                      .order_by("item_id", "position")):
        placements.setdefault(placement.item_id, []).append(placement)
    for item in items:
        data.append([KIND_ITEM, item.level.name, item.code, item.parent.code if item.parent else "",
                     item.title, item.subtitle, item.text,
                     item.reposted_from.code if item.reposted_from else "", "", "", "", "", ""])
        for placement in placements.get(item.pk, []):
            project = placement.project
            data.append([KIND_PROJECT, "", "", item.code, project.name, "", "", "", project.code,
                         YES if project.is_planned else NO, year_text(project.since_year, plan),
                         SECURITY_LABELS.get(project.security_kind, ""), NO if placement.is_home else YES])
    return data


def tree_choices(plan: Plan) -> dict[str, list[str]]:
    return {
        "種別": [KIND_ITEM, KIND_PROJECT],
        "階層名": [level.name for level in plan.level_list],
        "予定事業": [YES, NO],
        "セキュリティ対策の種類": list(SECURITY_LABELS.values()),
        "再掲": [YES, NO],
    }


def plan_specs(plan: Plan) -> list[SheetSpec]:
    return [
        SheetSpec(title=SHEET_PLAN, dataset=plan_dataset(plan)),
        SheetSpec(title=SHEET_LEVELS, dataset=levels_dataset(plan), choices={
            "番号の表記": list(NUMBERING_LABELS.values()), "説明文": list(HAS_TEXT_LABELS.values())}),
        SheetSpec(title=SHEET_TREE, dataset=tree_dataset(plan), choices=tree_choices(plan)),
    ]


def export_plan(plan: Plan, fmt: str = "xlsx") -> tuple[bytes, str]:
    """The plan as a file: (bytes, file name). xlsx has the three sheets; CSV the
    「体系」 sheet alone (UTF-8 with BOM, as every CSV of the data pages)."""
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "csv":
        return write_csv(tree_dataset(plan)), f"{plan.name}_体系_{stamp}.csv"
    return write_xlsx(plan_specs(plan)), f"{plan.name}_{stamp}.xlsx"

"""Reading a plan file (exchange.files has read the workbook or CSV into tables)
into what it describes, or the errors that keep it out, each naming its sheet,
row and column.

Nothing here touches the database: the checks that need the target plan (its
projects, its levels) are exchange.plan_files.importing's.
"""

import re
import unicodedata

from exchange.files import CellError
from exchange.plan_files.checks import check_tree
from exchange.plan_files.layout import (
    KIND_ITEM,
    KIND_PROJECT,
    LEVEL_COLUMNS,
    NUMBER_FIELDS,
    NUMBERING_LABELS,
    PLAN_COLUMNS,
    PLAN_FIELDS,
    SECURITY_LABELS,
    SHEET_LEVELS,
    SHEET_PLAN,
    SHEET_TREE,
    TREE_COLUMNS,
    YEAR_FIELDS,
    plan_label,
)
from exchange.plan_files.rows import (
    DASHES,
    PROJECT_COLUMNS,
    Errors,
    ItemRow,
    Key,
    PlanFile,
    ProjectRow,
    count,
    fiscal_year,
    norm,
    parse_code,
    rows_of,
    text,
    written,
    yes_no,
)
from plans.models import MAX_LEVELS, PROJECT_CODE_RE, Numbering
from plans.structure import LevelSpec

PLAN_CODE_RE = re.compile(r"^[-a-zA-Z0-9_]{1,20}$")
IGNORED_SHEETS = {"選択肢"}  # the drop-down lists exchange.files.write_xlsx adds


# ─── Sheets ──────────────────────────────────────────────────────────────────

def read_sheets(upload, errors) -> dict:
    """The upload's sheets by title; a CSV is the 体系 alone (under 「体系」)."""
    if list(upload.sheets) == [""]:
        return {SHEET_TREE: upload.sheets[""]}
    sheets = {title: data for title, data in upload.sheets.items() if title not in IGNORED_SHEETS}
    for title in sheets:
        if title not in (SHEET_PLAN, SHEET_LEVELS, SHEET_TREE):
            errors.add(title, 1, "", f"シート「{title}」は計画のファイルのシートではありません"
                                     f"(シートは「{SHEET_PLAN}」「{SHEET_LEVELS}」「{SHEET_TREE}」です)。")
    for title in (SHEET_PLAN, SHEET_LEVELS, SHEET_TREE):
        if title not in sheets:
            errors.add(title, 1, "", f"シート「{title}」がありません。書き出したファイルのシートを消さないでください。")
    return sheets


def read_plan_fields(dataset, errors) -> tuple[dict, dict]:
    """({field: value}, {field: row}) of the 「計画」 sheet (values checked, not yet the
    plan's own rules)."""
    labels = {plan_label(f): f for f in PLAN_FIELDS}
    fields, seen = {}, {}
    errors_before = len(errors)
    for row, cells in rows_of(dataset, SHEET_PLAN, PLAN_COLUMNS, errors):
        label, value, where = text(cells["項目"]), cells["値"], (SHEET_PLAN, row)
        name = labels.get(label)
        if name is None:
            errors.add(*where, "項目", f"「{label}」は計画の項目ではありません。項目は次のとおりです:" + "、".join(labels))
            continue
        if name in seen:
            errors.add(*where, "項目", f"「{label}」が {seen[name]} 行目と重複しています。")
            continue
        seen[name] = row
        if name in YEAR_FIELDS:
            fields[name] = fiscal_year(value, errors, where, "値")
        elif name in NUMBER_FIELDS:
            fields[name] = count(value, errors, where, "値")
        else:
            fields[name] = text(value)
    if len(errors) > errors_before:
        return fields, seen
    if not fields.get("master_plan_label"):  # blank: the plan's (or the default) name stays
        fields.pop("master_plan_label", None)
    for name in ("name", "start_year", "end_year"):
        if fields.get(name) in (None, ""):
            errors.add(SHEET_PLAN, seen.get(name, 1), "値", f"「{plan_label(name)}」を入力してください。")
    if fields.get("start_year") and fields.get("end_year") and fields["end_year"] < fields["start_year"]:
        errors.add(SHEET_PLAN, seen["end_year"], "値", "計画期間の終了年度が開始年度より前です。")
    return fields, seen


def read_levels(dataset, errors) -> list[LevelSpec]:
    numberings = {**{label: value for value, label in NUMBERING_LABELS.items()},
                  **{unicodedata.normalize("NFKC", str(label)): value for value, label in Numbering.choices},
                  **{value: value for value in Numbering.values}}
    levels = []
    errors_before = len(errors)
    rows = rows_of(dataset, SHEET_LEVELS, LEVEL_COLUMNS, errors)
    for row, cells in rows:
        where = (SHEET_LEVELS, row)
        if norm(cells["階層"]) != str(len(levels) + 1):
            errors.add(*where, "階層", f"「階層」は上から 1、2、3…と順に付けてください(この行は {len(levels) + 1})。")
        name = text(cells["階層名"])
        if not name:
            errors.add(*where, "階層名", "階層名を入力してください。")
        elif len(name) > 20:
            errors.add(*where, "階層名", "階層名は20文字以内で入力してください。")
        elif name in [level.name for level in levels]:
            errors.add(*where, "階層名", f"階層名「{name}」が重複しています。")
        numbering = numberings.get(norm(cells["番号の表記"]))
        if numbering is None:
            errors.add(*where, "番号の表記", f"「{text(cells['番号の表記'])}」は番号の表記として読めません。"
                                           "「ローマ数字」か「算用数字」で入力してください。")
        has_text = yes_no(cells["説明文"], errors, where, "説明文")
        stated = count(cells["計画書に記載の数"], errors, where, "計画書に記載の数")
        levels.append(LevelSpec(name=name, numbering=numbering or Numbering.ARABIC, has_text=has_text,
                                stated_count=stated))
    if len(errors) == errors_before and not 1 <= len(levels) <= MAX_LEVELS:
        errors.add(SHEET_LEVELS, rows[-1][0] if rows else 1, "階層",
                   f"階層の数は 1 から {MAX_LEVELS} までです(このファイルは {len(levels)})。")
    return levels


def read_tree(dataset, levels: list[LevelSpec], errors) -> tuple[list[ItemRow], list[ProjectRow]]:
    depth_of = {unicodedata.normalize("NFKC", level.name).strip(): depth
                for depth, level in enumerate(levels, start=1)}
    names = "、".join(level.name for level in levels)
    items, projects = [], []
    for row, cells in rows_of(dataset, SHEET_TREE, TREE_COLUMNS, errors):
        where = (SHEET_TREE, row)
        kind = norm(cells["種別"])
        if kind == KIND_ITEM:
            depth = depth_of.get(norm(cells["階層名"]))
            if depth is None:
                errors.add(*where, "階層名", f"階層名「{text(cells['階層名'])}」は「{SHEET_LEVELS}」にありません"
                                           f"(この計画の階層:{names})。")
                continue
            item = _item_row(row, cells, depth, errors)
            if item is not None:
                items.append(item)
        elif kind == KIND_PROJECT:
            project = _project_row(row, cells, errors)
            if project is not None:
                projects.append(project)
        else:
            errors.add(*where, "種別", f"「種別」は「{KIND_ITEM}」か「{KIND_PROJECT}」で入力してください。")
    return items, projects


def _item_row(row, cells, depth, errors) -> ItemRow | None:
    where = (SHEET_TREE, row)
    key = _code(cells, "コード", errors, where, required=True)
    parent = _code(cells, "上位コード", errors, where)
    source = _code(cells, "再掲元", errors, where)
    title = text(cells["名称"])
    if not title:
        errors.add(*where, "名称", "名称を入力してください。")
    if key is None or (parent is None and text(cells["上位コード"])):
        return None
    if len(key) != depth:
        errors.add(*where, "コード", f"コード「{text(cells['コード'])}」は第{depth}階層「{text(cells['階層名'])}」"
                                    f"のコードではありません(番号が{depth}つ必要です)。")
        return None
    return ItemRow(row=row, key=key, code=text(cells["コード"]), depth=depth, parent=parent, title=title,
                   subtitle=text(cells["副題"]), text=text(cells["説明"]), reposted_from=source,
                   written=written(cells))


def _project_row(row, cells, errors) -> ProjectRow | None:
    where = (SHEET_TREE, row)
    item = _code(cells, "上位コード", errors, where, required=True)
    name = text(cells["名称"])
    code = DASHES.sub("-", norm(cells["事業コード"]))
    if code and not re.match(PROJECT_CODE_RE, code):
        errors.add(*where, "事業コード", f"事業コード「{text(cells['事業コード'])}」は「1-2-1-01」の形式ではありません。"
                                      "新しい事業では空欄にできます。")
    is_repost = yes_no(cells["再掲"], errors, where, "再掲")
    if not name and not (is_repost and code):
        errors.add(*where, "名称", "事業名を入力してください。")
    kind_label = text(cells["セキュリティ対策の種類"])
    kinds = {unicodedata.normalize("NFKC", label): value for value, label in SECURITY_LABELS.items()}
    kind = kinds.get(unicodedata.normalize("NFKC", kind_label), "" if not kind_label else None)
    if kind is None:
        errors.add(*where, "セキュリティ対策の種類", f"「{kind_label}」は選べません。次のいずれかか空欄です:"
                                                "、".join(SECURITY_LABELS.values()))
    for column in ("副題", "説明", "再掲元"):
        if text(cells[column]):
            errors.add(*where, column, f"事業の行には「{column}」を入力できません(項目の行の列です)。")
    if item is None:
        return None
    return ProjectRow(row=row, item=item, name=name, code=code,
                      is_planned=yes_no(cells["予定事業"], errors, where, "予定事業"),
                      since_year=fiscal_year(cells["開始年度"], errors, where, "開始年度"),
                      security_kind=kind or "", is_repost=is_repost,
                      given=frozenset(c for c in PROJECT_COLUMNS if text(cells[c])), written=written(cells))


def _code(cells, column, errors, where, *, required=False) -> Key | None:
    value = cells[column]
    if not text(value):
        if required:
            errors.add(*where, column, f"「{column}」を入力してください。")
        return None
    if not isinstance(value, (str, int, float)):  # a date: Excel read 「1-2」 as 1月2日
        errors.add(*where, column, f"「{column}」が日付になっています。セルを文字列にして、コードを入力し直してください。")
        return None
    key = parse_code(value)
    if key is None:
        errors.add(*where, column, f"「{text(value)}」はコードとして読めません。番号は「Ⅱ」「II」「2」のように書き、"
                                   "「-」でつなぎます(例:Ⅱ-3-1)。")
    return key


def read_plan_file(upload, *, levels: list[LevelSpec] | None = None) -> tuple[PlanFile | None, list[CellError]]:
    """The plan file an upload holds, or None and the errors. A CSV (the 体系
    alone) is read against `levels`, the target plan's."""
    errors = Errors()
    sheets = read_sheets(upload, errors)
    if errors:
        return None, errors
    is_csv = SHEET_PLAN not in sheets
    fields, field_rows = (None, {}) if is_csv else read_plan_fields(sheets[SHEET_PLAN], errors)
    if not is_csv:
        levels = read_levels(sheets[SHEET_LEVELS], errors)
    if errors:
        return None, errors
    items, projects = read_tree(sheets[SHEET_TREE], levels, errors)
    if not errors:
        check_tree(items, projects, levels, errors)
    if errors:
        return None, errors
    return PlanFile(fields=fields, levels=None if is_csv else levels, items=items, projects=projects,
                    field_rows=field_rows), errors

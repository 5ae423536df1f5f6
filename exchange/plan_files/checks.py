"""The tree of a plan file checked within itself: codes, parents, levels and
再掲 (the target plan is not asked; exchange.plan_files.importing asks it).

Messages quote a row's cells as written (`row.written`), never the codes read from
them, so that Excel's search finds what a message names."""

from exchange.plan_files.layout import NO, SHEET_TREE
from exchange.plan_files.rows import PROJECT_COLUMNS, ItemRow, Key, ProjectRow
from plans.structure import LevelSpec


def check_tree(items: list[ItemRow], projects: list[ProjectRow], levels: list[LevelSpec], errors) -> None:
    """Parents, codes, levels and 再掲 within the file (the plan is not asked)."""
    by_key: dict[Key, ItemRow] = {}
    for item in items:
        if item.key in by_key:
            errors.add(SHEET_TREE, item.row, "コード", f"コード「{item.code}」が {by_key[item.key].row} 行目と重複しています。")
        else:
            by_key[item.key] = item
    for item in items:
        _check_item(item, by_key, levels, errors)
    _check_projects(projects, by_key, len(levels), errors)


def _check_item(item, by_key, levels, errors):
    where, parent_code = (SHEET_TREE, item.row), item.written["上位コード"]
    if item.parent is None:
        if item.depth != 1:
            errors.add(*where, "上位コード", f"「{levels[item.depth - 1].name}」の項目には上位コードが必要です"
                                          f"(上位コードがないのは「{levels[0].name}」の項目だけです)。")
    elif item.parent not in by_key:
        errors.add(*where, "上位コード", f"上位コード「{parent_code}」の項目がこのファイルにありません。")
    elif by_key[item.parent].depth != item.depth - 1:
        parent = by_key[item.parent]
        errors.add(*where, "上位コード", f"「{levels[item.depth - 1].name}」の項目の上位は「{levels[item.depth - 2].name}」"
                                      f"の項目です(上位コード「{parent_code}」は「{levels[parent.depth - 1].name}」)。"
                   if item.depth > 1 else
                   f"「{levels[0].name}」の項目には上位コードを入力しません。")
    if item.reposted_from is not None:
        source = by_key.get(item.reposted_from)
        if source is None:
            errors.add(*where, "再掲元", f"再掲元「{item.written['再掲元']}」の項目がこのファイルにありません。")
        elif source is item:
            errors.add(*where, "再掲元", "項目を自分自身の再掲にはできません。")
        elif source.depth != item.depth:
            errors.add(*where, "再掲元", "再掲元は同じ階層の項目から選んでください。")
        elif source.reposted_from is not None:
            errors.add(*where, "再掲元", f"再掲元「{item.written['再掲元']}」自体が再掲です。再掲でない元の項目を選んでください。")


def _check_projects(projects, by_key, leaf_depth, errors):
    homes_by_code, homes_by_name, placed = {}, {}, {}
    for project in projects:
        where = (SHEET_TREE, project.row)
        item = by_key.get(project.item)
        if item is None:
            errors.add(*where, "上位コード", f"上位コード「{project.written['上位コード']}」の項目がこのファイルにありません。")
        elif item.depth != leaf_depth:
            errors.add(*where, "上位コード", f"事業は最下層の項目の下に置きます"
                                          f"(「{project.written['上位コード']}」は第{item.depth}階層です)。")
        if project.is_repost:
            continue
        if project.code in homes_by_code:
            errors.add(*where, "事業コード", f"事業コード「{project.written['事業コード']}」が {homes_by_code[project.code].row} 行目と"
                                          "重複しています。同じ事業を別の項目にも載せる行は「再掲」を「はい」にします。")
        elif project.code:
            homes_by_code[project.code] = project
        homes_by_name.setdefault(project.name, []).append(project)
    for project in projects:
        where = (SHEET_TREE, project.row)
        if project.is_repost:
            project.home = _home_of(project, homes_by_code, homes_by_name, errors)
        target = project.home if project.is_repost else project
        if target is None:
            continue
        seen = placed.setdefault((id(target), project.item), project.row)
        if seen != project.row:
            errors.add(*where, "上位コード", f"同じ事業が {seen} 行目と同じ項目に載っています。")


def _home_of(project, homes_by_code, homes_by_name, errors):
    where = (SHEET_TREE, project.row)
    if project.code:
        home = homes_by_code.get(project.code)
        if home is None:
            errors.add(*where, "事業コード", f"再掲の事業「{project.written['事業コード']}」がありません(「再掲」が「{NO}」の行が"
                                          "その事業の元の行です)。")
        elif project.name and project.name != home.name:
            errors.add(*where, "名称", f"再掲の行の事業名が {home.row} 行目の元の行と違います。"
                                     "事業名は元の行で変えてください。")
        else:
            _check_same_as_home(project, home, errors)
        return home
    candidates = homes_by_name.get(project.name, [])
    if len(candidates) == 1:
        _check_same_as_home(project, candidates[0], errors)
        return candidates[0]
    errors.add(*where, "名称", f"再掲の事業「{project.name}」がありません(「再掲」が「{NO}」の、同じ事業名の行が"
                             "ありません)。" if not candidates else
               f"事業名「{project.name}」の事業が複数あります。再掲の行には事業コードを入力してください。")
    return None


def _check_same_as_home(project, home, errors):
    """A 再掲 row repeats its project's columns (as the export writes them) or leaves them blank."""
    for column, attribute in PROJECT_COLUMNS.items():
        if column in project.given and getattr(project, attribute) != getattr(home, attribute):
            errors.add(SHEET_TREE, project.row, column, f"再掲の行の「{column}」が {home.row} 行目の元の行と"
                                                       "違います。事業の内容は元の行で変えてください。")

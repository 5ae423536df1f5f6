"""The changes the plan editing page makes, each as plain data and with its inverse.

An operation is a JSON object: {"op": "move_item", "item": 12, "parent": 3,
"position": 2}. Each function here carries one out through plans.structure (or
projects.authoring.projects for a project and its sheet) and returns what the
history records: a Japanese summary and the operation that undoes it. Objects
are named by primary key; a deleted item or project is made again with its old
key, so that the inverses recorded before stay valid.
"""

from dataclasses import dataclass

from plans import structure
from plans.models import Placement, Plan, PlanItem, Project
from projects.authoring.projects import add_project as add_project_with_sheet
from projects.authoring.projects import delete_project as delete_project_with_sheet

StructureError = structure.StructureError


class Unchanged(StructureError):
    """The operation would change nothing: nothing is saved or recorded."""


@dataclass
class Done:
    summary: str
    inverse: dict | None
    focus: str = ""  # "item-12" / "project-7": what the page shows open afterwards


def short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pk(value, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StructureError(f"{what}の指定が正しくありません。") from None


def item_of(plan: Plan, pk) -> PlanItem:
    item = (PlanItem.objects.select_related("level", "parent", "reposted_from")
            .filter(plan=plan, pk=_pk(pk, "項目")).first())
    if item is None:
        raise StructureError("指定された項目が見つかりません(ほかの人が削除した可能性があります)。画面を読み込み直してください。")
    item.plan = plan
    return item


def _item_or_none(plan: Plan, pk) -> PlanItem | None:
    return None if pk in (None, "") else item_of(plan, pk)


def project_of(plan: Plan, pk) -> Project:
    project = Project.objects.filter(plan=plan, pk=_pk(pk, "事業")).first()
    if project is None:
        raise StructureError("指定された事業が見つかりません(ほかの人が削除した可能性があります)。画面を読み込み直してください。")
    project.plan = plan
    return project


def placement_of(project: Project, item: PlanItem) -> Placement:
    placement = Placement.objects.filter(project=project, item=item).first()
    if placement is None:
        raise StructureError(f"事業「{project.name}」は「{item.code}」に掲載されていません。画面を読み込み直してください。")
    placement.project, placement.item = project, item
    return placement


def _named(item: PlanItem) -> str:
    return f"{item.code}「{short(item.title)}」"


# ─── Items ───────────────────────────────────────────────────────────────────

def add_item(plan, *, parent=None, title, subtitle="", text="", reposted_from=None, position=None, pk=None):
    parent_item = _item_or_none(plan, parent)
    item = structure.add_item(plan, parent=parent_item, title=title, subtitle=subtitle, text=text,
                              reposted_from=_item_or_none(plan, reposted_from), position=position, pk=pk)
    return Done(f"{item.level.name} {_named(item)}を追加", {"op": "delete_item", "item": item.pk},
                focus=f"item-{parent_item.pk}" if parent_item else f"item-{item.pk}")


def delete_item(plan, *, item):
    item = item_of(plan, item)
    inverse = {"op": "add_item", "parent": item.parent_id, "title": item.title, "subtitle": item.subtitle,
               "text": item.text, "reposted_from": item.reposted_from_id, "position": item.number, "pk": item.pk}
    summary = f"{item.level.name} {_named(item)}を削除"
    structure.delete_item(item)
    return Done(summary, inverse, focus=f"item-{inverse['parent']}" if inverse["parent"] else "")


ITEM_FIELDS = {"title": "名称", "subtitle": "副題", "text": "説明", "reposted_from": "再掲元"}


def edit_item(plan, *, item, title, subtitle="", text="", reposted_from=None):
    item = item_of(plan, item)
    before = {"title": item.title, "subtitle": item.subtitle, "text": item.text,
              "reposted_from": item.reposted_from_id}
    source = _item_or_none(plan, reposted_from)
    after = {"title": (title or "").strip(), "subtitle": (subtitle or "").strip(), "text": (text or "").strip(),
             "reposted_from": source.pk if source else None}
    changed = [label for name, label in ITEM_FIELDS.items() if before[name] != after[name]]
    if not changed:
        raise Unchanged(f"{_named(item)}に変更はありません。")
    structure.edit_item(item, title=title, subtitle=subtitle, text=text, reposted_from=source)
    return Done(f"{item.code} の{'・'.join(changed)}を変更", {"op": "edit_item", "item": item.pk, **before},
                focus=f"item-{item.pk}")


def move_item(plan, *, item, parent=None, position=None):
    item = item_of(plan, item)
    new_parent = _item_or_none(plan, parent)
    old_parent_id, old_number, old_code = item.parent_id, item.number, item.code
    same_parent = old_parent_id == (new_parent.pk if new_parent else None)
    position = _position(position, default=None)
    if same_parent and position is not None:
        position = min(position, PlanItem.objects.filter(plan=plan, parent=item.parent_id).count())
    if same_parent and position in (None, old_number):
        raise Unchanged(f"{_named(item)}の位置は変わりません。")
    if position is None:
        position = 10000  # the end: structure clamps it
    moved = structure.move_item(item, parent=new_parent, position=position)
    inverse = {"op": "move_item", "item": item.pk, "parent": old_parent_id, "position": old_number}
    if same_parent:
        summary = f"{old_code}「{short(item.title)}」の順番を変更({moved.code} へ)"
    else:
        summary = f"{old_code}「{short(item.title)}」を{new_parent.code if new_parent else '最上位'}の下へ移動({moved.code} へ)"
    return Done(summary, inverse, focus=f"item-{item.pk}")


def _position(value, default):
    if value in (None, ""):
        return default
    number = _pk(value, "位置")
    if number < 1:
        raise StructureError("位置は 1 以上の番号で指定してください。")
    return number


# ─── Projects and their listings ─────────────────────────────────────────────

PROJECT_FIELDS = {"name": "事業名", "is_planned": "予定事業", "since_year": "開始年度", "security_kind": "対策の種類"}


def _project_values(project: Project) -> dict:
    return {"name": project.name, "is_planned": project.is_planned, "since_year": project.since_year,
            "security_kind": project.security_kind}


def add_project(plan, *, item, name, is_planned=False, since_year=None, security_kind="", position=None,
                pk=None, code=None, reposts=()):
    """A project with its sheet under `item`; `reposts` [{item, position}] lists it
    again elsewhere (the undo of a deletion puts every listing back)."""
    home = item_of(plan, item)
    project = add_project_with_sheet(home, name=name, is_planned=is_planned, since_year=since_year or None,
                                     security_kind=security_kind or "", position=_position(position, None),
                                     pk=pk, code=code)
    project.plan = plan
    for repost in reposts:
        structure.place_project(project, item_of(plan, repost["item"]), position=repost["position"])
    return Done(f"{home.code} に事業「{short(project.name)}」({project.code})を追加",
                {"op": "delete_project", "project": project.pk}, focus=f"item-{home.pk}")


def delete_project(plan, *, project):
    project = project_of(plan, project)
    listings = list(project.placements.select_related("item").order_by("-is_home", "item__sort_key"))
    home = listings[0]
    inverse = {"op": "add_project", "item": home.item_id, "position": home.position, "pk": project.pk,
               "code": project.code, **_project_values(project),
               "reposts": [{"item": p.item_id, "position": p.position} for p in listings[1:]]}
    delete_project_with_sheet(project)
    return Done(f"事業「{short(project.name)}」({project.code})を削除", inverse, focus=f"item-{home.item_id}")


def edit_project(plan, *, project, name, is_planned=False, since_year=None, security_kind=""):
    project = project_of(plan, project)
    before = _project_values(project)
    after = {"name": (name or "").strip(), "is_planned": bool(is_planned), "since_year": since_year or None,
             "security_kind": security_kind or ""}
    changed = [label for field, label in PROJECT_FIELDS.items() if before[field] != after[field]]
    if not changed:
        raise Unchanged(f"事業「{short(project.name)}」に変更はありません。")
    structure.edit_project(project, **after)
    return Done(f"事業 {project.code} の{'・'.join(changed)}を変更", {"op": "edit_project", "project": project.pk, **before},
                focus=f"project-{project.pk}")


def place_project(plan, *, project, item, position=None):
    project, item = project_of(plan, project), item_of(plan, item)
    structure.place_project(project, item, position=_position(position, None))
    return Done(f"事業「{short(project.name)}」({project.code})を {item.code} に再掲",
                {"op": "unplace_project", "project": project.pk, "item": item.pk}, focus=f"project-{project.pk}")


def unplace_project(plan, *, project, item):
    project, item = project_of(plan, project), item_of(plan, item)
    placement = placement_of(project, item)
    position = placement.position
    structure.unplace_project(placement)
    return Done(f"{item.code} の再掲「{short(project.name)}」({project.code})を外す",
                {"op": "place_project", "project": project.pk, "item": item.pk, "position": position},
                focus=f"project-{project.pk}")


def move_placement(plan, *, project, item, to_item=None, position=None, code=None):
    """Reorder a listing within its item, or move it to another item (a home
    listing moves the project: its 事業コード follows its new home)."""
    project, item = project_of(plan, project), item_of(plan, item)
    placement = placement_of(project, item)
    target = _item_or_none(plan, to_item) or item
    old_position, old_code = placement.position, project.code
    position = _position(position, None)
    if target.pk == item.pk and position is not None:
        position = min(position, item.placements.count())
    if target.pk == item.pk and position in (None, old_position):
        raise Unchanged(f"事業「{short(project.name)}」の位置は変わりません。")
    structure.move_placement(placement, item=target, position=10000 if position is None else position, code=code)
    inverse = {"op": "move_placement", "project": project.pk, "item": target.pk, "to_item": item.pk,
               "position": old_position, "code": old_code}
    if target.pk == item.pk:
        summary = f"{item.code} の事業「{short(project.name)}」の順番を変更"
    else:
        project.refresh_from_db(fields=["code"])
        recoded = f"、事業コード {old_code} → {project.code}" if project.code != old_code else ""
        summary = f"事業「{short(project.name)}」の掲載を {item.code} から {target.code} へ移動{recoded}"
    return Done(summary, inverse, focus=f"project-{project.pk}")


# ─── The plan itself ─────────────────────────────────────────────────────────

PLAN_FIELDS = {
    "name": "計画名", "short_name": "略称", "start_year": "計画期間", "end_year": "計画期間", "published": "策定",
    "parent_plan": "上位計画", "master_plan_label": "上位計画のコードの名称", "philosophy": "基本理念",
    "philosophy_subtitle": "基本理念(副題)", "philosophy_text": "基本理念(説明)", "in_preparation": "策定中",
}


def _levels_of(plan) -> list[dict]:
    plan.__dict__.pop("level_list", None)
    return [{"name": level.name, "numbering": level.numbering, "has_text": level.has_text,
             "stated_count": level.stated_count} for level in plan.level_list]


def edit_plan(plan, *, fields, levels=None):
    """The plan's title page, period, 基本理念, whether it is still in preparation,
    and the names and numbering of its levels (their number only while it has no items)."""
    if not isinstance(fields, dict) or set(fields) - PLAN_FIELDS.keys():
        raise StructureError("計画の項目の指定が正しくありません。")
    before = {name: getattr(plan, name) for name in fields}
    changed = {name: value for name, value in fields.items() if before[name] != value}
    old_levels = _levels_of(plan)
    levels_changed = levels is not None and levels != old_levels
    if not changed and not levels_changed:
        raise Unchanged("計画の情報に変更はありません。")
    if changed:
        structure.edit_plan(plan, **changed)
    if levels_changed:
        structure.set_levels(plan, [structure.LevelSpec(**level) for level in levels])
    labels = list(dict.fromkeys(PLAN_FIELDS[name] for name in changed if name != "in_preparation"))
    labels += ["階層"] if levels_changed else []
    parts = [f"計画の{'・'.join(labels)}を変更"] if labels else []
    if "in_preparation" in changed:
        parts.append("策定中に戻す" if plan.in_preparation else "策定済み(全職員に公開)にする")
    inverse = {"op": "edit_plan", "fields": {name: before[name] for name in changed},
               "levels": old_levels if levels_changed else None}
    return Done("、".join(parts), inverse)


def make_current(plan, *, of=None):
    """現行計画にする: this plan, or (an undo) the plan of code `of` again."""
    target = plan if of is None else Plan.objects.filter(code=of).first()
    if target is None:
        raise StructureError(f"計画「{of}」が見つかりません。")
    if target.is_current:
        raise Unchanged(f"「{target.name}」は既に現行計画です。")
    previous = structure.make_current(target)
    summary = (f"現行計画を「{target.name}」にする" if of is None else f"現行計画を「{target.name}」に戻す")
    if previous is not None:
        summary += f"(これまでの現行計画:{previous.name})"
    return Done(summary, {"op": "make_current", "of": previous.code if previous else plan.code})


OPERATIONS = {
    function.__name__: function
    for function in (edit_plan, make_current, add_item, delete_item, edit_item, move_item, add_project, delete_project, edit_project,
                     place_project, unplace_project, move_placement)
}

"""What the editing page shows: the whole tree with its projects, the recent
history and, for the one item or project opened, its forms (a panel). A fixed
number of queries whatever the plan's size."""

from dataclasses import dataclass, field

from accounts.models import Section
from plans import tree
from plans.models import Plan, PlanItem, Project
from projects.authoring import deletion_refusal, undoable_edit
from projects.plan_editor import forms

HISTORY_SIZE = 10


@dataclass
class Panel:
    """The forms of one item or one project, shown under it in the tree."""

    kind: str  # "item" or "project"
    key: str  # the `open` value that shows it: item-12, project-7-12
    forms: dict = field(default_factory=dict)
    item: PlanItem | None = None
    project: Project | None = None
    choices: dict = field(default_factory=dict)
    refusal: str = ""
    message: dict | None = None  # the status of the change just made or refused here


def flatten(top: list[PlanItem]) -> list[PlanItem]:
    out = []

    def walk(items):
        for item in items:
            out.append(item)
            walk(item.child_list)
    walk(top)
    return out


def editor_context(plan: Plan, *, open_key: str = "", bound=None, focus: str = "", status: dict | None = None) -> dict:
    """`status` (the message of the change just made or refused) is shown in the
    open panel, else in the row of `focus`; `status["inline"]` says whether it
    found a place there (else it shows above the tree)."""
    top = tree.build(plan, limit=None)
    items = flatten(top)
    levels = plan.level_list
    panel = build_panel(plan, open_key, items, levels, bound)
    focus_kind, focus_numbers = parse_open(focus)
    _mark_siblings(top)
    places = [panel] if panel is not None else []
    for item in items:
        item.panel = panel if panel is not None and panel.key == f"item-{item.pk}" else None
        item.is_focus = focus_kind == "item" and focus_numbers[0] == item.pk
        places += [item] if item.is_focus else []
        for placement in item.listed_placements:
            placement.panel = panel if panel is not None and panel.key == f"project-{placement.project_id}-{item.pk}" \
                else None
            placement.is_focus = focus_kind == "project" and focus_numbers[0] == placement.project_id and (
                focus_numbers[1:] == [item.pk] if len(focus_numbers) > 1 else placement.is_home)
            places += [placement] if placement.is_focus else []
    if status is not None:
        status["inline"] = bool(places)
        if places:
            places[0].message = status
    history = list(plan.edits.select_related("user")[:HISTORY_SIZE])
    undoable = undoable_edit(plan)
    return {
        "plan": plan, "top": top, "levels": levels, "leaf_depth": len(levels), "item_count": len(items),
        "project_count": len({p.project_id for item in items for p in item.listed_placements}),
        "history": history, "undoable": undoable, "panel": panel, "focus": focus, "status": status,
        "guarded": not plan.in_preparation,
        "undo_recodes": not plan.in_preparation and undoable is not None and may_recode(undoable.inverse, items),
    }


def _mark_siblings(items: list[PlanItem]) -> None:
    """Each item's neighbours' codes, for the question asked before ↑↓ on an adopted plan."""
    for index, item in enumerate(items):
        item.prev_code = items[index - 1].code if index else ""
        item.next_code = items[index + 1].code if index + 1 < len(items) else ""
        item.is_last = index + 1 == len(items)
        _mark_siblings(item.child_list)


def may_recode(op: dict | None, items: list[PlanItem]) -> bool:
    """Whether running `op` (an undo) would renumber codes, as far as the tree shown
    tells: the page asks before sending it; the dispatcher knows for sure."""
    if not op or "op" not in op:
        return False
    by_pk = {item.pk: item for item in items}
    kind = op["op"]
    if kind == "move_item":
        return True
    if kind == "delete_item":
        item = by_pk.get(op.get("item"))
        return item is None or not item.is_last
    if kind == "add_item":
        siblings = by_pk[op["parent"]].child_list if op.get("parent") in by_pk else \
            [item for item in items if item.parent_id is None]
        return op.get("position") is not None and op["position"] <= len(siblings)
    if kind == "move_placement" and op.get("to_item"):
        item = by_pk.get(op.get("item"))
        listing = next((p for p in item.listed_placements if p.project_id == op.get("project")), None) if item else None
        return listing is None or listing.is_home
    return kind == "edit_plan" and op.get("levels") is not None


def anchor_of(key: str) -> str:
    """The id of the row that an `open` or focus key names (item-12, listing-7-12)."""
    kind, numbers = parse_open(key)
    if kind == "item":
        return f"item-{numbers[0]}"
    return f"listing-{numbers[0]}-{numbers[1]}" if kind == "project" and len(numbers) > 1 else ""


def parse_open(value: str) -> tuple[str, list[int]]:
    kind, _, rest = (value or "").partition("-")
    numbers = [int(part) for part in rest.split("-") if part.isdecimal()]
    return (kind, numbers) if kind in ("item", "project") and numbers else ("", [])


def build_panel(plan, open_key, items, levels, bound=None) -> Panel | None:
    kind, numbers = parse_open(open_key)
    by_pk = {item.pk: item for item in items}
    if kind == "item" and numbers[0] in by_pk:
        return item_panel(by_pk[numbers[0]], items, levels, bound)
    if kind == "project":
        listing = next((p for item in items for p in item.listed_placements if p.project_id == numbers[0]
                        and (len(numbers) == 1 and p.is_home or numbers[1:] == [item.pk])), None)
        if listing is not None:
            return project_panel(plan, listing, items, levels, bound)
    return None


def _bind(panel: Panel, bound) -> Panel:
    """A refused form comes back with what was typed and its error."""
    if bound is not None and bound.op in panel.forms:
        bound.auto_id = panel.forms[bound.op].auto_id  # ids unique on the page, as the fresh form's
        panel.forms[bound.op] = bound
    return panel


def item_panel(item, items, levels, bound) -> Panel:
    depth = item.level.depth
    key = f"item-{item.pk}"
    values = {"item": item.pk, "title": item.title, "subtitle": item.subtitle, "text": item.text,
              "reposted_from": item.reposted_from_id}
    panel = Panel("item", key, item=item, forms={
        "edit_item": forms.EditItemForm(initial=values, auto_id=f"{key}-edit-%s"),
        "move_item": forms.MoveItemForm(initial={"item": item.pk, "parent": item.parent_id},
                                        auto_id=f"{key}-move-%s"),
    })
    if depth < len(levels):
        panel.forms["add_item"] = forms.AddItemForm(initial={"parent": item.pk}, auto_id=f"{key}-add-%s")
        panel.choices["child_level"] = levels[depth]
    else:
        panel.forms["add_project"] = forms.AddProjectForm(initial={"item": item.pk}, auto_id=f"{key}-project-%s")
    panel.choices["repost_sources"] = [i for i in items if i.level_id == item.level_id and i.pk != item.pk
                                       and not i.is_repost]
    panel.choices["parents"] = [i for i in items if i.level.depth == depth - 1]
    panel.choices["level_above"] = levels[depth - 2].name if depth > 1 else ""
    return _bind(panel, bound)


def project_panel(plan, listing, items, levels, bound) -> Panel:
    project = listing.project
    key = f"project-{project.pk}-{listing.item_id}"
    placements = list(project.placements.select_related("item").order_by("-is_home", "item__sort_key"))
    counts = {item.pk: len(item.listed_placements) for item in items}
    for placement in placements:
        placement.count = counts.get(placement.item_id, 0)
    leaves = [i for i in items if i.level.depth == len(levels)]
    listed = {p.item_id for p in placements}
    panel = Panel("project", key, project=project, item=listing.item, forms={
        "edit_project": forms.EditProjectForm(initial={
            "project": project.pk, "name": project.name, "is_planned": project.is_planned,
            "since_year": project.since_year, "security_kind": project.security_kind,
        }, auto_id=f"{key}-edit-%s"),
        "place_project": forms.PlaceProjectForm(initial={"project": project.pk}, auto_id=f"{key}-place-%s"),
    })
    panel.choices.update(placements=placements, leaves=leaves, free_leaves=[i for i in leaves if i.pk not in listed],
                         section=Section.objects.select_related("department").filter(sheets__project=project).first())
    panel.refusal = deletion_refusal(project) or ""
    return _bind(panel, bound)

"""The plan's tree as pages show it: every item of a plan (or below one item)
with its children and the first projects listed under it, in a fixed number of
queries whatever the plan's depth or size."""

from typing import NamedTuple

from plans.models import Plan, PlanItem

# Pages that show many items list at most this many projects under each
# (the printed plan never has more than 10), with a link to the item's page.
PROJECTS_PER_ITEM = 12


def build(plan: Plan, *, root: PlanItem | None = None, limit: int | None = PROJECTS_PER_ITEM) -> list[PlanItem]:
    """The top items (or `root`'s children), each with `child_list`, `listed_placements`
    and `project_count`; three queries."""
    items = PlanItem.objects.filter(plan=plan)
    if root is not None:
        items = items.filter(path__startswith=f"{root.path}-")
    items = list(items.with_listed_projects(limit))
    by_pk = {item.pk: item for item in items}
    top = []
    for item in items:
        item.child_list = []
        item.plan = plan  # every item's URL names its plan: no query per item
    for item in items:
        parent = by_pk.get(item.parent_id)
        (parent.child_list if parent else top).append(item)
    return top


def ancestors(item: PlanItem) -> list[PlanItem]:
    """The items above `item`, top first (one query)."""
    found = list(PlanItem.objects.filter(plan_id=item.plan_id, path__in=item.ancestor_paths).select_related("level"))
    for above in found:
        above.plan = item.plan  # their URLs name the plan: no query each
    return sorted(found, key=lambda i: i.sort_key)


class ItemFact(NamedTuple):
    """What counts and tables show of a plan item (a plain tuple: it is cached)."""

    path: str
    code: str
    title: str
    level: str  # the level's name
    depth: int

    @property
    def label(self):
        """「目標Ⅰ」: the level's name and the code (as PlanItem.label)."""
        return f"{self.level}{self.code}"

    @property
    def heading(self):
        """As the plan heads it: 「目標Ⅰ 市民ニーズに…」 at the top level, 「Ⅰ-2 市民に身近な…」 below."""
        return f"{self.label} {self.title}" if self.depth == 1 else f"{self.code} {self.title}"


def outline(plan_id: int) -> dict:
    """The plan's items {path: ItemFact} in the tree's order and the levels they are
    on {depth: name} (one query, whatever the depth or size; counts and tables have
    nothing to show of a level without items)."""
    items = {
        path: ItemFact(path, code, title, level, depth)
        for path, code, title, level, depth in PlanItem.objects.filter(plan_id=plan_id).order_by("sort_key")
        .values_list("path", "code", "title", "level__name", "level__depth")
    }
    levels = dict(sorted({(item.depth, item.level) for item in items.values()}))
    return {"levels": levels, "items": items}


def is_under(path: str | None, scope: str | None) -> bool:
    """Whether the item at `path` is the item at `scope` or below it (any path is under no scope)."""
    return scope is None or (path is not None and (path == scope or path.startswith(f"{scope}-")))

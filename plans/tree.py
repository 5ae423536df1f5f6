"""The plan's tree as pages show it: every item of a plan (or below one item)
with its children and the first projects listed under it, in a fixed number of
queries whatever the plan's depth or size."""

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

"""Counts for work lists and the summary tables (表4-2, 4-3, 4-4), by the levels of
the plan and by department, from a fixed number of queries whatever the plan's shape."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count

from core import stamps
from governance.cycles.shares import table
from governance.models import ReportState
from governance.vocab import Direction, ImplementationStatus, Progress
from plans.models import ancestor_paths
from plans.tree import outline

VOCABULARIES = [
    ("implementation_status", "実施状況", ImplementationStatus),
    ("progress", "進捗度", Progress),
    ("direction", "今後の方向性", Direction),
]


def state_board(cycle):
    """{section: Counter(state → n)} and the totals, for 情報推進課's board."""
    rows = (
        cycle.reports.values("section_id", "section__name", "section__department__name", "state")
        .annotate(n=Count("pk")).order_by("section__department__sort_order", "section__sort_order")
    )
    board = defaultdict(Counter)
    names = {}
    for row in rows:
        key = row["section_id"]
        names[key] = (f"{row['section__department__name']}{row['section__name']}"
                      if key else "(担当部署未定)")
        board[key][row["state"]] += row["n"]
    totals = Counter()
    for counts in board.values():
        totals.update(counts)
    return [(key, names[key], board[key]) for key in board], totals


def cached_state_board(cycle, stamp):
    """state_board, cached under the data stamps read before it (core.stamps)."""
    return cache.get_or_set(f"state-board:{cycle.pk}:{stamp}", lambda: state_board(cycle), stamps.CACHE_TIMEOUT)


@dataclass
class Summary:
    """One vocabulary's tables: the whole plan, the items of the grouped levels, the departments."""

    title: str
    field: str
    scoped: list  # (scope, label, rows): scope is "plan", a level's depth or "department"

    @property
    def groups(self):
        """(label, rows) of every table, in the order they are printed."""
        return [(label, rows) for _, label, rows in self.scoped]

    @property
    def groups_of_plan(self):
        """(label, rows) of the whole plan and of each item (not the departments)."""
        return [(label, rows) for scope, label, rows in self.scoped if scope != "department"]

    @property
    def groups_of_departments(self):
        return self.groups_in("department")

    def groups_in(self, *scopes):
        return [(label, rows) for scope, label, rows in self.scoped if scope in scopes]


def grouped_depths(depths: list[int]) -> list[int]:
    """The levels a plan's tables are grouped by: every level above the one that lists
    the projects (an item of that level holds a handful of projects: its tables would
    be one or two rows of counts, and the plan never prints them); a plan of one
    level, by that level."""
    depths = sorted(depths)
    return depths[:-1] or depths


def summary_tables(cycle, *, states=None, depths=None):
    """Per vocabulary: the whole plan, then by each level of `depths` (by default
    grouped_depths) and by department.

    Counts reports whose department has reported (submitted or later) unless
    `states` says otherwise. A report counts once, under its project's home item and
    that item's ancestors. Ten queries (three per vocabulary and the plan's items),
    whatever the plan's depth or size.
    """
    states = states or [s for s in ReportState if s not in (ReportState.DRAFT, ReportState.RETURNED)]
    reports = cycle.reports.filter(state__in=states)
    home = "sheet__project__placements"
    at_home = reports.filter(**{f"{home}__is_home": True})
    items = outline(cycle.plan_id)["items"].values()
    if depths is None:
        depths = grouped_depths({item.depth for item in items})
    tables = []
    for field, title, vocab in VOCABULARIES:
        scoped = [("plan", "計画全体", table(vocab, _counts(reports, field)))]
        per_item = defaultdict(Counter)
        rows = at_home.values(f"{home}__item__path", field).annotate(n=Count("pk", distinct=True)).order_by()
        for row in rows:
            path = row[f"{home}__item__path"]
            for counted in (*ancestor_paths(path), path):
                per_item[counted][row[field]] += row["n"]
        for depth in depths:
            scoped += [(depth, item.heading, table(vocab, per_item[item.path]))
                       for item in items if item.depth == depth and item.path in per_item]
        per_department = defaultdict(Counter)
        department = ("section__department__sort_order", "section__department__name")
        for row in reports.values(*department, field).annotate(n=Count("pk")).order_by(*department):
            per_department[row["section__department__name"] or "(担当部署未定)"][row[field]] += row["n"]
        scoped += [("department", label, table(vocab, c)) for label, c in per_department.items()]
        tables.append(Summary(title, field, scoped))
    return tables


def _counts(reports, field):
    return Counter(dict(reports.values_list(field).annotate(n=Count("pk")).values_list(field, "n")))

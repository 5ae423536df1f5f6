"""Counts for work lists and the summary tables (表4-2, 4-3, 4-4), by goal,
policy and department, from one query per table."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count

from core import stamps
from governance.cycles.shares import table
from governance.models import ReportState
from governance.vocab import Direction, ImplementationStatus, Progress

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
    title: str
    field: str
    groups: list  # (group label, rows)


def summary_tables(cycle, *, states=None):
    """Per vocabulary: the whole plan, then by goal, by policy and by department.

    Counts reports whose department has reported (submitted or later) unless
    `states` says otherwise.
    """
    states = states or [s for s in ReportState if s not in (ReportState.DRAFT, ReportState.RETURNED)]
    reports = cycle.reports.filter(state__in=states)
    home = "sheet__project__placements"
    base = reports.filter(**{f"{home}__is_home": True})
    grouped = {
        "goal": (f"{home}__measure__policy__goal__number", f"{home}__measure__policy__goal__title"),
        "policy": (f"{home}__measure__policy__goal__number", f"{home}__measure__policy__number",
                   f"{home}__measure__policy__title"),
        "department": ("section__department__sort_order", "section__department__name"),
    }
    tables = []
    for field, title, vocab in VOCABULARIES:
        groups = [("計画全体", table(vocab, Counter(dict(
            reports.values_list(field).annotate(n=Count("pk")).values_list(field, "n")))))]
        for group, keys in grouped.items():
            counts = defaultdict(Counter)
            for row in base.values(*keys, field).annotate(n=Count("pk", distinct=True)).order_by(*keys):
                counts[_label(group, row, keys)][row[field]] += row["n"]
            groups += [(label, table(vocab, c)) for label, c in counts.items()]
        tables.append(Summary(title, field, groups))
    return tables


def _label(group, row, keys):
    from plans.models import ROMAN

    if group == "goal":
        return f"目標{ROMAN[row[keys[0]]]} {row[keys[1]]}"
    if group == "policy":
        return f"{ROMAN[row[keys[0]]]}-{row[keys[1]]} {row[keys[2]]}"
    return row[keys[1]] or "(担当部署未定)"

"""The executives' dashboard: how the plan stands for a fiscal year, by goal →
policy → measure and by department, with the trend over the plan's years.

Every figure comes from the cycle's facts (`cycle_facts`, `trend_facts`): a fixed
number of queries whatever the size of the city, made once per change of the data
(the view caches the facts under the data stamps), so that another filter or
vocabulary costs no query. Percentages follow the summary tables' rule (one decimal,
100.0%).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from urllib.parse import quote_plus

from django.db.models import Count, F, FilteredRelation, Q
from django.urls import reverse

from accounts.models import Department
from governance.cycles.shares import shares
from governance.models import AnnualReport, CycleKind, IndicatorResult, ReportState, ReviewCycle
from governance.vocab import Decision, Direction, ImplementationStatus, Progress
from plans.models import ROMAN, PlanItem as Measure  # WIP: rewritten by the dashboard change

VOCABS = {
    "implementation_status": ("実施状況", ImplementationStatus),
    "progress": ("進捗度", Progress),
    "direction": ("今後の方向性", Direction),
    "decision": ("戦略本部の判断", Decision),
}
REPORTED = [ReportState.SUBMITTED, ReportState.CONFIRMED, ReportState.EVALUATED,
            ReportState.DECIDED, ReportState.REFLECTED]
HOME = "sheet__project__placements"
UNREPORTED = "未報告"
_quoted = lru_cache(maxsize=4096)(quote_plus)


@dataclass
class Filters:
    plan: object
    year: int
    goal: int | None = None
    department: object = None

    def query(self, **extra):
        params = {"plan": self.plan.code, "year": self.year}
        if self.goal:
            params["goal"] = self.goal
        if self.department:
            params["department"] = self.department.code
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        # As urlencode() writes it; the dashboard asks for hundreds of these with the
        # same few keys and values.
        return "&".join(f"{_quoted(str(k))}={_quoted(str(v))}" for k, v in params.items())

    @cached_property
    def drill_path(self):
        return reverse("governance:dashboard_projects")


@dataclass
class Node:
    """A goal, policy or measure (or a department) with its counts per vocabulary."""

    key: tuple
    label: str
    params: dict  # what narrows the drill-down to this node's projects
    filters: object = None
    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    children: list = field(default_factory=list)

    unreported: int = 0  # reports still 作成中 or 差戻し中 (departments only)

    def row(self, field_name, *, with_unreported=False):
        """(label, count, share, value, drill-down URL) for each choice of a vocabulary,
        then 未報告 when asked; the shares of the cells shown add up to 100.0%."""
        vocab = VOCABS[field_name][1]
        cells = [(label, self.counts[field_name].get(value, 0), value,
                  drill_url(self.filters, **self.params, field=field_name, value=value))
                 for label, value in zip(vocab.labels, vocab.values)]
        if with_unreported:
            cells.append((UNREPORTED, self.unreported, "unreported",
                          drill_url(self.filters, **self.params, field="unreported")))
        return [(label, count, share, value, url)
                for (label, count, value, url), share in zip(cells, shares([c[1] for c in cells]))]

    @property
    def total(self):
        return sum(self.counts["progress"].values()) or sum(self.counts["implementation_status"].values())


def cycle_for(filters):
    return (
        ReviewCycle.objects.filter(plan=filters.plan, fiscal_year=filters.year, kind=CycleKind.ANNUAL)
        .order_by("-opened_at").first()
    )


def scoped_reports(cycle, filters):
    reports = AnnualReport.objects.filter(cycle=cycle)
    if filters.goal:
        reports = reports.filter(**{f"{HOME}__is_home": True, f"{HOME}__measure__policy__goal__number": filters.goal})
    if filters.department:
        reports = reports.filter(section__department=filters.department)
    return reports


# ─── Facts: what every view of a cycle is counted from ─────────────────────
#
# The figures of one cycle are counted once per change of the data (the caller caches
# these facts under the data stamps), in a few queries whatever the size of the city;
# every filter (goal, department) and vocabulary is then a pass over them in Python.

def cycle_facts(cycle):
    """Counts of the cycle's reports per (home measure, department): the states of all
    reports, and each vocabulary of the reported ones; the plan's measures and the
    departments for the labels; indicator results per (goal, department)."""
    home = FilteredRelation(HOME, condition=Q(**{f"{HOME}__is_home": True}))
    rows = (AnnualReport.objects.filter(cycle=cycle).annotate(home=home)
            .values_list("home__measure", "section__department", "state", *VOCABS).order_by())
    cells = {}
    reported = set(REPORTED)
    for measure, department, state, *values in rows:
        cell = cells.get((measure, department))
        if cell is None:
            cell = cells[(measure, department)] = {name: Counter() for name in ("state", *VOCABS)}
        cell["state"][state] += 1
        if state in reported:
            for name, value in zip(VOCABS, values):
                if value:
                    cell[name][value] += 1
    measure_ids = {m for m, _ in cells if m is not None}
    measures = {
        m.pk: (m.policy.goal.number, m.policy.number, m.number, m.policy.goal.title, m.policy.title, m.title)
        for m in Measure.objects.filter(pk__in=measure_ids).select_related("policy__goal")
    }
    department_ids = {d for _, d in cells if d is not None}
    departments = {d.pk: (d.sort_order, d.code, d.name) for d in Department.objects.filter(pk__in=department_ids)}
    return {"cells": cells, "measures": measures, "departments": departments,
            "achievement": _achievement_facts(cycle)}


def _achievement_facts(cycle):
    """(goal number, department id, indicators with a result, how many reached their
    target) of the reported reports (governance.cycles.quality.achievement ≥ 100%, counted in
    the database)."""
    up, down = Q(indicator__direction="up"), Q(indicator__direction="down")
    rated = Q(target__isnull=False) & ((up & Q(target__gt=0)) | (down & (Q(actual__gt=0) | Q(target=0))))
    met = (up & Q(actual__gte=F("target"))) | (down & Q(actual__lte=F("target")))
    goal = f"report__{HOME}__measure__policy__goal__number"
    department = "report__section__department"
    return list(
        IndicatorResult.objects.filter(report__cycle=cycle, report__state__in=REPORTED,
                                       actual__isnull=False, indicator__is_qualitative=False,
                                       **{f"report__{HOME}__is_home": True})
        # A join on the year's target (one per indicator and year), not a subquery per row.
        .filter(indicator__targets__fiscal_year=cycle.fiscal_year)
        .annotate(target=F("indicator__targets__value")).filter(rated)
        .values(goal, department).annotate(total=Count("pk"), met=Count("pk", filter=met)).order_by()
        .values_list(goal, department, "total", "met")
    )


def trend_facts(plan):
    """進捗度 of the reported reports of the latest annual cycle of each year, counted
    per (year, home goal, department, 進捗度)."""
    latest = {}
    for pk, year in (ReviewCycle.objects.filter(plan=plan, kind=CycleKind.ANNUAL)
                     .order_by("opened_at", "pk").values_list("pk", "fiscal_year")):
        latest[year] = pk
    year_of = {pk: year for year, pk in latest.items()}
    home = FilteredRelation(HOME, condition=Q(**{f"{HOME}__is_home": True}))
    rows = (AnnualReport.objects.filter(cycle__in=latest.values(), state__in=REPORTED).annotate(home=home)
            .values_list("cycle", "home__measure__policy__goal__number", "section__department", "progress")
            .annotate(n=Count("pk")).order_by())
    return [(year_of[cycle], goal, department, progress, n) for cycle, goal, department, progress, n in rows]


def _selected(facts, filters):
    """The cells of the facts within the filters (a goal: reports whose home is under it)."""
    goal = filters.goal
    department = filters.department.pk if filters.department else None
    measures = facts["measures"]
    for (measure, dept), cell in facts["cells"].items():
        if goal and (measure is None or measures[measure][0] != goal):
            continue
        if department and dept != department:
            continue
        yield measure, dept, cell


# ─── Figures, from the facts ──────────────────────────────────────────────

def totals(facts, filters):
    """(reports in scope, reports reported)."""
    total = reported = 0
    for _, _, cell in _selected(facts, filters):
        states = cell["state"]
        total += sum(states.values())
        reported += sum(states[s] for s in REPORTED)
    return total, reported


def hierarchy(facts, filters):
    """Goal → policy → measure nodes with counts per vocabulary (reported reports only,
    each counted under its project's home measure)."""
    by_measure = defaultdict(list)
    for measure, _, cell in _selected(facts, filters):
        # A measure is listed once a report under it is in (作成中 and 差戻し中 count nowhere here).
        if measure is not None and any(cell["state"][state] for state in REPORTED):
            by_measure[measure].append(cell)
    goals = {}
    for pk in sorted(by_measure, key=lambda pk: facts["measures"][pk][:3]):
        g, p, m, goal_title, policy_title, measure_title = facts["measures"][pk]
        goal = goals.get(g)
        if goal is None:
            goal = goals[g] = Node((g,), f"目標{ROMAN[g]} {goal_title}", {"goal": g}, filters)
        policy = _child(goal, (g, p), f"{ROMAN[g]}-{p} {policy_title}", {"policy": f"{g}-{p}"}, filters)
        node = _child(policy, (g, p, m), f"{ROMAN[g]}-{p}-{m} {measure_title}", {"measure": f"{g}-{p}-{m}"},
                      filters)
        for cell in by_measure[pk]:
            for field_name in VOCABS:
                counted = cell[field_name]
                for target in (goal, policy, node):
                    target.counts[field_name].update(counted)
    return [goals[k] for k in sorted(goals)]


def _child(parent, key, label, params, filters):
    for child in parent.children:
        if child.key == key:
            return child
    node = Node(key, label, params, filters)
    parent.children.append(node)
    return node


def by_department(facts, filters):
    """Department nodes (keyed by the department's code; every department with a
    report, with its unreported count) and the state board, departments with the
    most unsubmitted or returned reports first."""
    nodes, states, names = {}, defaultdict(Counter), {}
    for _, dept, cell in _selected(facts, filters):
        order, code, name = facts["departments"][dept] if dept is not None else (0, "", "(担当部署未定)")
        node = nodes.get((order, code))
        if node is None:
            node = nodes[(order, code)] = Node(
                (code or None,), name, {"department": code} if code else {"unassigned": 1}, filters)
        for field_name in VOCABS:
            node.counts[field_name].update(cell[field_name])
        node.unreported += sum(n for state, n in cell["state"].items() if state not in REPORTED)
        states[code].update(cell["state"])
        names[code] = name
    board = sorted(
        ((names[k], k, states[k]) for k in states),
        key=lambda item: (-(item[2][ReportState.DRAFT] + item[2][ReportState.RETURNED]), item[0]),
    )
    return [nodes[k] for k in sorted(nodes)], board


def indicator_achievement(facts, filters):
    """Per goal: indicators with a result, and how many reached their target."""
    department = filters.department.pk if filters.department else None
    per_goal = defaultdict(lambda: [0, 0])
    for goal, dept, total, met in facts["achievement"]:
        if (filters.goal and goal != filters.goal) or (department and dept != department):
            continue
        per_goal[goal][0] += total
        per_goal[goal][1] += met
    return [
        (f"目標{ROMAN[goal]}", total, met, shares([met, total - met])[0])
        for goal, (total, met) in sorted(per_goal.items())
    ]


def trend(rows, filters):
    """進捗度 over the plan's years, from the latest annual cycle of each year."""
    department = filters.department.pk if filters.department else None
    counts = defaultdict(Counter)
    for year, goal, dept, progress, n in rows:
        if (filters.goal and goal != filters.goal) or (department and dept != department):
            continue
        counts[year][progress] += n
    return [(year, [counts[year].get(v, 0) for v in Progress.values]) for year in filters.plan.years]


def drill_url(filters, **extra):
    return f"{filters.drill_path}?{filters.query(**extra)}"

"""The executives' dashboard: how the plan stands for a fiscal year, by goal →
policy → measure and by department, with the trend over the plan's years.

Every figure comes from a fixed number of grouped queries, whatever the size of
the city; percentages follow the summary tables' rule (one decimal, 100.0%).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Subquery
from django.urls import reverse

from governance.models import AnnualReport, CycleKind, IndicatorResult, ReportState, ReviewCycle
from governance.quality import achievement
from governance.summary import shares
from governance.vocab import Decision, Direction, ImplementationStatus, Progress
from plans.models import ROMAN
from projects.models import IndicatorTarget

VOCABS = {
    "implementation_status": ("実施状況", ImplementationStatus),
    "progress": ("進捗度", Progress),
    "direction": ("今後の方向性", Direction),
    "decision": ("戦略本部の判断", Decision),
}
REPORTED = [ReportState.SUBMITTED, ReportState.CONFIRMED, ReportState.EVALUATED,
            ReportState.DECIDED, ReportState.REFLECTED]
HOME = "sheet__project__placements"


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
        return urlencode(params)


@dataclass
class Node:
    """A goal, policy or measure (or a department) with its counts per vocabulary."""

    key: tuple
    label: str
    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    children: list = field(default_factory=list)

    def row(self, field_name):
        vocab = VOCABS[field_name][1]
        values = [self.counts[field_name].get(v, 0) for v in vocab.values]
        return list(zip(vocab.labels, values, shares(values), vocab.values))

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


def hierarchy(reports):
    """Goal → policy → measure nodes with counts per vocabulary (reported reports only)."""
    keys = [f"{HOME}__measure__policy__goal__number", f"{HOME}__measure__policy__goal__title",
            f"{HOME}__measure__policy__number", f"{HOME}__measure__policy__title",
            f"{HOME}__measure__number", f"{HOME}__measure__title"]
    goals = {}
    base = reports.filter(state__in=REPORTED, **{f"{HOME}__is_home": True})
    for field_name in VOCABS:
        rows = base.values(*keys, field_name).annotate(n=Count("pk", distinct=True)).order_by(*keys)
        for row in rows:
            g, gt, p, pt, m, mt = (row[k] for k in keys)
            goal = goals.setdefault(g, Node((g,), f"目標{ROMAN[g]} {gt}"))
            policy = _child(goal, (g, p), f"{ROMAN[g]}-{p} {pt}")
            measure = _child(policy, (g, p, m), f"{ROMAN[g]}-{p}-{m} {mt}")
            for node in (goal, policy, measure):
                if row[field_name]:
                    node.counts[field_name][row[field_name]] += row["n"]
    return [goals[k] for k in sorted(goals)]


def _child(parent, key, label):
    for child in parent.children:
        if child.key == key:
            return child
    node = Node(key, label)
    parent.children.append(node)
    return node


def by_department(reports):
    nodes = {}
    for field_name in VOCABS:
        rows = (reports.filter(state__in=REPORTED)
                .values("section__department__sort_order", "section__department__name", field_name)
                .annotate(n=Count("pk")).order_by("section__department__sort_order"))
        for row in rows:
            key = row["section__department__sort_order"]
            node = nodes.setdefault(key, Node((key,), row["section__department__name"] or "(担当部署未定)"))
            if row[field_name]:
                node.counts[field_name][row[field_name]] += row["n"]
    states = defaultdict(Counter)
    names = {}
    for row in (reports.values("section__department__sort_order", "section__department__name", "state")
                .annotate(n=Count("pk"))):
        key = row["section__department__sort_order"]
        names[key] = row["section__department__name"] or "(担当部署未定)"
        states[key][row["state"]] += row["n"]
    pending = (ReportState.DRAFT, ReportState.RETURNED)
    board = sorted(
        ((names[k], states[k]) for k in states),
        key=lambda item: (-(item[1][ReportState.DRAFT] + item[1][ReportState.RETURNED]), item[0]),
    )
    return [nodes[k] for k in sorted(nodes)], board, pending


def indicator_achievement(reports, year):
    """Per goal: indicators with a result, and how many reached their target."""
    target = Subquery(
        IndicatorTarget.objects.filter(indicator=OuterRef("indicator"), fiscal_year=year).values("value")[:1]
    )
    rows = (
        IndicatorResult.objects.filter(report__in=reports.filter(state__in=REPORTED),
                                       actual__isnull=False, indicator__is_qualitative=False,
                                       **{f"report__{HOME}__is_home": True})
        .annotate(target=target)
        .values_list(f"report__{HOME}__measure__policy__goal__number", "actual", "target",
                     "indicator__direction")
    )
    per_goal = defaultdict(lambda: [0, 0])
    for goal, actual, target_value, direction in rows:
        rate = achievement(actual, target_value, direction)
        if rate is None:
            continue
        per_goal[goal][0] += 1
        per_goal[goal][1] += rate >= 100
    return [(f"目標{ROMAN[g]}", total, met, shares([met, total - met])[0]) for g, (total, met) in sorted(per_goal.items())]


def trend(filters):
    """進捗度 over the plan's years, one annual cycle per year (the latest)."""
    reports = AnnualReport.objects.filter(cycle__plan=filters.plan, cycle__kind=CycleKind.ANNUAL,
                                          state__in=REPORTED)
    if filters.goal:
        reports = reports.filter(**{f"{HOME}__is_home": True, f"{HOME}__measure__policy__goal__number": filters.goal})
    if filters.department:
        reports = reports.filter(section__department=filters.department)
    counts = defaultdict(Counter)
    for year, value, n in reports.values_list("cycle__fiscal_year", "progress").annotate(n=Count("pk")):
        counts[year][value] += n
    return [(year, [counts[year].get(v, 0) for v in Progress.values]) for year in filters.plan.years]


def drill_url(filters, **extra):
    return f"{reverse('governance:dashboard_projects')}?{filters.query(**extra)}"

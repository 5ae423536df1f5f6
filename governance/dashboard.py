"""The executives' dashboard: how the plan stands for a fiscal year, by goal →
policy → measure and by department, with the trend over the plan's years.

Every figure comes from a fixed number of grouped queries, whatever the size of
the city; percentages follow the summary tables' rule (one decimal, 100.0%).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.urls import reverse

from governance.models import AnnualReport, CycleKind, IndicatorResult, ReportState, ReviewCycle
from governance.summary import shares
from governance.vocab import Decision, Direction, ImplementationStatus, Progress
from plans.models import ROMAN, Measure

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


def hierarchy(reports, filters):
    """Goal → policy → measure nodes with counts per vocabulary (reported reports only).

    One grouped query by home measure (a project has exactly one home placement,
    so each report is counted once), then the plan's measures for the labels."""
    base = reports.filter(state__in=REPORTED, **{f"{HOME}__is_home": True})
    rows = base.values(f"{HOME}__measure", *VOCABS).annotate(n=Count("pk")).order_by()
    counts = defaultdict(list)
    for row in rows:
        counts[row[f"{HOME}__measure"]].append(row)
    measures = (Measure.objects.filter(pk__in=counts).select_related("policy__goal")
                .order_by("policy__goal__number", "policy__number", "number"))
    goals = {}
    for measure in measures:
        g, p, m = measure.policy.goal.number, measure.policy.number, measure.number
        goal = goals.setdefault(g, Node((g,), f"目標{ROMAN[g]} {measure.policy.goal.title}", {"goal": g}, filters))
        policy = _child(goal, (g, p), f"{ROMAN[g]}-{p} {measure.policy.title}", {"policy": f"{g}-{p}"}, filters)
        node = _child(policy, (g, p, m), f"{ROMAN[g]}-{p}-{m} {measure.title}", {"measure": f"{g}-{p}-{m}"},
                      filters)
        for row in counts[measure.pk]:
            for target in (goal, policy, node):
                for field_name in VOCABS:
                    if row[field_name]:
                        target.counts[field_name][row[field_name]] += row["n"]
    return [goals[k] for k in sorted(goals)]


def _child(parent, key, label, params, filters):
    for child in parent.children:
        if child.key == key:
            return child
    node = Node(key, label, params, filters)
    parent.children.append(node)
    return node


def by_department(reports, filters):
    """Department nodes (keyed by the department's code; every department with a
    report, with its unreported count) and the state board, departments with the
    most unsubmitted or returned reports first."""
    dept = ("section__department__sort_order", "section__department__code", "section__department__name")
    nodes = {}

    def node_of(row):
        order, code, name = (row[k] for k in dept)
        return nodes.setdefault((order or 0, code or ""), Node(
            (code,), name or "(担当部署未定)", {"department": code} if code else {"unassigned": 1}, filters))

    rows = (reports.filter(state__in=REPORTED).values(*dept, *VOCABS)
            .annotate(n=Count("pk")).order_by(*dept[:2]))
    for row in rows:
        node = node_of(row)
        for field_name in VOCABS:
            if row[field_name]:
                node.counts[field_name][row[field_name]] += row["n"]
    states = defaultdict(Counter)
    names = {}
    for row in reports.values(*dept, "state").annotate(n=Count("pk")).order_by():
        key = row["section__department__code"] or ""
        names[key] = row["section__department__name"] or "(担当部署未定)"
        states[key][row["state"]] += row["n"]
        if row["state"] not in REPORTED:
            node_of(row).unreported += row["n"]
    board = sorted(
        ((names[k], k, states[k]) for k in states),
        key=lambda item: (-(item[2][ReportState.DRAFT] + item[2][ReportState.RETURNED]), item[0]),
    )
    return [nodes[k] for k in sorted(nodes)], board


def indicator_achievement(reports, year):
    """Per goal: indicators with a result, and how many reached their target
    (governance.quality.achievement ≥ 100%, counted in the database)."""
    up, down = Q(indicator__direction="up"), Q(indicator__direction="down")
    rated = Q(target__isnull=False) & ((up & Q(target__gt=0)) | (down & (Q(actual__gt=0) | Q(target=0))))
    met = (up & Q(actual__gte=F("target"))) | (down & Q(actual__lte=F("target")))
    goal = f"report__{HOME}__measure__policy__goal__number"
    rows = (
        IndicatorResult.objects.filter(report__in=reports.filter(state__in=REPORTED),
                                       actual__isnull=False, indicator__is_qualitative=False,
                                       **{f"report__{HOME}__is_home": True})
        # A join on the year's target (one per indicator and year), not a subquery per row.
        .filter(indicator__targets__fiscal_year=year)
        .annotate(target=F("indicator__targets__value")).filter(rated)
        .values(goal).annotate(total=Count("pk"), met=Count("pk", filter=met)).order_by(goal)
    )
    return [
        (f"目標{ROMAN[row[goal]]}", row["total"], row["met"], shares([row["met"], row["total"] - row["met"]])[0])
        for row in rows
    ]


def trend(filters):
    """進捗度 over the plan's years, from the latest annual cycle of each year."""
    latest = {}
    for pk, year in (ReviewCycle.objects.filter(plan=filters.plan, kind=CycleKind.ANNUAL)
                     .order_by("opened_at", "pk").values_list("pk", "fiscal_year")):
        latest[year] = pk
    reports = AnnualReport.objects.filter(cycle__in=latest.values(), state__in=REPORTED)
    if filters.goal:
        reports = reports.filter(**{f"{HOME}__is_home": True, f"{HOME}__measure__policy__goal__number": filters.goal})
    if filters.department:
        reports = reports.filter(section__department=filters.department)
    year_of = {pk: year for year, pk in latest.items()}
    counts = defaultdict(Counter)
    for cycle_id, value, n in reports.values_list("cycle", "progress").annotate(n=Count("pk")).order_by():
        counts[year_of[cycle_id]][value] += n
    return [(year, [counts[year].get(v, 0) for v in Progress.values]) for year in filters.plan.years]


def drill_url(filters, **extra):
    return f"{reverse('governance:dashboard_projects')}?{filters.query(**extra)}"

"""The executives' dashboard: how the plan stands for a fiscal year, by the plan's own
levels (目標 → 基本方針 → 情報化施策 for the second plan; any names, one to five levels)
and by department, with the trend over the plan's years.

Every figure comes from the plan's outline (`plans.tree.outline`) and the cycle's facts
(`cycle_facts`, `trend_facts`): a fixed number of queries whatever the depth or the
size of the plan, made once per change of the data (the views cache them under the
data stamps), so that another filter, level or vocabulary costs no query. A report is
counted under its project's home item and each of that item's ancestors, so every
level sums exactly to the level above. Percentages follow the summary tables' rule
(one decimal, 100.0%).
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from urllib.parse import quote_plus

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q
from django.urls import reverse

from accounts.models import Department
from governance.cycles.shares import shares
from governance.models import AnnualReport, CycleKind, IndicatorResult, ReportState, ReviewCycle
from governance.vocab import Decision, Direction, ImplementationStatus, Progress
from plans.models import ancestor_paths
from plans.tree import is_under, outline

VOCABS = {
    "implementation_status": ("実施状況", ImplementationStatus),
    "progress": ("進捗度", Progress),
    "direction": ("今後の方向性", Direction),
    "decision": ("戦略本部の判断", Decision),
}
REPORTED = [ReportState.SUBMITTED, ReportState.CONFIRMED, ReportState.EVALUATED,
            ReportState.DECIDED, ReportState.REFLECTED]
# A year is "settled" once a body has looked at its reports: the 検討会議 evaluated or the
# 戦略本部 decided (and the department may since have reflected it).
SETTLED = [ReportState.EVALUATED, ReportState.DECIDED, ReportState.REFLECTED]
HOME = "sheet__project__placements"
UNREPORTED = "未報告"
_quoted = lru_cache(maxsize=4096)(quote_plus)


def home_under(*scopes, prefix=HOME):
    """Reports whose project's home item is under every one of `scopes` (item paths), as
    one condition on one join of the placements."""
    condition = Q(**{f"{prefix}__is_home": True})
    for scope in scopes:
        condition &= Q(**{f"{prefix}__item__path": scope}) | Q(**{f"{prefix}__item__path__startswith": f"{scope}-"})
    return condition


@dataclass
class Filters:
    plan: object
    year: int
    item: str | None = None  # an item's path: its reports and those of the items below it
    department: object = None
    level: int = 1  # the level the chart and the achievement count by
    outline: dict = field(default=None, repr=False)
    why: str = ""  # why the year shown is the one shown
    started: tuple = ()  # the years with an annual cycle

    def query(self, **extra):
        params = {"plan": self.plan.code, "year": self.year}
        if self.item:
            params["item"] = self.item
        if self.department:
            params["department"] = self.department.code
        if self.level != 1:
            params["level"] = self.level
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        # As urlencode() writes it; the dashboard asks for hundreds of these with the
        # same few keys and values.
        return "&".join(f"{_quoted(str(k))}={_quoted(str(v))}" for k, v in params.items())

    @cached_property
    def drill_path(self):
        return reverse("governance:dashboard_projects")

    @property
    def item_fact(self):
        return self.outline["items"][self.item] if self.item else None

    @property
    def level_name(self):
        return self.outline["levels"].get(self.level, "")


@dataclass
class Node:
    """An item of any level (or a department) with its counts per vocabulary."""

    key: tuple
    label: str
    params: dict  # what narrows the drill-down to this node's projects
    filters: object = None
    depth: int = 1
    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    children: list = field(default_factory=list)

    unreported: int = 0  # reports still 作成中 or 差戻し中

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

    @property
    def indent(self):
        return self.depth - 1


def cycle_for(filters):
    return (
        ReviewCycle.objects.filter(plan=filters.plan, fiscal_year=filters.year, kind=CycleKind.ANNUAL)
        .order_by("-opened_at").first()
    )


def cycle_years(plan) -> dict[int, bool]:
    """{fiscal year: whether any report of it has been evaluated or decided} of the plan's
    years with an annual cycle. One query."""
    settled = Exists(AnnualReport.objects.filter(cycle=OuterRef("pk"), state__in=SETTLED))
    years = {}
    for year, is_settled in (ReviewCycle.objects.filter(plan=plan, kind=CycleKind.ANNUAL)
                             .annotate(settled=settled).values_list("fiscal_year", "settled").order_by()):
        years[year] = years.get(year, False) or is_settled
    return years


def default_year(plan, years: dict[int, bool]) -> tuple[int, str]:
    """The year the dashboard opens on, and why: the latest year evaluated or decided
    (a newly opened cycle is empty for months while the previous year is the one the
    bodies discuss), else the latest year started, else the plan's first year."""
    in_plan = {year: settled for year, settled in years.items() if year in plan.years}
    if settled := [year for year, is_settled in in_plan.items() if is_settled]:
        return max(settled), "検討会議の評価・戦略本部の判断が始まった最新の年度"
    if in_plan:
        return max(in_plan), "検討会議の評価・戦略本部の判断が始まった年度がまだないため、進行管理を開始した最新の年度"
    return plan.start_year, "年次進行管理をまだ開始していないため、計画の初年度"


def scoped_reports(cycle, filters, *, node=None):
    """The cycle's reports within the filters (and under the item at `node`, a row of the
    hierarchy)."""
    reports = AnnualReport.objects.filter(cycle=cycle)
    if scopes := [s for s in (filters.item, node) if s]:
        reports = reports.filter(home_under(*scopes))
    if filters.department:
        reports = reports.filter(section__department=filters.department)
    return reports


# ─── Facts: what every view of a cycle is counted from ─────────────────────
#
# The figures of one cycle are counted once per change of the data (the caller caches
# these facts under the data stamps), in a few queries whatever the size of the city;
# every filter (item, department), level and vocabulary is then a pass over them in Python.

def _home():
    return FilteredRelation(HOME, condition=Q(**{f"{HOME}__is_home": True}))


def cycle_facts(cycle):
    """Counts of the cycle's reports per (home item's path, department): the states of
    all reports, and each vocabulary of the reported ones; the departments for the
    labels; indicator results per (home item's path, department)."""
    rows = (AnnualReport.objects.filter(cycle=cycle).annotate(home=_home())
            .values_list("home__item__path", "section__department", "state", *VOCABS).order_by())
    cells = {}
    reported = set(REPORTED)
    for path, department, state, *values in rows:
        cell = cells.get((path, department))
        if cell is None:
            cell = cells[(path, department)] = {name: Counter() for name in ("state", *VOCABS)}
        cell["state"][state] += 1
        if state in reported:
            for name, value in zip(VOCABS, values):
                if value:
                    cell[name][value] += 1
    department_ids = {d for _, d in cells if d is not None}
    departments = {d.pk: (d.sort_order, d.code, d.name) for d in Department.objects.filter(pk__in=department_ids)}
    return {"cells": cells, "departments": departments, "achievement": _achievement_facts(cycle),
            "attention": _attention_facts(cycle), "indicators": _indicator_facts(cycle)}


# What the executives are shown first: 未実施, then 計画を下回っている, then 未報告.
WORST_FIRST = {Progress.NOT_DONE: 0, Progress.BEHIND: 1, UNREPORTED: 2}
# The 戦略本部's decisions that ask the department to act (not 拡充・継続).
ACTING = [Decision.IMPROVE, Decision.REDUCE, Decision.SUSPEND, Decision.COMPLETE]


@dataclass(frozen=True)
class Flagged:
    """A report the executive view lists: behind, not reported, or decided otherwise than 継続."""

    report: int
    path: str
    department: int | None
    code: str
    name: str
    section: str
    state: str
    standing: str  # a 進捗度 value (behind or not done), UNREPORTED, or "" for a report on plan
    decision: str
    instruction: str

    @property
    def rank(self):
        return WORST_FIRST.get(self.standing, 3), self.code

    @property
    def standing_label(self):
        if self.standing == UNREPORTED:
            return f"{UNREPORTED}({ReportState(self.state).label})"
        return Progress(self.standing).label if self.standing else ""


def _attention_facts(cycle):
    """The cycle's reports the executive view lists (Flagged), worst first. One query."""
    reported = Q(state__in=REPORTED)
    rows = (AnnualReport.objects.filter(cycle=cycle)
            .filter(~reported | Q(progress__in=[Progress.BEHIND, Progress.NOT_DONE]) | Q(decision__in=ACTING))
            .annotate(home=_home())
            .values_list("pk", "home__item__path", "section__department", "sheet__project__code",
                         "sheet__project__name", "section__department__name", "section__name", "state",
                         "progress", "decision", "decision_comment").order_by())
    flagged = []
    for pk, path, dept, code, name, dept_name, section, state, progress, decision, comment in rows:
        if state not in REPORTED:
            standing = UNREPORTED
        else:
            standing = progress if progress in (Progress.BEHIND, Progress.NOT_DONE) else ""
        flagged.append((pk, path, dept, code, name, f"{dept_name or ''}{section or '(担当部署未定)'}",
                               state, standing, decision, comment))
    # Plain tuples (Flagged's fields): the facts are cached, and thousands of dataclasses
    # take ten times longer to unpickle on every page that reads them.
    return sorted(flagged, key=lambda f: (WORST_FIRST.get(f[7], 3), f[3]))


@dataclass(frozen=True)
class Shortfall:
    """An indicator short of its target this year, with its achievement (governance.achievement)."""

    report: int
    path: str
    department: int | None
    code: str
    project: str
    indicator: str
    unit: str
    target: object  # numbers as text (the cached facts keep them so), Decimal-ready
    actual: object
    rate: object

    @property
    def rate_text(self) -> str:
        from governance.achievement import format_rate

        return format_rate(self.rate) if self.rate is not None else "未達成(判定の変更)"


def _indicator_facts(cycle):
    """The reported indicators that did not reach the year's target, furthest first: those
    with a rate (both methods, governance.achievement) below 100%, unless 情報推進課 rated
    them 達成; then those 情報推進課 rated 未達成 without a rate. One query: the database
    keeps only the rated ones not met (_rating, the rule of governance.achievement without
    dividing); the rate of each is governance.achievement's, from plain values."""
    from governance.achievement import measure

    rated, met = _rating()
    rows = (_rated_results(cycle).filter(rated & ~met)
            .values_list("report_id", f"report__{HOME}__item__path", "report__section__department",
                         "report__sheet__project__code", "report__sheet__project__name", "indicator__name",
                         "indicator__unit", "target", "actual", "indicator__direction",
                         "indicator__achievement_method", "indicator__baseline_value")
            .order_by())
    short = [(report, path, department, code, project, name, unit, target, actual,
              measure(actual, target, direction, method, baseline).rate)
             for report, path, department, code, project, name, unit, target, actual, direction, method, baseline
             in rows]
    short.sort(key=lambda s: (s[9] is None, s[9] if s[9] is not None else 0, s[3]))  # Shortfall's fields
    # The numbers as text: the facts are cached, and thousands of Decimals are slow to unpickle.
    return [(*row[:7], _text(row[7]), _text(row[8]), _text(row[9])) for row in short]


def _text(number):
    return None if number is None else str(number)


def _achievement_facts(cycle):
    """(home item's path, department id, indicators with a result, how many reached their
    target) of the reported reports: an indicator with a rate (governance.achievement) and
    met when the rate is 100% or more before rounding, counted in the database without
    dividing (_rating)."""
    rated, met = _rating()
    item = f"report__{HOME}__item__path"
    department = "report__section__department"
    return list(
        _rated_results(cycle).filter(rated)
        .values(item, department).annotate(total=Count("pk"), met=Count("pk", filter=met)).order_by()
        .values_list(item, department, "total", "met")
    )


def _rated_results(cycle):
    """The cycle's reported numeric results at home, each with its year's `target`."""
    return (IndicatorResult.objects.filter(report__cycle=cycle, report__state__in=REPORTED,
                                           actual__isnull=False, indicator__is_qualitative=False,
                                           **{f"report__{HOME}__is_home": True})
            # A join on the year's target (one per indicator and year), not a subquery per row;
            # an outer join, so that a result 情報推進課 rated without a target still counts.
            .annotate(year_target=_year_target(cycle)).annotate(target=F("year_target__value")))


def _rating():
    """(rated, met) as conditions on _rated_results, governance.achievement's rule without
    dividing: a rate exists and is met when it is 100% or more before rounding.
    目標値に対する割合: 上向き actual ≥ target, 下向き actual ≤ target. 基準値からの進捗
    ((actual − baseline) ÷ (target − baseline) ≥ 1): actual ≥ target when the target is above
    the baseline, actual ≤ target when below; none when they are equal. 情報推進課's
    達成/未達成 (IndicatorResult.override_met) counts in place of the rate's."""
    up, down = Q(indicator__direction="up"), Q(indicator__direction="down")
    ratio, progress = Q(indicator__achievement_method="ratio"), Q(indicator__achievement_method="progress")
    baseline = F("indicator__baseline_value")
    rises, falls = Q(target__gt=baseline), Q(target__lt=baseline)  # both false without a baseline
    rated = Q(target__isnull=False) & (
        (ratio & ((up & Q(target__gt=0)) | (down & (Q(actual__gt=0) | Q(target=0)))))
        | (progress & (rises | falls)))
    met = ((ratio & ((up & Q(actual__gte=F("target"))) | (down & Q(actual__lte=F("target")))))
           | (progress & ((rises & Q(actual__gte=F("target"))) | (falls & Q(actual__lte=F("target"))))))
    said = Q(override_met__isnull=False)
    return said | rated, Q(override_met=True) | (~said & met)


def _year_target(cycle):
    """The indicator's target of the cycle's year, as an outer join (none when not set)."""
    return FilteredRelation("indicator__targets", condition=Q(indicator__targets__fiscal_year=cycle.fiscal_year))


def _latest_annual_cycles(plan) -> dict[int, int]:
    """{cycle pk: fiscal year} of the latest annual cycle of each year of the plan."""
    latest = {}
    for pk, year in (ReviewCycle.objects.filter(plan=plan, kind=CycleKind.ANNUAL)
                     .order_by("opened_at", "pk").values_list("pk", "fiscal_year")):
        latest[year] = pk
    return {pk: year for year, pk in latest.items()}


CARRIED_HOME = "sheet__project__succession__successors__placements"


def trend_facts(plan):
    """進捗度 of the reports of the latest annual cycle of each year (UNREPORTED for
    those still 作成中 or 差戻し中), counted per (year, home item's path, department,
    進捗度). For a plan that carried projects over from its predecessor, the
    predecessor's years come first, counting only the reports of the projects carried
    into this plan, under the item each was carried to (a project split in two counts
    once under each). Three queries."""
    year_of = _latest_annual_cycles(plan)
    rows = (AnnualReport.objects.filter(cycle__in=year_of).annotate(home=_home())
            .values_list("cycle", "home__item__path", "section__department", "progress", "state")
            .annotate(n=Count("pk")).order_by())
    facts = _trend_rows(rows, year_of)
    if plan.predecessor_id:
        earlier = _latest_annual_cycles(plan.predecessor)
        carried = (AnnualReport.objects.filter(cycle__in=earlier,
                                               **{f"{CARRIED_HOME}__project__plan": plan,
                                                  f"{CARRIED_HOME}__is_home": True})
                   .values_list("cycle", f"{CARRIED_HOME}__item__path", "section__department", "progress", "state")
                   .annotate(n=Count("pk", distinct=True)).order_by())
        facts += _trend_rows(carried, earlier)
    return facts


def _trend_rows(rows, year_of):
    reported = set(REPORTED)
    return [(year_of[cycle], path, department, progress if state in reported else UNREPORTED, n)
            for cycle, path, department, progress, state, n in rows]


def _selected(facts, filters):
    """The cells of the facts within the filters (an item: reports whose home is it or under it)."""
    department = filters.department.pk if filters.department else None
    for (path, dept), cell in facts["cells"].items():
        if not is_under(path, filters.item):
            continue
        if department and dept != department:
            continue
        yield path, dept, cell


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
    """The top items, each with its `children` down to the plan's last level, with counts
    per vocabulary of the reported reports and the count of the unreported ones (作成中,
    差戻し中), each report counted under its project's home item and every ancestor of
    it, so that the children of a node add up to it and the top items to the cycle's
    total, as the departments do."""
    items = filters.outline["items"]
    by_home = defaultdict(list)
    for path, _, cell in _selected(facts, filters):
        if path in items:
            by_home[path].append(cell)
    order = {path: i for i, path in enumerate(items)}
    nodes, top = {}, []
    for home in sorted(by_home, key=order.__getitem__):
        chain = []
        for path in (*ancestor_paths(home), home):
            node = nodes.get(path)
            if node is None:
                node = nodes[path] = _item_node(items[path], filters)
                (chain[-1].children if chain else top).append(node)
            chain.append(node)
        for cell in by_home[home]:
            unreported = _unreported(cell)
            for node in chain:
                node.unreported += unreported
                for field_name in VOCABS:
                    node.counts[field_name].update(cell[field_name])
    return top


def _unreported(cell):
    return sum(n for state, n in cell["state"].items() if state not in REPORTED)


def _item_node(item, filters):
    # The filter's item and its ancestors count only what is under the filter: the
    # filter alone narrows their drill-down. An item below it narrows it further.
    narrower = filters.item is None or item.path.startswith(f"{filters.item}-")
    return Node((item.path,), item.heading, {"node": item.path} if narrower else {}, filters, item.depth)


def tree_rows(tree):
    """Every node of the tree, top first, each followed by its children (preorder)."""
    for node in tree:
        yield node
        yield from tree_rows(node.children)


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
        node.unreported += _unreported(cell)
        states[code].update(cell["state"])
        names[code] = name
    board = sorted(
        ((names[k], k, states[k]) for k in states),
        key=lambda item: (-(item[2][ReportState.DRAFT] + item[2][ReportState.RETURNED]), item[0]),
    )
    return [nodes[k] for k in sorted(nodes)], board


def indicator_achievement(facts, filters):
    """Per item of the chosen level: indicators with a result, and how many reached their target."""
    items = filters.outline["items"]
    department = filters.department.pk if filters.department else None
    per_item = defaultdict(lambda: [0, 0])
    for path, dept, total, met in facts["achievement"]:
        if not is_under(path, filters.item) or (department and dept != department):
            continue
        key = "-".join(path.split("-")[:filters.level])
        if key in items:
            per_item[key][0] += total
            per_item[key][1] += met
    order = {path: i for i, path in enumerate(items)}
    return [
        (items[key].label, total, met, shares([met, total - met])[0])
        for key, (total, met) in sorted(per_item.items(), key=lambda kv: order[kv[0]])
    ]


def trend(rows, filters):
    """進捗度 and 未報告 over the plan's years, from the latest annual cycle of each year,
    after the predecessor's years of the projects carried into the plan (if any):
    (year, [count per 進捗度, 未報告], whether the year's cycle has been opened)."""
    counts = _trend_counts(rows, filters)
    earlier = sorted(year for year in counts if year < filters.plan.start_year)
    return [(year, [counts[year].get(v, 0) for v in (*Progress.values, UNREPORTED)],
             year < filters.plan.start_year or year in filters.started)
            for year in earlier + filters.plan.years]


def _trend_counts(rows, filters):
    department = filters.department.pk if filters.department else None
    counts = defaultdict(Counter)
    for year, path, dept, progress, n in rows:
        if not is_under(path, filters.item) or (department and dept != department):
            continue
        counts[year][progress] += n
    return counts


# The headline's groups of 進捗度: what the CIO asks first.
HEADLINE = [
    ("計画どおり", [Progress.ON_PLAN]),
    ("計画を下回っている", [Progress.BEHIND]),
    ("未実施・評価対象外", [Progress.NOT_DONE, Progress.NOT_RATED]),
    (UNREPORTED, [UNREPORTED]),
]


def headline(departments, trend_rows, filters):
    """[(label, count, change from the previous year or None)] of the year shown, counted
    as the department view counts (so the two agree); the previous year from the trend
    (the latest cycle of that year, in the same filters), if its cycle was opened."""
    now = Counter()
    for node in departments:
        now.update(node.counts["progress"])
        now[UNREPORTED] += node.unreported
    before = None
    for year, counts, started in trend_rows:
        if year == filters.year - 1 and started and year >= filters.plan.start_year:
            before = Counter(dict(zip((*Progress.values, UNREPORTED), counts)))
    return [(label, sum(now[v] for v in values),
             None if before is None else sum(now[v] - before[v] for v in values))
            for label, values in HEADLINE]


def progress_bars(cycle):
    """[(label, [count per 進捗度, 未報告])] of the whole plan, each item of the plan's
    first level and each department: the yearly report's chart, counted as the
    dashboard counts, so that paper and screen agree. A fixed number of queries
    (the outline and the cycle's facts), whatever the size of the plan."""
    filters = Filters(cycle.plan, cycle.fiscal_year, outline=outline(cycle.plan_id))
    facts = cycle_facts(cycle)
    departments, _ = by_department(facts, filters)

    def counts(node):
        return [count for _, count, _, _, _ in node.row("progress", with_unreported=True)]

    whole = [sum(column) for column in zip(*map(counts, departments))] or [0] * (len(Progress.values) + 1)
    return [("計画全体", whole), *((node.label, counts(node)) for node in (*hierarchy(facts, filters), *departments))]


def drill_url(filters, **extra):
    return f"{filters.drill_path}?{filters.query(**extra)}"


# ─── The executive view: status per top item, what is behind, what was decided ──

# An item's status by the share of its projects 計画どおり (未報告 counted in the whole):
# (at least this share, symbol, words, css class). Symbol and words, never colour alone.
STATUS_RULES = [
    (80, "○", "順調", "status-ok"),
    (50, "△", "一部に遅れ", "status-warn"),
    (0, "×", "遅れ", "status-bad"),
]
NO_REPORT_STATUS = ("－", "報告なし", "status-none")


@dataclass(frozen=True)
class ItemStatus:
    label: str
    symbol: str
    words: str
    css: str
    on_plan: int
    total: int
    share: object  # percent, one decimal
    url: str


def item_status(tree, filters):
    """The status of each top item of the tree (STATUS_RULES), compared on the exact
    fraction (8 of 10 is 順調; 7 of 9, 77.8%, is not)."""
    rows = []
    for node in tree:
        on_plan = node.counts["progress"].get(Progress.ON_PLAN, 0)
        total = sum(node.counts["progress"].values()) + node.unreported
        if total == node.unreported:
            symbol, words, css = NO_REPORT_STATUS
        else:
            symbol, words, css = next(rule[1:] for rule in STATUS_RULES if on_plan * 100 >= rule[0] * total)
        rows.append(ItemStatus(node.label, symbol, words, css, on_plan, total, shares([on_plan, total - on_plan])[0],
                               drill_url(filters, **node.params, field="progress", value=Progress.ON_PLAN)))
    return rows


class Rows(Sequence):
    """Rows of the facts (plain tuples) read as `kind` objects only when they are read: a
    page shows the first few of thousands, and its template asks for their number."""

    def __init__(self, rows, kind):
        self.rows, self.kind = rows, kind

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.kind(*row) for row in self.rows[index]]
        return self.kind(*self.rows[index])


def _in_filters(rows, filters):
    """The rows (path second, department third) within the item and department filters."""
    department = filters.department.pk if filters.department else None
    if filters.item is None and department is None:
        return rows
    return [row for row in rows if is_under(row[1], filters.item) and not (department and row[2] != department)]


def flagged(facts, filters):
    """(reports behind or not reported, worst first; reports the 戦略本部 asked to act on)
    within the filters, as Flagged."""
    rows = _in_filters(facts["attention"], filters)
    return (Rows([row for row in rows if row[7]], Flagged),
            Rows([row for row in rows if row[8] in ACTING], Flagged))


def shortfalls(facts, filters):
    """The indicators short of target within the filters, furthest first, as Shortfall."""
    return Rows(_in_filters(facts["indicators"], filters), Shortfall)


def decision_table(tree):
    """Per top item: the count of each 戦略本部 decision and of the reports not yet
    decided (未報告 included), then the 合計 row: every row sums to the item's projects."""
    def cells(node):
        decided = [node.counts["decision"].get(value, 0) for value in Decision.values]
        return [*decided, sum(node.counts["progress"].values()) + node.unreported - sum(decided)]

    rows = [(node.label, cells(node)) for node in tree]
    return rows, [sum(column) for column in zip(*(c for _, c in rows))] if rows else []

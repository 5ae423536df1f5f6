"""The briefing pages the yearly report and the meeting papers open with: one page that
answers 「どこが遅れているか」, the dashboard's charts with their data tables, and the
bodies' evaluations and decisions counted over the plan.

Every count is the dashboard's (governance.dashboard.facts): the headline, the items
of the plan's first level and the departments are read from the same cycle facts,
未報告 included, so that paper and screen give the same totals. A fixed number of
queries whatever the size of the plan.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, FilteredRelation, Q

from core import fiscal
from governance.cycles.shares import shares
from governance.dashboard import charts
from governance.dashboard.facts import (
    HOME, NO_REPORT_STATUS, STATUS_RULES, UNREPORTED, Filters, by_department, cycle_facts, cycle_years, flagged,
    headline, hierarchy, item_status, trend, trend_facts,
)
from governance.models import AnnualReport, CycleStatus
from governance.vocab import Decision, Evaluation, Progress
from plans.tree import outline

# The front page lists this many projects (up to LAGGING_FITS when that is all of them);
# the rest follow on the next page, which the charts then share (never a page of a row or two).
LAGGING_ON_FRONT = 12
LAGGING_FITS = 16
PROGRESS_COLUMNS = [*Progress.labels, UNREPORTED]
NO_HOME = "(掲載なし)"


@dataclass(frozen=True)
class ItemRow:
    """An item of the plan's first level on the front page: the dashboard's status (a symbol
    and words, never colour alone; governance.dashboard.facts.item_status), the headline's
    four counts, their total and the share on plan."""

    label: str
    symbol: str
    words: str
    css: str
    counts: list[int]  # 計画どおり, 計画を下回っている, 未実施・評価対象外, 未報告
    total: int
    on_plan_share: object


@dataclass(frozen=True)
class Lagging:
    """A project behind plan or not reported, for the front page's list."""

    status: str
    code: str
    name: str
    item: str
    section: str


@dataclass(frozen=True)
class Tally:
    """A table of counts: rows × columns, with the 合計 column and (unless the rows are
    years, whose sum counts nothing) the 合計 row."""

    title: str
    caption: str
    columns: list[str]
    rows: list[tuple[str, list[int]]]
    summed: bool = True

    @property
    def body(self):
        return [(label, counts, sum(counts)) for label, counts in self.rows]

    @property
    def total(self):
        sums = [sum(column) for column in zip(*(counts for _, counts in self.rows))] or [0] * len(self.columns)
        return sums, sum(sums)


@dataclass(frozen=True)
class Chart:
    """A dashboard chart and its data table (the same rows)."""

    svg: str
    table: Tally


def briefing(cycle, *, today) -> dict:
    """Everything the briefing pages print for `cycle`, counted by the dashboard's functions."""
    plan = cycle.plan
    filters = Filters(plan, cycle.fiscal_year, outline=outline(plan.pk), started=tuple(sorted(cycle_years(plan))))
    facts = cycle_facts(cycle)
    trend_rows = trend(trend_facts(plan), filters)
    tree = hierarchy(facts, filters)
    departments, _ = by_department(facts, filters)
    heads = headline(departments, trend_rows, filters)
    lagging = lagging_projects(flagged(facts, filters)[0], filters.outline["items"])
    return {
        "closed": cycle.status == CycleStatus.CLOSED,
        "as_of": fiscal.day_label(today, western=False),
        "headline": [(label, count, change, share) for (label, count, change), share
                     in zip(heads, shares([count for _, count, _ in heads]))],
        "total": sum(count for _, count, _ in heads),
        "level_name": filters.outline["levels"].get(1, "項目"),
        "items": [item_row(node, status) for node, status in zip(tree, item_status(tree, filters))],
        "status_legend": "/".join([f"{symbol} {words}(計画どおりが {share}% 以上)" for share, symbol, words, _
                                   in STATUS_RULES[:-1]] + [f"{STATUS_RULES[-1][1]} {STATUS_RULES[-1][2]}",
                                                            f"{NO_REPORT_STATUS[0]} {NO_REPORT_STATUS[1]}"]),
        "lagging": lagging[:_on_front(len(lagging))],
        "lagging_rest": lagging[_on_front(len(lagging)):],
        "lagging_count": len(lagging),
        "charts": dashboard_charts(tree, departments, trend_rows, filters),
        "judgments": judgments(cycle, filters.outline["items"]),
    }


def item_row(node, status) -> ItemRow:
    """The dashboard's status of an item with the headline's groups: 計画どおり, 計画を下回っている,
    未実施・評価対象外, 未報告."""
    progress = node.counts["progress"]
    counts = [progress[Progress.ON_PLAN], progress[Progress.BEHIND],
              progress[Progress.NOT_DONE] + progress[Progress.NOT_RATED], node.unreported]
    return ItemRow(node.label, status.symbol, status.words, status.css, counts, sum(counts), status.share)


def lagging_projects(rows, items) -> list[Lagging]:
    """The dashboard's projects behind plan (×, △) or not reported, worst first, with the item
    of the plan's first level each is at home under."""
    found = []
    for row in rows:
        top = row.path.split("-")[0] if row.path else None
        item = items[top].label if top in items else NO_HOME
        found.append(Lagging(row.standing_label, row.code, row.name, item, row.section))
    return found


def dashboard_charts(tree, departments, trend_rows, filters) -> list[Chart]:
    """The dashboard's three charts (the first level's items, the departments, the trend over
    the plan's years), each with its data table."""
    level = filters.outline["levels"].get(1, "項目")
    item_rows = [(node.label, _progress(node)) for node in tree]
    department_rows = [(node.label, _progress(node)) for node in departments]
    years = [(_year_label(year, filters.plan, started), counts if started else [0] * len(counts))
             for year, counts, started in trend_rows]
    made = []
    for uid, title, rows in (("items", f"{level}ごとの進捗度", item_rows),
                             ("depts", "部ごとの進捗度", department_rows),
                             ("trend", "進捗度の推移", years)):
        svg = charts.stacked_bars(title, PROGRESS_COLUMNS, [(label, counts, None) for label, counts in rows],
                                  uid=f"book-{uid}", width=680, label_width=220)
        made.append(Chart(svg, Tally(title, f"{title}(グラフの数値)", PROGRESS_COLUMNS, rows, summed=uid != "trend")))
    return made


def _progress(node):
    return [count for _, count, _, _, _ in node.row("progress", with_unreported=True)]


def _year_label(year, plan, started):
    if year < plan.start_year:
        return f"{fiscal.fy_label(year)}(前計画・継続事業)"
    return fiscal.fy_label(year) + ("" if started else "(未開始)")


def judgments(cycle, items) -> list[Tally]:
    """The 検討会議's evaluations (A・B・C, 未評価) and the 戦略本部's decisions (each kind,
    未判断) of all the cycle's reports, by item of the plan's first level. One query."""
    rows = (
        AnnualReport.objects.filter(cycle=cycle)
        .annotate(home=FilteredRelation(HOME, condition=Q(**{f"{HOME}__is_home": True})))
        .values_list("home__item__path", "evaluation", "decision").annotate(n=Count("pk")).order_by()
    )
    evaluations, decisions = {}, {}
    for path, evaluation, decision, n in rows:
        top = path.split("-")[0] if path else None
        label = items[top].heading if top in items else NO_HOME
        evaluations.setdefault(label, Counter())[evaluation] += n
        decisions.setdefault(label, Counter())[decision] += n
    order = [item.heading for item in items.values() if item.depth == 1] + [NO_HOME]
    labels = [label for label in order if label in evaluations]

    def tally(title, vocab, counts, none):
        columns = [label.split(" ")[0] if vocab is Evaluation else label for label in vocab.labels]
        return Tally(title, title, [*columns, none],
                     [(label, [counts[label][value] for value in (*vocab.values, "")]) for label in labels])

    return [tally("検討会議の評価", Evaluation, evaluations, "未評価"),
            tally("戦略本部の判断", Decision, decisions, "未判断")]


def _on_front(count: int) -> int:
    return count if count <= LAGGING_FITS else LAGGING_ON_FRONT

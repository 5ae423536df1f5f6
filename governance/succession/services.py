"""From one plan to the next (次期計画の策定): the next plan drafted from the current
one, what becomes of each of the outgoing plan's projects (引継ぎ), and adoption
(策定), which makes the new plan current in one step.

Each write is one function, in one transaction, refused whole with Japanese
messages (SuccessionError) before anything is written, and recorded in the new
plan's history (PlanEdit). The structure itself is written by plans.structure,
projects and their sheets by projects.authoring and projects.services.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from core import fiscal
from governance.models import CycleKind, IndicatorResult, ReviewCycle
from governance.survey import REPORTED, latest_reports
from governance.vocab import Direction
from plans import chapters, structure
from plans.models import Fate, Plan, PlanEdit, PlanItem, Project, Succession
from plans.permissions import require_plan_author
from projects.authoring import dispatch
from projects.authoring.projects import add_project, delete_carried_project
from projects.models import ProjectSheet
from projects.revisions import Via
from projects.services import IndicatorChange, SheetChanges, save_sheet

# The pre-filled fate of a project, from its latest 今後の方向性 (表4-4).
FATE_OF_DIRECTION = {
    Direction.COMPLETE: Fate.COMPLETED,
    Direction.CONTINUE: Fate.CONTINUED,
    Direction.DISCONTINUE: Fate.DISCONTINUED,
    Direction.UNDECIDED: Fate.UNDECIDED,
}

# What a carried sheet brings forward (its purpose, basis and content; not its schedule).
CARRIED_SHEET_FIELDS = ("section", "master_plan_code", "legal_basis", "policy_major", "policy_middle",
                        "target", "objective", "activities")
CARRIED_INDICATOR_FIELDS = ("kind", "name", "unit", "direction", "achievement_method", "data_source", "is_qualitative",
                            "qualitative_reason")


class SuccessionError(Exception):
    """A refused change; `errors` maps an outgoing project's id to its message (or
    None to the message about the whole)."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or {}


# ─── Rules (plain functions) ─────────────────────────────────────────────────

def period_refusal(start_year: int, end_year: int, outgoing: Plan | None) -> str | None:
    """A next plan begins after the outgoing plan ends (the second plan: FY2016–2020
    after FY2010–2014); its period is in order."""
    if end_year < start_year:
        return "計画期間の終了年度は開始年度以降にしてください。"
    if outgoing is not None and start_year <= outgoing.end_year:
        return (f"計画期間({fiscal.fy_range(start_year, end_year)})が「{outgoing.name}」の計画期間"
                f"({outgoing.period_label})と重なっています。{fiscal.fy_label(outgoing.end_year + 1)}以降に始めてください。")
    return None


def adoption_date_refusal(plan: Plan, adopted_on: date) -> str | None:
    """A plan is adopted in the two years before its period begins, or during it (the
    second plan: May 2016, its first year); never before the plan it follows began."""
    first = date(plan.start_year - 2, 4, 1)
    if plan.predecessor_id:
        first = max(first, date(plan.predecessor.start_year, 4, 1))
    last = date(plan.end_year + 1, 3, 31)
    if not first <= adopted_on <= last:
        return (f"策定日は {first:%Y年%-m月%-d日}から{last:%Y年%-m月%-d日}までの日付にしてください"
                f"(計画期間 {plan.period_label})。")
    return None


def suggested_fates(outgoing: Plan) -> dict[int, tuple[str, str]]:
    """{project id: (fate, where it comes from)} from each project's latest reported
    今後の方向性: its 最終見直し, else its last 年次進行管理 (one query)."""
    suggestions = {}
    for report in latest_reports(outgoing):
        fate = FATE_OF_DIRECTION.get(report["direction"])
        if fate:
            if report["cycle__kind"] == CycleKind.FINAL:  # named by the years it reviews, as everywhere
                source = str(ReviewCycle(plan=outgoing, kind=CycleKind.FINAL, fiscal_year=report["cycle__fiscal_year"]))
            else:
                source = f"{fiscal.fy_era(report['cycle__fiscal_year'])} 年次進行管理"
            suggestions[report["sheet__project_id"]] = (fate, source)
    return suggestions


def leaf_items(plan: Plan) -> list[PlanItem]:
    """The items of the plan's last level, where projects are listed."""
    leaf = plan.leaf_level
    if leaf is None:
        return []
    return list(plan.items.filter(level=leaf).order_by("sort_key"))


# ─── The succession table ────────────────────────────────────────────────────

@dataclass
class Row:
    """One outgoing project on the succession page: what is recorded, else what is suggested."""

    project: Project
    home_path: str
    suggested: str
    source: str
    recorded: Succession | None
    fate: str
    reason: str = ""
    item_id: int | None = None
    merge_into_id: int | None = None
    split_names: str = ""
    successors: list = field(default_factory=list)


def rows(next_plan: Plan) -> list[Row]:
    """Every project of the outgoing plan with its recorded or suggested fate and,
    for a carried one, the new plan's item: the recorded one, else the item at the
    same place (a tree drafted from the outgoing plan keeps its numbers). A fixed
    number of queries."""
    outgoing = next_plan.predecessor
    if outgoing is None:
        return []
    suggestions = suggested_fates(outgoing)
    recorded = {s.project_id: s for s in Succession.objects.filter(project__plan=outgoing)
                .prefetch_related("successors")}
    items_by_path = {item.path: item for item in leaf_items(next_plan)}
    projects = (Project.objects.filter(plan=outgoing).order_by("code")
                .prefetch_related("placements__item"))
    result = []
    for project in projects:
        home = next((p.item for p in project.placements.all() if p.is_home), None)
        path = home.path if home else ""
        suggested, source = suggestions.get(project.pk, ("", ""))
        succession = recorded.get(project.pk)
        if succession:
            row = Row(project, path, suggested, source, succession, succession.fate, succession.reason,
                      succession.item_id, succession.merge_into_id, succession.split_names,
                      list(succession.successors.all()))
        else:
            default_item = items_by_path.get(path)
            row = Row(project, path, suggested, source, None, suggested or Fate.UNDECIDED,
                      item_id=default_item.pk if default_item else None)
        result.append(row)
    return result


@dataclass
class Choice:
    """What 情報推進課 chose for one outgoing project."""

    project_id: int
    fate: str
    reason: str = ""
    item_id: int | None = None
    merge_into_id: int | None = None
    split_names: str = ""

    @property
    def names(self) -> list[str]:
        return [line.strip() for line in self.split_names.splitlines() if line.strip()]


def _check(choices: list[Choice], outgoing: Plan, next_plan: Plan, suggestions, recorded) -> dict:
    """{project id: message} of every choice that cannot be recorded."""
    projects = {p.pk: p for p in Project.objects.filter(plan=outgoing)}
    leaves = {item.pk: item for item in leaf_items(next_plan)}
    fates = {s.project_id: s.fate for s in recorded.values()}
    fates.update({choice.project_id: choice.fate for choice in choices})
    errors = {}
    for choice in choices:
        project = projects.get(choice.project_id)
        if project is None:
            errors[choice.project_id] = "前計画の事業ではありません。"
            continue
        if choice.fate not in Fate.values:
            errors[choice.project_id] = "引継ぎ区分を選んでください。"
            continue
        suggested = suggestions.get(project.pk, ("", ""))[0]
        if suggested and choice.fate != suggested and not choice.reason.strip():
            errors[project.pk] = (f"今後の方向性(「{Fate(suggested).label}」)と異なる区分にする理由を"
                                  "書いてください。")
        elif choice.fate in (Fate.CONTINUED, Fate.SPLIT) and choice.item_id is None:
            errors[project.pk] = "次期計画の掲載項目を選んでください。"
        elif choice.fate in (Fate.CONTINUED, Fate.SPLIT) and choice.item_id not in leaves:
            errors[project.pk] = (f"掲載項目は次期計画「{next_plan.name}」の{next_plan.leaf_level or '最下層'}から"
                                  "選んでください(前計画の項目には引き継げません)。")
        elif choice.fate == Fate.SPLIT and len(choice.names) < 2:
            errors[project.pk] = "分割後の事業名を 2 つ以上、1 行に 1 つずつ書いてください。"
        elif choice.fate == Fate.SPLIT and len(set(choice.names)) != len(choice.names):
            errors[project.pk] = "分割後の事業名が重複しています。"
        elif choice.fate == Fate.SPLIT and any(len(name) > 200 for name in choice.names):
            errors[project.pk] = "分割後の事業名は 200 文字以内にしてください。"
        elif choice.fate == Fate.MERGED and choice.merge_into_id is None:
            errors[project.pk] = "統合先の事業を選んでください。"
        elif choice.fate == Fate.MERGED and choice.merge_into_id == project.pk:
            errors[project.pk] = "統合先に自分自身は選べません。別の事業を選んでください。"
        elif choice.fate == Fate.MERGED and choice.merge_into_id not in projects:
            errors[project.pk] = "統合先は前計画の事業から選んでください。"
        elif choice.fate == Fate.MERGED and fates.get(choice.merge_into_id) != Fate.CONTINUED:
            target = projects[choice.merge_into_id]
            errors[project.pk] = f"統合先の事業「{target.name}」({target.code})の区分を「継続」にしてください。"
        elif len(choice.reason) > 2000:
            errors[project.pk] = "理由は 2000 文字以内にしてください。"
    return errors


@dataclass
class Outcome:
    recorded: int = 0
    created: list = field(default_factory=list)
    removed: list = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = f"前計画の事業 {self.recorded} 件の引継ぎを記録"
        if self.created:
            text += f"、事業 {len(self.created)} 件を作成"
        if self.removed:
            text += f"、事業 {len(self.removed)} 件を削除"
        return text


def _require_successor(user, next_plan: Plan) -> Plan:
    """The plan whose succession is recorded: in preparation, or adopted (the outgoing
    plan's 最終見直し is held after the new plan has begun, and a project left 未定 is
    decided later); locked for the change."""
    require_plan_author(user)
    # One change of a plan's succession at a time (a row lock on PostgreSQL).
    next_plan = Plan.objects.select_for_update().get(pk=next_plan.pk)
    if next_plan.predecessor_id is None:
        raise SuccessionError(f"「{next_plan.name}」には前計画がありません。")
    return next_plan


@transaction.atomic
def record(user, next_plan: Plan, choices: list[Choice]) -> Outcome:
    """Record the fates and carry the projects forward: a continued project gets its
    new project and sheet, a split one several, a merged one points to the project
    its target was carried into; a project no longer carried loses the new project
    made for it (refused if that project's sheet was worked on since). All or nothing.
    After adoption too: a project carried then appears to its department at once."""
    next_plan = _require_successor(user, next_plan)
    outgoing = next_plan.predecessor
    suggestions = suggested_fates(outgoing)
    recorded = {s.project_id: s for s in Succession.objects.filter(project__plan=outgoing)
                .prefetch_related("successors")}
    errors = _check(choices, outgoing, next_plan, suggestions, recorded)
    if errors:
        raise SuccessionError(f"{len(errors)} 件の事業の引継ぎを記録できません。各行のメッセージを確認してください。", errors)
    outcome = Outcome(recorded=len(choices))
    last_actuals = _last_actuals(outgoing)
    # Continued and split first: a merge points to its target's new project.
    order = {Fate.CONTINUED: 0, Fate.SPLIT: 0, Fate.MERGED: 1}
    for choice in sorted(choices, key=lambda c: order.get(c.fate, 2)):
        succession = recorded.get(choice.project_id) or Succession(project_id=choice.project_id, next_plan=next_plan)
        succession.fate = choice.fate
        succession.suggested_fate = suggestions.get(choice.project_id, ("", ""))[0]
        succession.reason = choice.reason.strip()
        succession.item_id = choice.item_id if choice.fate in (Fate.CONTINUED, Fate.SPLIT) else None
        succession.merge_into_id = choice.merge_into_id if choice.fate == Fate.MERGED else None
        succession.split_names = "\n".join(choice.names) if choice.fate == Fate.SPLIT else ""
        succession.recorded_by = user
        succession.save()
        recorded[choice.project_id] = succession
        wanted = _carry(succession, user, last_actuals, recorded, outcome)
        _release(succession, wanted, outcome)
        succession.successors.set(wanted)
    PlanEdit.objects.create(plan=next_plan, user=user, via=dispatch.VIA_PAGE, summary=outcome.summary[:300])
    return outcome


def _carry(succession: Succession, user, last_actuals, recorded, outcome) -> list[Project]:
    """The new plan's projects that carry `succession`'s project on, made if missing."""
    old = succession.project
    current = list(succession.successors.all())
    if succession.fate == Fate.MERGED:
        target = recorded[succession.merge_into_id]
        return list(target.successors.all())
    if succession.fate == Fate.CONTINUED:
        own = [p for p in current if not _shared(p, succession)]
        if own:
            project = own[0]
            home = project.placements.get(is_home=True)
            if home.item_id != succession.item_id:
                structure.move_placement(home, item=succession.item, position=10000)
            return [project]
        return [_new_project(old, succession.item, old.name, user, last_actuals, outcome)]
    if succession.fate == Fate.SPLIT:
        by_name = {p.name: p for p in current if not _shared(p, succession)}
        return [by_name.get(name) or _new_project(old, succession.item, name, user, last_actuals, outcome)
                for name in succession.split_names.splitlines()]
    return []


def _shared(project: Project, succession: Succession) -> bool:
    """Whether `project` carries on another outgoing project than `succession`'s own
    (a merge target's project, listed for the merged one)."""
    return project.predecessor_links.exclude(pk=succession.pk).filter(fate__in=(Fate.CONTINUED, Fate.SPLIT)).exists()


def _release(succession: Succession, wanted: list[Project], outcome: Outcome) -> None:
    """Delete the new projects made for `succession` that it no longer wants."""
    for project in succession.successors.all():
        if project in wanted or _shared(project, succession):
            continue
        if project.predecessor_links.exclude(pk=succession.pk).exists():
            continue  # still the target of another project's merge
        try:
            delete_carried_project(project)
        except structure.StructureError as error:
            raise SuccessionError(str(error), {succession.project_id: str(error)}) from error
        outcome.removed.append(project)


def _new_project(old: Project, item: PlanItem, name: str, user, last_actuals, outcome) -> Project:
    """A project of the new plan under `item`, with the old project's sheet carried."""
    try:
        project = add_project(item, name=name, is_planned=False, since_year=old.since_year,
                              security_kind=old.security_kind)
    except structure.StructureError as error:
        raise SuccessionError(str(error), {old.pk: str(error)}) from error
    old_sheet = ProjectSheet.objects.filter(project=old).prefetch_related("indicators").first()
    if old_sheet is not None:
        carry_sheet(old_sheet, project, user, last_actuals)
    outcome.created.append(project)
    return project


def _last_actuals(plan: Plan) -> dict[int, tuple]:
    """{indicator id: (actual, fiscal year)}: each indicator's latest reported yearly
    actual value in the plan (one query)."""
    latest = {}
    results = (IndicatorResult.objects
               .filter(indicator__sheet__project__plan=plan, actual__isnull=False,
                       report__state__in=REPORTED, report__cycle__kind=CycleKind.ANNUAL)
               .values_list("indicator_id", "actual", "report__cycle__fiscal_year"))
    for indicator_id, actual, year in results:
        if indicator_id not in latest or year > latest[indicator_id][1]:
            latest[indicator_id] = (actual, year)
    return latest


def carry_sheet(old_sheet: ProjectSheet, project: Project, user, last_actuals) -> None:
    """The new project's sheet as the old one left it: purpose, basis, content and
    indicators, each indicator's baseline moved to its last actual value, and no
    targets (the new plan's years are the department's to set). Written through
    projects.services.save_sheet (one revision, 「前計画からの引継ぎ」)."""
    sheet = ProjectSheet.objects.get(project=project)
    fields = {name: getattr(old_sheet, name) for name in CARRIED_SHEET_FIELDS}
    fields["start_year"] = old_sheet.start_year
    fields["end_year"] = (old_sheet.end_year if old_sheet.end_year and old_sheet.end_year >= project.plan.start_year
                          else None)
    indicators = []
    for indicator in old_sheet.indicators.all():
        values = {name: getattr(indicator, name) for name in CARRIED_INDICATOR_FIELDS}
        actual, year = last_actuals.get(indicator.pk, (indicator.baseline_value, indicator.baseline_year))
        values["baseline_value"], values["baseline_year"] = actual, year
        indicators.append(IndicatorChange(fields=values))
    save_sheet(sheet=sheet, seen_version=sheet.version, changes=SheetChanges(fields=fields, indicators=indicators),
               user=user, via=Via.SUCCESSION)


# ─── Drafting and adoption ───────────────────────────────────────────────────

@transaction.atomic
def draft_next_plan(user, outgoing: Plan, *, code: str, name: str, start_year: int, end_year: int,
                    copy_tree: bool = True) -> Plan:
    """A plan in preparation that follows `outgoing`: its levels and 基本理念 and, with
    `copy_tree`, its whole tree of items (titles, texts, 再掲) and its book's chapters
    to rework in the plan editor. No project is carried until the succession is recorded."""
    require_plan_author(user)
    if outgoing.in_preparation:
        raise SuccessionError(f"「{outgoing.name}」は策定中のため、次期計画の元にできません。")
    refusal = period_refusal(start_year, end_year, outgoing)
    if refusal:
        raise SuccessionError(refusal)
    levels = [structure.LevelSpec(name=level.name, numbering=level.numbering, has_text=level.has_text)
              for level in outgoing.level_list]
    try:
        plan = dispatch.create_plan(
            user, levels=levels, code=code, name=name, start_year=start_year, end_year=end_year,
            predecessor=outgoing, parent_plan=outgoing.parent_plan, philosophy=outgoing.philosophy,
            philosophy_subtitle=outgoing.philosophy_subtitle, philosophy_text=outgoing.philosophy_text,
            master_plan_label=outgoing.master_plan_label,
        )
    except structure.StructureError as error:
        raise SuccessionError(str(error)) from error
    if copy_tree:
        copied = {}
        for item in outgoing.items.select_related("parent").order_by("sort_key"):
            copied[item.pk] = structure.add_item(
                plan, parent=copied.get(item.parent_id), title=item.title, subtitle=item.subtitle,
                text=item.text, reposted_from=copied.get(item.reposted_from_id),
            )
        # The book's prose too, as the draft to rework (a chapter's text passed its checks once).
        book = list(outgoing.chapters.order_by("position"))
        for chapter in book:
            chapters.add_chapter(plan, number=chapter.number, title=chapter.title, body=chapter.body, user=user)
        PlanEdit.objects.create(plan=plan, user=user, via=dispatch.VIA_PAGE,
                                summary=f"「{outgoing.name}」の施策体系(項目 {len(copied)} 件)と計画書の本文"
                                        f"({len(book)} 章)を写す")
    return plan


def undecided(next_plan: Plan) -> list[Project]:
    """The outgoing plan's projects whose succession is not recorded yet."""
    if next_plan.predecessor_id is None:
        return []
    return list(Project.objects.filter(plan_id=next_plan.predecessor_id, succession__isnull=True).order_by("code"))


@transaction.atomic
def adopt(user, plan: Plan, *, adopted_on: date) -> Plan | None:
    """策定: the plan in preparation is adopted on `adopted_on` and becomes the current
    plan in the same step (the old one unmarked first, plans.structure.make_current);
    departments see it and its sheets from now on. Returns the plan that was current.
    Refused when its period overlaps the current plan's, or while any project of the
    outgoing plan has no recorded succession."""
    require_plan_author(user)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not plan.in_preparation:
        raise SuccessionError(f"「{plan.name}」は既に策定済みです。")
    if not isinstance(adopted_on, date):
        raise SuccessionError("策定日を入力してください。")
    refusal = adoption_date_refusal(plan, adopted_on)
    if refusal:
        raise SuccessionError(refusal)
    current = Plan.objects.filter(is_current=True).exclude(pk=plan.pk).first()
    if current is not None and plan.start_year <= current.end_year and current.start_year <= plan.end_year:
        raise SuccessionError(
            f"計画期間({plan.period_label})が現行計画「{current.name}」の計画期間({current.period_label})と"
            "重なっているため策定できません。計画の設定で期間を直してください。")
    if plan.predecessor_id and plan.predecessor_id != getattr(current, "pk", plan.predecessor_id):
        raise SuccessionError(f"前計画「{plan.predecessor.name}」が現行計画ではないため策定できません。")
    missing = undecided(plan)
    if missing:
        examples = "、".join(f"{p.code} {p.name}" for p in missing[:3])
        raise SuccessionError(f"前計画の事業 {len(missing)} 件の引継ぎが記録されていません(例:{examples})。"
                              "引継ぎの画面で区分を記録してから策定してください。")
    if not plan.leaf_level or not plan.items.exists():
        raise SuccessionError("施策体系に項目がない計画は策定できません。")
    plan.in_preparation = False
    plan.adopted_on = adopted_on
    if not plan.published:
        plan.published = fiscal.month_label(adopted_on)
    plan.save(update_fields=["in_preparation", "adopted_on", "published"])
    previous = structure.make_current(plan)
    summary = f"策定({fiscal.day_label(adopted_on)})、現行計画にする"
    if previous is not None:
        summary += f"(これまでの現行計画:{previous.name})"
    PlanEdit.objects.create(plan=plan, user=user, via=dispatch.VIA_PAGE, summary=summary)
    return previous

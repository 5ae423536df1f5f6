"""The one write path of a plan's shape: its levels, its tree of items and where
its projects are listed.

Every screen, import and command that changes a plan's structure calls these
functions. Each runs in a transaction, refuses bad input with a Japanese
message (StructureError) before writing anything, and keeps the derived
columns (path, code, sort_key, 事業コード) true to the numbers.

Creating a project also needs its 情報化事業シート: that is projects.authoring's
add_project, which calls create_project here and makes the sheet in the same
transaction.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from core import stamps
from plans.models import MAX_LEVELS, Numbering, Placement, Plan, PlanItem, PlanLevel, Project, format_number


class StructureError(Exception):
    """A refused change to a plan's structure; the message is for the user."""


@dataclass(frozen=True)
class LevelSpec:
    name: str
    numbering: str = Numbering.ARABIC
    has_text: bool = False
    stated_count: int | None = None


# ─── Plans and levels ────────────────────────────────────────────────────────

def check_levels(levels: list[LevelSpec]) -> None:
    if not 1 <= len(levels) <= MAX_LEVELS:
        raise StructureError(f"階層の数は 1 から {MAX_LEVELS} までです(指定は {len(levels)})。")
    names = [level.name.strip() for level in levels]
    if not all(names):
        raise StructureError("階層名を入力してください。")
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise StructureError(f"階層名「{'」「'.join(duplicated)}」が重複しています。")
    for level in levels:
        if level.numbering not in Numbering.values:
            raise StructureError(f"階層「{level.name}」の番号の表記が正しくありません。")


# Plan codes the plan editor's own addresses use (/plans/manage/new/).
RESERVED_CODES = {"manage", "new"}


@transaction.atomic
def create_plan(*, levels: list[LevelSpec], in_preparation: bool = True, **fields) -> Plan:
    """A new plan with its levels (in preparation unless told otherwise)."""
    check_levels(levels)
    if fields.get("code") in RESERVED_CODES:
        raise StructureError(f"計画コード「{fields.get('code')}」は画面のアドレスに使われているため使えません。")
    if Plan.objects.filter(code=fields.get("code")).exists():
        raise StructureError(f"計画コード「{fields.get('code')}」は既に使われています。")
    plan = Plan(in_preparation=in_preparation, **fields)
    try:
        plan.full_clean()
    except ValidationError as error:
        raise StructureError(_messages(error)) from error
    if plan.is_current:
        Plan.objects.filter(is_current=True).update(is_current=False)
    plan.save()
    PlanLevel.objects.bulk_create(
        PlanLevel(plan=plan, depth=depth, name=spec.name.strip(), numbering=spec.numbering,
                  has_text=spec.has_text, stated_count=spec.stated_count)
        for depth, spec in enumerate(levels, start=1)
    )
    _bump()
    return plan


@transaction.atomic
def edit_plan(plan: Plan, **fields) -> list[str]:
    """Change the plan's own fields (not its code); returns the names changed. The
    period stays while the plan has projects: their sheets have a schedule row per
    plan year."""
    changed = [name for name, value in fields.items() if getattr(plan, name) != value]
    if {"start_year", "end_year"} & set(changed) and plan.projects.exists():
        raise StructureError("事業が登録されている計画の期間は変更できません"
                             "(情報化事業シートのスケジュールが計画の年度ごとに作られているため)。")
    if "in_preparation" in changed and fields["in_preparation"] and plan.is_current:
        raise StructureError("現行計画は策定中に戻せません。")
    if "in_preparation" in changed and fields["in_preparation"] and plan.successor_plans.exists():
        raise StructureError("次期計画が引き継いだ計画は策定中に戻せません。")
    # governance.ReviewCycle protects the plan; asked by name (dependencies point one way).
    if "in_preparation" in changed and fields["in_preparation"] and plan.cycles.exists():
        raise StructureError("進行管理の記録がある計画は策定中に戻せません(各課の実績報告が見えなくなるため)。")
    if ("in_preparation" in changed and not fields["in_preparation"] and plan.predecessor_id
            and Project.objects.filter(plan_id=plan.predecessor_id, succession__isnull=True).exists()):
        raise StructureError("前計画の事業の引継ぎが記録されていないため、策定済みにできません。"
                             "「事業の引継ぎ」で区分を記録してから「策定する」で策定してください。")
    for name in changed:
        setattr(plan, name, fields[name])
    if changed:
        try:
            plan.full_clean(validate_unique=False)
        except ValidationError as error:
            raise StructureError(_messages(error)) from error
        plan.save(update_fields=changed)
    return changed


@transaction.atomic
def set_levels(plan: Plan, levels: list[LevelSpec]) -> None:
    """Rename levels or change how they number; their count changes only while
    the plan has no items (a tree cannot gain or lose a level in the middle)."""
    check_levels(levels)
    current = list(plan.levels.order_by("depth"))
    if len(levels) != len(current) and plan.items.exists():
        raise StructureError("項目が登録されている計画の階層の数は変えられません。")
    if len(levels) != len(current):
        plan.levels.all().delete()
        current = []
    # Two steps, so that two levels may swap names without breaking uniqueness.
    for level in current:
        level.name = f"~{level.pk}"
    PlanLevel.objects.bulk_update(current, ["name"])
    by_depth = {level.depth: level for level in current}
    for depth, spec in enumerate(levels, start=1):
        level = by_depth.get(depth) or PlanLevel(plan=plan, depth=depth)
        level.name, level.numbering = spec.name.strip(), spec.numbering
        level.has_text, level.stated_count = spec.has_text, spec.stated_count
        level.save()
    plan.__dict__.pop("level_list", None)
    renumber(plan)


@transaction.atomic
def make_current(plan: Plan) -> Plan | None:
    """Make an adopted plan the current one (現行計画) in one step; returns the plan
    that was current. The unique constraint allows one current plan: the old one
    is unmarked first, in the same transaction."""
    if plan.in_preparation:
        raise StructureError("策定中の計画は現行計画にできません。先に策定済みにしてください。")
    previous = Plan.objects.select_for_update().filter(is_current=True).exclude(pk=plan.pk).first()
    Plan.objects.filter(is_current=True).exclude(pk=plan.pk).update(is_current=False)
    Plan.objects.filter(pk=plan.pk).update(is_current=True)
    plan.is_current = True
    _bump()  # update() sends no signal (core.stamps)
    return previous


# ─── Items ───────────────────────────────────────────────────────────────────

def _level_below(plan: Plan, parent: PlanItem | None) -> PlanLevel:
    depth = 1 if parent is None else parent.level.depth + 1
    levels = plan.level_list
    if not levels:
        raise StructureError("この計画には階層が定義されていません。先に階層を設定してください。")
    if depth > len(levels):
        raise StructureError(
            f"「{parent.level.name}」は最下層です。この下には項目ではなく事業を登録してください。"
        )
    return levels[depth - 1]


def _check_parent(plan: Plan, parent: PlanItem | None) -> None:
    if parent is not None and parent.plan_id != plan.pk:
        raise StructureError("上位の項目は同じ計画から選んでください。")


def _clean_title(title: str, what: str = "名称") -> str:
    title = (title or "").strip()
    if not title:
        raise StructureError(f"{what}を入力してください。")
    if len(title) > 200:
        raise StructureError(f"{what}は200文字以内で入力してください。")
    return title


@transaction.atomic
def add_item(plan: Plan, *, parent: PlanItem | None, title: str, subtitle: str = "", text: str = "",
             position: int | None = None, reposted_from: PlanItem | None = None, pk: int | None = None) -> PlanItem:
    """A new item at the end of its parent's children (or at `position`)."""
    _check_parent(plan, parent)
    level = _level_below(plan, parent)
    title = _clean_title(title)
    siblings = _siblings(plan, parent)
    count = len(siblings)
    position = count + 1 if position is None else max(1, min(position, count + 1))
    item = PlanItem(plan=plan, level=level, parent=parent, number=30000, path=f"~new{count}",
                    code=f"~new{count}", sort_key="~", title=title, subtitle=(subtitle or "").strip(),
                    text=(text or "").strip(), reposted_from=reposted_from)
    if pk is not None:
        item.pk = pk
    _check_repost(item)
    item.save(force_insert=True)
    siblings.insert(position - 1, item)
    _set_numbers(siblings)
    renumber(plan)
    item.refresh_from_db()
    return item


@transaction.atomic
def edit_item(item: PlanItem, *, title: str, subtitle: str = "", text: str = "",
              reposted_from: PlanItem | None = None) -> PlanItem:
    item.title = _clean_title(title)
    item.subtitle = (subtitle or "").strip()
    item.text = (text or "").strip()
    item.reposted_from = reposted_from
    _check_repost(item)
    _full_clean(item)
    item.save(update_fields=["title", "subtitle", "text", "reposted_from"])
    _bump()
    return item


@transaction.atomic
def move_item(item: PlanItem, *, parent: PlanItem | None, position: int) -> PlanItem:
    """Put an item under `parent` (same level as its present parent) at `position`."""
    plan = item.plan
    _check_parent(plan, parent)
    if parent is not None and (parent.pk == item.pk or parent.path.startswith(f"{item.path}-")):
        raise StructureError(f"「{item.code} {item.title}」を自分自身やその下位の項目の下へは移動できません。")
    depth = 1 if parent is None else parent.level.depth + 1
    if depth != item.level.depth:
        above = plan.level_list[item.level.depth - 2].name if item.level.depth > 1 else "基本理念"
        raise StructureError(f"「{item.level.name}」の項目は「{above}」の項目の下へだけ移動できます。")
    same_parent = item.parent_id == (parent.pk if parent else None)
    old = [s for s in _siblings(plan, item.parent) if s.pk != item.pk]
    item.parent, item.number = parent, 30000
    item.save(update_fields=["parent", "number"])
    siblings = old if same_parent else [s for s in _siblings(plan, parent) if s.pk != item.pk]
    position = max(1, min(position, len(siblings) + 1))
    siblings.insert(position - 1, item)
    _set_numbers(siblings)
    if not same_parent:
        _set_numbers(old)
    renumber(plan)
    item.refresh_from_db()
    return item


@transaction.atomic
def delete_item(item: PlanItem) -> None:
    if item.children.exists():
        raise StructureError(f"「{item.code} {item.title}」には下位の項目があるため削除できません。先に下位の項目を移動または削除してください。")
    if item.placements.exists():
        raise StructureError(f"「{item.code} {item.title}」には事業が掲載されているため削除できません。先に事業を移動または削除してください。")
    if item.reposts.exists():
        raise StructureError(f"「{item.code} {item.title}」は他の項目の再掲元のため削除できません。")
    plan, parent = item.plan, item.parent
    item.delete()
    _set_numbers(_siblings(plan, parent))
    renumber(plan)


def _check_repost(item: PlanItem) -> None:
    source = item.reposted_from
    if source is None:
        return
    if source.plan_id != item.plan_id:
        raise StructureError("再掲元は同じ計画の項目から選んでください。")
    if item.pk is not None and source.pk == item.pk:
        raise StructureError("項目を自分自身の再掲にはできません。")
    if source.level_id != item.level_id:
        raise StructureError("再掲元は同じ階層の項目から選んでください。")
    if source.reposted_from_id is not None:
        raise StructureError("再掲元には、それ自体が再掲でない項目を選んでください。")


def _siblings(plan: Plan, parent: PlanItem | None) -> list[PlanItem]:
    if parent is None:
        return list(PlanItem.objects.filter(plan=plan, parent__isnull=True).order_by("number", "pk"))
    return list(PlanItem.objects.filter(parent=parent).order_by("number", "pk"))


def _set_numbers(items: list[PlanItem]) -> None:
    """Number siblings 1..n in list order (through values no sibling holds, so
    that the unique constraint holds after every statement)."""
    for index, item in enumerate(items, start=1):
        item.number = 20000 + index
    PlanItem.objects.bulk_update(items, ["number"])
    for index, item in enumerate(items, start=1):
        item.number = index
    PlanItem.objects.bulk_update(items, ["number"])


def renumber(plan: Plan) -> None:
    """Derive every item's path, code and sort key from the numbers, and every
    home project's 事業コード prefix from its home item's path."""
    plan.__dict__.pop("level_list", None)
    levels = {level.pk: level for level in plan.level_list}
    items = list(PlanItem.objects.filter(plan=plan).order_by("number", "pk"))
    children: dict[int | None, list[PlanItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)

    changed = []

    def walk(parent_id, numbers, codes):
        for item in children.get(parent_id, []):
            level = levels[item.level_id]
            my_numbers = [*numbers, item.number]
            my_codes = [*codes, format_number(item.number, level.numbering)]
            derived = ("-".join(map(str, my_numbers)), "-".join(my_codes),
                       "".join(f"{n:04d}" for n in my_numbers))
            if (item.path, item.code, item.sort_key) != derived:
                item.path, item.code, item.sort_key = derived
                changed.append(item)
            walk(item.pk, my_numbers, my_codes)

    walk(None, [], [])
    if changed:
        final = [(item.path, item.code) for item in changed]
        for item in changed:
            item.path = item.code = f"~{item.pk}"
        PlanItem.objects.bulk_update(changed, ["path", "code"])
        for item, (path, code) in zip(changed, final, strict=True):
            item.path, item.code = path, code
        PlanItem.objects.bulk_update(changed, ["path", "code", "sort_key"])
    _recode_projects(plan)
    _bump()


def _recode_projects(plan: Plan) -> None:
    """事業コード = home item's path + the project's serial: re-prefix any whose
    home item was renumbered (the serial stays)."""
    homes = Placement.objects.filter(project__plan=plan, is_home=True).values_list(
        "project_id", "project__code", "item__path"
    )
    changed = []
    for project_id, code, path in homes:
        serial = code.rsplit("-", 1)[-1]
        wanted = f"{path}-{serial}"
        if code != wanted:
            changed.append((project_id, wanted))
    if not changed:
        return
    projects = list(Project.objects.filter(pk__in=[pk for pk, _ in changed]))
    wanted = dict(changed)
    for project in projects:
        project.code = f"~{project.pk}"
    Project.objects.bulk_update(projects, ["code"])
    for project in projects:
        project.code = wanted[project.pk]
    Project.objects.bulk_update(projects, ["code"])


# ─── Projects and placements ─────────────────────────────────────────────────

def _check_leaf(item: PlanItem) -> None:
    leaf = item.plan.leaf_level
    if leaf is None or item.level_id != leaf.pk:
        raise StructureError(
            f"事業は最下層「{leaf.name if leaf else ''}」の項目の下に登録してください"
            f"(「{item.code} {item.title}」は「{item.level.name}」です)。"
        )


def next_serial(item: PlanItem) -> int:
    codes = Project.objects.filter(placements__item=item, placements__is_home=True).values_list("code", flat=True)
    serials = [int(code.rsplit("-", 1)[-1]) for code in codes if code.rsplit("-", 1)[-1].isdecimal()]
    return max(serials, default=0) + 1


def project_code(path: str, serial: int) -> str:
    """The 事業コード rule: the home item's numbers and the project's serial there.

    project_code("2-3-1", 4) == "2-3-1-04"
    """
    return f"{path}-{serial:02d}"


def _project_fields(*, name, is_planned, since_year, security_kind):
    return {"name": _clean_title(name, "事業名"), "is_planned": bool(is_planned),
            "since_year": since_year or None, "security_kind": security_kind or ""}


@transaction.atomic
def create_project(item: PlanItem, *, name: str, is_planned: bool = False, since_year: int | None = None,
                   security_kind: str = "", position: int | None = None, code: str | None = None,
                   pk: int | None = None) -> Project:
    """A project with its home placement under `item`. Callers that need the
    project's sheet too (all but the seed loader) use projects.authoring.add_project."""
    _check_leaf(item)
    project = Project(plan=item.plan, code=code or project_code(item.path, next_serial(item)),
                      **_project_fields(name=name, is_planned=is_planned, since_year=since_year,
                                        security_kind=security_kind))
    if pk is not None:
        project.pk = pk
    if Project.objects.filter(plan=item.plan, code=project.code).exists():
        raise StructureError(f"事業コード「{project.code}」は既に使われています。")
    _full_clean(project, exclude=["plan"])
    project.save(force_insert=True)
    _insert_placement(Placement(project=project, item=item, is_home=True), position)
    _bump()
    return project


@transaction.atomic
def edit_project(project: Project, *, name: str, is_planned: bool, since_year: int | None,
                 security_kind: str) -> Project:
    for field, value in _project_fields(name=name, is_planned=is_planned, since_year=since_year,
                                        security_kind=security_kind).items():
        setattr(project, field, value)
    _full_clean(project, exclude=["plan", "code"])
    project.save(update_fields=["name", "is_planned", "since_year", "security_kind"])
    _bump()
    return project


@transaction.atomic
def place_project(project: Project, item: PlanItem, *, position: int | None = None) -> Placement:
    """List a project again under another item (再掲)."""
    if item.plan_id != project.plan_id:
        raise StructureError("事業と同じ計画の項目を選んでください。")
    _check_leaf(item)
    if Placement.objects.filter(project=project, item=item).exists():
        raise StructureError(f"「{project.name}」は既に「{item.code} {item.title}」に掲載されています。")
    placement = _insert_placement(Placement(project=project, item=item, is_home=False), position)
    _bump()
    return placement


@transaction.atomic
def unplace_project(placement: Placement) -> None:
    if placement.is_home:
        raise StructureError("主たる掲載は外せません。事業を別の項目へ移すか、事業を削除してください。")
    item = placement.item
    placement.delete()
    close_gaps(item)


def close_gaps(item: PlanItem) -> None:
    """Number the item's listings 1..n again, in their order (after one has gone:
    an unplaced 再掲, a deleted project)."""
    _set_positions(list(item.placements.order_by("position")))
    _bump()


@transaction.atomic
def move_placement(placement: Placement, *, item: PlanItem | None = None, position: int,
                   code: str | None = None) -> Placement:
    """Reorder a project within its item, or move the listing to another item
    (a home listing moves the project: its 事業コード follows the new home, with
    the next serial there, or `code` when it fits the new home and is free, as an
    undo gives it back)."""
    target = item or placement.item
    if target.plan_id != placement.project.plan_id:
        raise StructureError("事業と同じ計画の項目を選んでください。")
    _check_leaf(target)
    source = placement.item
    if target.pk != source.pk and Placement.objects.filter(project=placement.project, item=target).exists():
        raise StructureError(f"「{placement.project.name}」は既に「{target.code} {target.title}」に掲載されています。")
    rest = [p for p in source.placements.order_by("position") if p.pk != placement.pk]
    if target.pk != source.pk:
        serial = next_serial(target)
        # Out of the old item first, so that its other listings close the gap freely.
        placement.item = target
        placement.position = 30000
        placement.save(update_fields=["item", "position"])
        _set_positions(rest)
        if placement.is_home:
            project = placement.project
            free = (code and code.rsplit("-", 1)[0] == target.path
                    and not Project.objects.filter(plan=project.plan_id, code=code).exclude(pk=project.pk).exists())
            project.code = code if free else project_code(target.path, serial)
            project.save(update_fields=["code"])
        rest = [p for p in target.placements.order_by("position") if p.pk != placement.pk]
    else:
        _set_positions(rest, final=False, base=10000)
    position = max(1, min(position, len(rest) + 1))
    rest.insert(position - 1, placement)
    _set_positions(rest)
    _bump()
    return placement


def _insert_placement(placement: Placement, position: int | None) -> Placement:
    last = max_position(placement.item)
    if position is None or position > last:  # at the end: nothing else moves
        placement.position = last + 1
        placement.save()
        return placement
    listed = list(placement.item.placements.order_by("position"))
    position = len(listed) + 1 if position is None else max(1, min(position, len(listed) + 1))
    placement.position = 30000
    placement.save()
    listed.insert(position - 1, placement)
    _set_positions(listed)
    return placement


def _set_positions(placements: list[Placement], final: bool = True, base: int = 20000) -> None:
    for index, placement in enumerate(placements, start=1):
        placement.position = base + index
    Placement.objects.bulk_update(placements, ["position"])
    if not final:
        return
    for index, placement in enumerate(placements, start=1):
        placement.position = index
    Placement.objects.bulk_update(placements, ["position"])


# ─── Helpers ─────────────────────────────────────────────────────────────────

def _full_clean(instance, exclude=None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        raise StructureError(_messages(error)) from error


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(message for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)


def _bump() -> None:
    stamps.bump("plans")


def max_position(item: PlanItem) -> int:
    return item.placements.aggregate(n=Max("position"))["n"] or 0

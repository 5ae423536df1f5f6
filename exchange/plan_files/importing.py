"""Importing a plan file, all or nothing.

Into a new plan code the file creates the plan (in preparation) with its levels
and tree; into a plan in preparation its fields, levels and tree become the
file's; an adopted plan is refused. Items are matched by code, projects by
事業コード (a row with a blank 事業コード names an existing project by its name
under the same item, else a new one). Every write goes through plans.structure
(and projects.authoring.add_project, which adds the project's sheet).

The preview and the real run are the same code: the import is applied in one
transaction, the plan read before and after (exchange.plan_files.changes), and
rolled back unless it is the real run and nothing was refused.
"""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from core import stamps
from exchange.files import CellError
from exchange.plan_files.changes import Change, compare, snapshot
from exchange.plan_files.layout import PLAN_FIELDS, SHEET_LEVELS, SHEET_PLAN, SHEET_TREE, plan_label
from exchange.plan_files.reading import PLAN_CODE_RE, Errors, PlanFile, read_plan_file
from exchange.plan_files.rows import in_file_order
from plans import structure
from plans.models import Placement, Plan, PlanEdit, PlanItem, Project
from plans.permissions import can_author_plans
from projects.authoring import add_project

VIA = "ファイルの取込み"


@dataclass
class PlanImportOutcome:
    code: str = ""
    name: str = ""  # the plan's name once imported (the file's, when it renames the plan)
    former_name: str = ""  # the plan's name before, when the file renames it
    is_new: bool = False
    changes: list[Change] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    applied: bool = False
    stale: bool = False  # confirmed a preview whose changes are no longer what the import does

    @property
    def ok(self):
        return not self.errors

    @property
    def digest(self) -> str:
        """What the preview showed, to check at confirmation that it still holds."""
        return hashlib.sha256(repr([(c.kind, c.target, c.before, c.after) for c in self.changes])
                              .encode()).hexdigest()[:32]


def run_plan_import(upload, *, user, code: str = "", commit: bool, digest: str = "",
                    filename: str = "") -> PlanImportOutcome:
    """Preview (commit=False) or apply a plan file; applied only when nothing is refused
    and, when `digest` is given, the changes are still those the preview showed. The
    errors come in the file's order (sheet, then row)."""
    outcome = PlanImportOutcome(errors=list(upload.errors))
    _run(upload, outcome, user=user, code=code, commit=commit, digest=digest, filename=filename)
    outcome.errors = in_file_order(outcome.errors)
    return outcome


def _run(upload, outcome, *, user, code, commit, digest, filename) -> None:
    if not can_author_plans(user):
        outcome.errors.append(CellError("", 1, "", "計画の取込みができるのは情報推進課だけです。"))
    if outcome.errors:
        return
    plan_file, plan = _read(upload, code.strip(), outcome)
    if not outcome.ok:
        return
    with transaction.atomic():
        if plan is not None:
            plan = Plan.objects.select_for_update().get(pk=plan.pk)
        before = snapshot(plan)
        try:
            plan = _Import(plan, plan_file).run()
        except structure.StructureError as error:
            outcome.errors.append(CellError(*error.where, str(error)))
            transaction.set_rollback(True)
            return
        outcome.changes = compare(before, snapshot(plan))
        outcome.stale = commit and bool(digest) and digest != outcome.digest
        outcome.applied = commit and outcome.ok and bool(outcome.changes) and not outcome.stale
        if not outcome.applied:
            transaction.set_rollback(True)
        else:
            PlanEdit.objects.create(plan=plan, user=user, via=VIA, summary=_summary(outcome, filename))
            stamps.bump("plans")


def _summary(outcome, filename):
    what = "新しい計画として" if outcome.is_new else ""
    return f"ファイル「{filename}」を{what}取り込み(変更 {len(outcome.changes)} 件)"[:300]


# ─── Reading and the checks that need the target plan ───────────────────────

def _read(upload, code, outcome) -> tuple[PlanFile | None, Plan | None]:
    errors = Errors()
    is_csv = list(upload.sheets) == [""]
    plan = None
    if is_csv:
        plan = _csv_target(code, errors)
        if errors:
            outcome.errors += errors
            return None, None
    plan_file, read_errors = read_plan_file(upload, levels=_levels_of(plan) if plan else None)
    outcome.errors += read_errors
    if plan_file is None:
        return None, None
    if not is_csv:
        # A code typed on the page is no cell of the file; the file's is on its row of 「計画」.
        where = ("", 1, "") if code else (SHEET_PLAN, plan_file.field_rows.get("code", 1), "値")
        code = code or plan_file.fields.get("code", "")
        plan_file.fields["code"] = code
        plan = _target(code, errors, where)
    if plan is not None:
        _check_against(plan, plan_file, errors)
    if plan_file.fields is not None and not errors:
        _check_fields(plan, plan_file, errors)
    outcome.errors += errors
    outcome.code, outcome.is_new = code, plan is None
    outcome.name = (plan_file.fields or {}).get("name") or (plan.name if plan else "")
    outcome.former_name = plan.name if plan and plan.name != outcome.name else ""
    return plan_file, plan


def _csv_target(code, errors) -> Plan | None:
    if not code:
        errors.add("", 1, "", "CSV(体系だけ)を取り込むときは、取り込み先の計画コードを入力してください。")
        return None
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        errors.add("", 1, "", f"計画コード「{code}」の計画はありません。CSV(体系だけ)は、既にある策定中の計画に"
                              "取り込めます。新しい計画は、計画と階層のシートがある xlsx で取り込んでください。")
    elif not plan.in_preparation:
        errors.add("", 1, "", _adopted(plan))
    return plan


def _target(code, errors, where) -> Plan | None:
    if not code:
        errors.add(*where, "計画コードを入力してください(ファイルの「計画コード」か、取り込み先の計画コード)。")
        return None
    if not PLAN_CODE_RE.match(code):
        errors.add(*where, f"計画コード「{code}」は使えません。半角の英数字と「-」「_」の20文字以内にしてください。")
        return None
    plan = Plan.objects.filter(code=code).first()
    if plan is not None and not plan.in_preparation:
        errors.add(*where, _adopted(plan))
    return plan


def _adopted(plan) -> str:
    return (f"計画「{plan.name}」(計画コード「{plan.code}」)は策定中ではないため、取り込みでは変更できません。"
            "この計画を元に新しい計画を作るには、別の新しい計画コードで取り込んでください。")


def _levels_of(plan) -> list[structure.LevelSpec]:
    return [structure.LevelSpec(name=level.name, numbering=level.numbering, has_text=level.has_text,
                                stated_count=level.stated_count) for level in plan.level_list]


def _check_against(plan, plan_file, errors):
    """What the target plan refuses: a new level count under existing items, a project left out."""
    levels = plan_file.levels
    if levels is not None and len(levels) != len(plan.level_list) and plan.items.exists():
        errors.add(SHEET_LEVELS, 1, "階層", f"計画「{plan.name}」には項目があるため、階層の数は変えられません"
                                          f"(計画は {len(plan.level_list)}、ファイルは {len(levels)})。")
    matched = {project.pk for project in match_projects(plan, plan_file).values()}
    for project in Project.objects.filter(plan=plan).exclude(pk__in=matched).order_by("code"):
        errors.add(SHEET_TREE, 1, "事業コード", f"事業「{project.code} {project.name}」がファイルにありません。"
                                              "取込みでは事業を削除できません(計画の編集画面で削除してください)。")


def _check_fields(plan, plan_file, errors):
    """The plan's own rules (lengths, the period's order), each on its row of 「計画」."""
    candidate = Plan(**{name: getattr(plan, name) for name in PLAN_FIELDS}) if plan else Plan()
    for name, value in plan_file.fields.items():
        setattr(candidate, name, value)
    try:
        candidate.full_clean(exclude=["code"], validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            label = "計画" if name == NON_FIELD_ERRORS else plan_label(name)
            for message in messages:
                errors.add(SHEET_PLAN, plan_file.field_rows.get(name, 1), "値", f"{label}:{message}")


def match_projects(plan, plan_file) -> dict[int, Project]:
    """The existing project each home row names, by id(row): by 事業コード, or, for a
    blank one, by name under the same item."""
    projects = list(Project.objects.filter(plan=plan).prefetch_related("placements__item"))
    by_code = {project.code: project for project in projects}
    by_home = {}
    for project in projects:
        home = next((p.item for p in project.placements.all() if p.is_home), None)
        if home is not None:
            by_home.setdefault((_key(home.path), project.name), project)
    matches, taken = {}, set()
    for row in plan_file.homes:
        if row.code in by_code:
            matches[id(row)] = by_code[row.code]
            taken.add(by_code[row.code].pk)
    for row in plan_file.homes:
        project = None if row.code else by_home.get((row.item, row.name))
        if project is not None and project.pk not in taken:
            matches[id(row)] = project
            taken.add(project.pk)
    return matches


def _key(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in path.split("-"))


# ─── Applying ────────────────────────────────────────────────────────────────

class _Import:
    """One run: the plan, then its levels, items, projects and placements, then the
    items the file left out. Each structure call is tagged with the row it serves,
    so that a refusal names it."""

    def __init__(self, plan: Plan | None, plan_file: PlanFile):
        self.plan, self.file = plan, plan_file
        self.where = (SHEET_PLAN, 1, "")
        self.item_pk = {}  # file key → item pk
        self.project_pk = {}  # id(home row) → project pk

    def run(self) -> Plan:
        # Matched before anything moves: a blank 事業コード is matched by the item's present code.
        self.matches = match_projects(self.plan, self.file) if self.plan else {}
        try:
            self.plan_and_levels()
            self.items()
            self.projects()
            self.delete_left_out()
        except structure.StructureError as error:
            error.where = self.where
            raise
        return self.plan

    def at(self, sheet, row=1, column=""):
        self.where = (sheet, row, column)

    def plan_and_levels(self):
        fields = self.file.fields
        if self.plan is None:
            self.plan = structure.create_plan(levels=self.file.levels, in_preparation=True, **fields)
            return
        if fields is not None:
            structure.edit_plan(self.plan, **{name: value for name, value in fields.items() if name != "code"})
        levels = self.file.levels
        if levels is not None and levels != _levels_of(self.plan):
            self.at(SHEET_LEVELS)
            structure.set_levels(self.plan, levels)

    # Items -------------------------------------------------------------------
    def items(self):
        rows = sorted(self.file.items, key=lambda row: row.depth)  # parents first, file order kept
        existing = {_key(path): pk for pk, path in PlanItem.objects.filter(plan=self.plan).values_list("pk", "path")}
        for row in rows:
            if row.key in existing:
                self.item_pk[row.key] = existing[row.key]
                continue
            self.at(SHEET_TREE, row.row)
            item = structure.add_item(self.plan, parent=self.item(row.parent), title=row.title,
                                      subtitle=row.subtitle, text=row.text)
            self.item_pk[row.key] = item.pk
        children = {}
        for row in self.file.items:
            children.setdefault(row.parent, []).append(row)
        for parent in [None, *(row.key for row in rows)]:
            for number, row in enumerate(children.get(parent, []), start=1):
                item = self.item(row.key)
                if item.parent_id != (self.item_pk[parent] if parent else None) or item.number != number:
                    self.at(SHEET_TREE, row.row, "上位コード")
                    structure.move_item(item, parent=self.item(parent), position=number)
        # Items that stop being a 再掲 first: one may become the source of another.
        for row in sorted(self.file.items, key=lambda row: row.reposted_from is not None):
            item, source = self.item(row.key), self.item(row.reposted_from)
            if (item.title, item.subtitle, item.text, item.reposted_from_id) != (
                    row.title, row.subtitle, row.text, source.pk if source else None):
                self.at(SHEET_TREE, row.row, "名称")
                structure.edit_item(item, title=row.title, subtitle=row.subtitle, text=row.text,
                                    reposted_from=source)

    def item(self, key) -> PlanItem | None:
        """The item a file key names, read afresh (every structure call renumbers)."""
        if key is None:
            return None
        return PlanItem.objects.select_related("level", "plan").get(pk=self.item_pk[key])

    # Projects and placements -------------------------------------------------
    def projects(self):
        wanted = {}  # id(home row) → {item pk: is_home}
        listed = {}  # item pk → [home rows] in order
        for row in self.file.projects:
            home = row.home if row.is_repost else row
            wanted.setdefault(id(home), {})[self.item_pk[row.item]] = not row.is_repost
            listed.setdefault(self.item_pk[row.item], []).append(home)
        for row, project in self._matched():
            self.at(SHEET_TREE, row.row)
            self.update_project(row, project, wanted[id(row)])
        for row in self.file.homes:
            if id(row) not in self.project_pk:
                self.at(SHEET_TREE, row.row)
                self.project_pk[id(row)] = self.new_project(row).pk
        for row in self.file.projects:
            project_pk, item_pk = self.project_pk[id(row.home or row)], self.item_pk[row.item]
            if row.is_repost and not Placement.objects.filter(project_id=project_pk, item_id=item_pk).exists():
                self.at(SHEET_TREE, row.row, "再掲")
                structure.place_project(Project.objects.get(pk=project_pk), self.item(row.item))
        for item_pk, homes in listed.items():
            for position, home in enumerate(homes, start=1):
                placement = Placement.objects.select_related("project", "item__plan").get(
                    item_id=item_pk, project_id=self.project_pk[id(home)])
                if placement.position != position:
                    self.at(SHEET_TREE, home.row)
                    structure.move_placement(placement, position=position)

    def _matched(self):
        for row in self.file.homes:
            if id(row) in self.matches:
                self.project_pk[id(row)] = self.matches[id(row)].pk
                yield row, self.matches[id(row)]

    def update_project(self, row, project, wanted):
        """Its listings become the file's (a 再掲 where its home moves is taken off
        first), then its own columns."""
        project = Project.objects.get(pk=project.pk)
        for placement in project.placements.filter(is_home=False):
            if wanted.get(placement.item_id) is not False:
                structure.unplace_project(placement)
        home = project.placements.select_related("project", "item__plan").get(is_home=True)
        home_pk = next(pk for pk, is_home in wanted.items() if is_home)
        if home.item_id != home_pk:
            structure.move_placement(home, item=PlanItem.objects.get(pk=home_pk), position=32000)
        fields = {"name": row.name, "is_planned": row.is_planned, "since_year": row.since_year,
                  "security_kind": row.security_kind}
        if any(getattr(project, name) != value for name, value in fields.items()):
            structure.edit_project(project, **fields)

    def new_project(self, row) -> Project:
        """A new project, with the 事業コード the file gives it when that fits the rule
        (its home item's numbers and a serial not taken), else the next serial."""
        item = self.item(row.item)
        code = row.code or None
        if code and (code.rsplit("-", 1)[0] != item.path
                     or Project.objects.filter(plan=self.plan, code=code).exists()):
            code = None
        return add_project(item, name=row.name, is_planned=row.is_planned, since_year=row.since_year,
                           security_kind=row.security_kind, code=code)

    # Items left out ----------------------------------------------------------
    def delete_left_out(self):
        """Deepest first, a 再掲 before its source. They sit after the file's items
        among their siblings, so deleting them renumbers nothing that stays."""
        kept = set(self.item_pk.values())
        left_out = PlanItem.objects.filter(plan=self.plan).exclude(pk__in=kept).values_list(
            "pk", "path", "reposted_from_id")
        for pk, path, source in sorted(left_out, key=lambda entry: (-entry[1].count("-"), entry[2] is None)):
            item = PlanItem.objects.select_related("plan").get(pk=pk)
            self.at(SHEET_TREE, 1, "コード")
            structure.delete_item(item)

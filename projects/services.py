"""Writes of sheets: creation for a plan, and `save_sheet`, the one write path of a
sheet and its parts (indicators, targets, schedule) used by the edit page, the
admin and the Excel import alike.

`save_sheet` takes plain data (`SheetChanges`), applies it to the sheet as
stored, in memory, and then, before writing anything: drops what does not
change, validates every changed row (Model.full_clean) and, for 完成, checks the
completeness rules (projects.rules) on the would-be state. Only then it raises
the sheet's version with a conditional UPDATE (the optimistic lock: someone
else's save since `seen_version` refuses this one) and writes the rows, each
history row marked with the revision, the user and how the change was made (Via).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Section
from core import stamps
from core.writes import bump_versions, editable_names, record_history, update_rows
from plans.models import Placement, Plan
from projects import rules
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry, SheetStatus
from projects.revisions import Revision, Via

# Measures whose projects the plan gives to 情報推進課 itself: ICT governance
# (Ⅱ-1-2), information security (Ⅱ-3-1) and the ICT-BCP it keeps (Ⅱ-3-2, p.31).
ICT_OFFICE_SECTION = "joho-suishin"
ICT_OFFICE_ITEMS = {"2-1-2", "2-3-1", "2-3-2"}
ICT_OFFICE_PLAN = "second"

__all__ = [
    "IncompleteSheetError", "IndicatorChange", "ScheduleChange", "SheetChanges", "StaleSheetError",
    "SheetSave", "SheetsRefused", "UnknownRowError", "Via", "ensure_sheet", "ensure_sheets",
    "projects_without_sheet", "save_sheet", "save_sheets",
]


class StaleSheetError(Exception):
    """Someone saved the sheet after this user opened it."""

    def __init__(self, sheet, seen_version):
        super().__init__("他の利用者がこのシートを更新しました。")
        self.sheet = sheet
        self.seen_version = seen_version


class IncompleteSheetError(Exception):
    """A save as 完成 while something required is missing (nothing was written)."""

    def __init__(self, missing, fields=()):
        super().__init__("完成として保存するには入力が不足しています。")
        self.missing = missing
        self.fields = list(fields)


class UnknownRowError(Exception):
    """A change names an indicator that is not one of the sheet's own."""

    def __init__(self, message="この行が見つかりません(ほかの利用者が削除したか、このシートの行ではありません)。"):
        super().__init__(message)


@dataclass
class IndicatorChange:
    """A change of one indicator: `id` None adds one. `targets` maps fiscal years to
    values; None removes that year's target, a year not given stays as it is."""

    id: int | None = None
    fields: dict = field(default_factory=dict)
    targets: dict[int, Decimal | None] = field(default_factory=dict)
    delete: bool = False
    saved: Indicator | None = None  # filled by save_sheet


@dataclass
class ScheduleChange:
    """A change of the schedule row of one fiscal year (added when there is none)."""

    fiscal_year: int
    fields: dict = field(default_factory=dict)
    delete: bool = False
    saved: ScheduleEntry | None = None  # filled by save_sheet


@dataclass
class SheetChanges:
    """Cleaned values of one save. `renumber`: positions follow the order of
    `indicators` (the edit page lists them all, in order)."""

    fields: dict = field(default_factory=dict)
    status: str | None = None
    indicators: list[IndicatorChange] = field(default_factory=list)
    schedule: list[ScheduleChange] = field(default_factory=list)
    renumber: bool = False


def projects_without_sheet(plan):
    """Projects of the plan that have no 情報化事業シート (a cycle makes no report for them)."""
    from plans.models import Project

    return Project.objects.filter(plan=plan, sheet__isnull=True).order_by("code")


@transaction.atomic
def ensure_sheet(project) -> None:
    """The sheet of one new project (projects.authoring.add_project)."""
    placement = Placement.objects.select_related("project__plan", "item").get(project=project, is_home=True)
    _create_sheets(project.plan, [placement])


@transaction.atomic
def ensure_sheets(*, plan: Plan) -> int:
    """Create the missing sheets of a plan's projects, with a schedule row per plan year.

    Existing sheets are never changed. Returns how many were created.
    """
    homes = (
        Placement.objects.filter(project__plan=plan, is_home=True, project__sheet__isnull=True)
        .select_related("project", "item")
    )
    return _create_sheets(plan, homes)


def _create_sheets(plan, homes) -> int:
    ict_office = Section.objects.filter(code=ICT_OFFICE_SECTION).first()
    created = 0
    for placement in homes:
        revision = Revision(user=None, via=None)
        ours = plan.code == ICT_OFFICE_PLAN and placement.item.path in ICT_OFFICE_ITEMS
        sheet = revision.mark(ProjectSheet(
            project=placement.project,
            section=ict_office if ours else None,
            start_year=placement.project.since_year,
        ))
        sheet.save()
        for year in plan.years:
            revision.mark(ScheduleEntry(sheet=sheet, fiscal_year=year)).save()
        created += 1
    return created


@dataclass
class _Plan:
    """The rows a save writes, found before anything is written."""

    state: rules.SheetData
    sheet_changed: bool = False
    saves: list = field(default_factory=list)  # (instance, set of changed field names)
    deletes: list = field(default_factory=list)

    def has_writes(self):
        return self.sheet_changed or self.saves or self.deletes


@dataclass
class SheetSave:
    """One sheet's part of a batch: its changes and the version its author saw."""

    sheet_id: int
    seen_version: int
    changes: SheetChanges


class SheetsRefused(Exception):
    """Sheets of a batch that cannot be saved, each with its reason (ValidationError,
    UnknownRowError, IncompleteSheetError or StaleSheetError); nothing was written."""

    def __init__(self, errors: dict):
        super().__init__("保存できないシートがあります。")
        self.errors = errors


def save_sheet(*, sheet: ProjectSheet, seen_version: int, changes: SheetChanges, user, via: Via,
               revision: Revision | None = None) -> ProjectSheet | None:
    """Apply `changes` to the sheet, refusing them if the sheet changed since
    `seen_version`. Returns the saved sheet, or None when nothing changes (no new
    version, no history). Raises ValidationError (a row is invalid),
    UnknownRowError, IncompleteSheetError (完成 with something missing) or
    StaleSheetError; each of them before any write. A batch of one (save_sheets)."""
    try:
        saved = save_sheets(items=[SheetSave(sheet.pk, seen_version, changes)], user=user, via=via,
                            revision=revision)
    except SheetsRefused as refused:
        raise refused.errors[sheet.pk] from None
    return saved.get(sheet.pk)


@transaction.atomic
def save_sheets(*, items: list[SheetSave], user, via: Via, revision: Revision | None = None) -> dict:
    """Save a batch of sheets (the edit page and the admin: one; an import: many)
    with the same rules each: every sheet's changes are planned and validated
    first, and if any sheet is refused nothing is written (SheetsRefused). Then
    one conditional UPDATE raises every version, and the rows and their history
    are written a few statements per model, marked with one revision, the user
    and `via`. Returns {sheet id: saved sheet} for the sheets that changed."""
    loaded = ProjectSheet.objects.with_details().in_bulk([item.sheet_id for item in items])
    plans, refused, stale = {}, {}, {}
    for item in items:
        try:
            current = loaded.get(item.sheet_id)
            if current is None:
                raise UnknownRowError("このシートは見つかりません。")
            plan = _plan_writes(current, item.changes)
            if plan.has_writes():
                _check(plan)
                if current.version != item.seen_version:
                    stale[item.sheet_id] = item.seen_version
                plans[item.sheet_id] = plan
        except (ValidationError, UnknownRowError, IncompleteSheetError) as error:
            refused[item.sheet_id] = error
    if stale:  # the sheets as stored now, for the page that shows the conflict
        fresh = ProjectSheet.objects.with_basics().in_bulk(list(stale))
        refused.update({pk: StaleSheetError(fresh[pk], seen) for pk, seen in stale.items()})
    refused.update(_undeletable(plans))
    if refused:
        raise SheetsRefused(refused)
    if not plans:
        return {}
    seen = {item.sheet_id: item.seen_version for item in items if item.sheet_id in plans}
    if not bump_versions(ProjectSheet, seen):  # someone saved between the read above and here
        now = dict(ProjectSheet.objects.filter(pk__in=seen).values_list("pk", "version"))
        stale = [pk for pk in seen if now.get(pk) != seen[pk] + 1] or list(seen)  # theirs or ours: unknown
        stale = ProjectSheet.objects.with_basics().in_bulk(stale)
        raise SheetsRefused({pk: StaleSheetError(sheet, seen[pk]) for pk, sheet in stale.items()})
    _write(list(plans.values()), seen, revision or Revision(user=user, via=via), user)
    return {pk: plan.state.sheet for pk, plan in plans.items()}


def _check(plan: "_Plan"):
    """Model validation of the rows to be written, then for 完成 the completeness rules
    on the state the save would leave (nothing is written when refused)."""
    _validate(plan)
    if plan.state.sheet.status == SheetStatus.COMPLETE:
        missing = rules.missing_items(plan.state)
        if missing:
            raise IncompleteSheetError(missing, rules.missing_fields(plan.state))


def _plan_writes(current: ProjectSheet, changes: SheetChanges) -> _Plan:
    """Apply the changes to the loaded rows in memory and list what differs."""
    state = rules.SheetData.of(current)
    plan = _Plan(state=state)
    values = {**changes.fields, **({"status": changes.status} if changes.status else {})}
    plan.sheet_changed = _assign(current, values)

    by_id = {item.indicator.pk: item for item in state.indicators}
    kept = []
    for change in changes.indicators:
        item = by_id.get(change.id) if change.id is not None else rules.IndicatorData(Indicator(sheet=current))
        if item is None:
            raise UnknownRowError()
        if change.delete:
            state.indicators.remove(item)
            plan.deletes += [item.indicator]
            continue
        indicator = item.indicator
        if change.id is None:
            state.indicators.append(item)
            indicator.position = max([i.indicator.position for i in state.indicators[:-1]], default=0) + 1
        changed = _assign(indicator, change.fields) or change.id is None
        if changed:
            plan.saves.append(indicator)
        change.saved = indicator
        kept.append(item)
        _plan_targets(plan, item, change.targets)
    if changes.renumber:
        order = kept + [item for item in state.indicators if item not in kept]
        for position, item in enumerate(order, start=1):
            if item.indicator.position != position:
                item.indicator.position = position
                if item.indicator not in plan.saves:
                    plan.saves.append(item.indicator)
        state.indicators[:] = order
    _plan_schedule(plan, current, changes.schedule)
    # Indicators before their targets, so that a new indicator has its pk first.
    plan.saves.sort(key=lambda instance: not isinstance(instance, Indicator))
    return plan


def _plan_targets(plan, item, targets):
    stored = {t.fiscal_year: t for t in item.indicator.targets.all()} if item.indicator.pk else {}
    for year, value in targets.items():
        target = stored.get(year)
        if value is None:
            if target is not None:
                plan.deletes.append(target)
            item.targets.pop(year, None)
        elif target is None:
            plan.saves.append(IndicatorTarget(indicator=item.indicator, fiscal_year=year, value=value))
            item.targets[year] = value
        elif target.value != value:
            target.value = value
            plan.saves.append(target)
            item.targets[year] = value


def _plan_schedule(plan, current, changes):
    by_year = {entry.fiscal_year: entry for entry in plan.state.schedule}
    for change in changes:
        entry = by_year.get(change.fiscal_year)
        if change.delete:
            if entry is not None:
                plan.deletes.append(entry)
                plan.state.schedule.remove(entry)
            continue
        if entry is None:
            entry = ScheduleEntry(sheet=current, fiscal_year=change.fiscal_year)
            plan.state.schedule.append(entry)
            _assign(entry, change.fields)
            plan.saves.append(entry)
        elif _assign(entry, change.fields):
            plan.saves.append(entry)
        change.saved = entry


def _assign(instance, values: dict) -> bool:
    """Set the values on the instance; True when one of them differs."""
    changed = False
    for name, value in values.items():
        attname = instance._meta.get_field(name).attname
        new = value.pk if hasattr(value, "_meta") else value
        if getattr(instance, attname) != new:
            setattr(instance, attname if not hasattr(value, "_meta") else name, value)
            changed = True
    return changed


# The parent a row hangs off is set by the service itself, never looked up again.
PARENTS = {ProjectSheet: ["project", "updated_by"], Indicator: ["sheet"], IndicatorTarget: ["indicator"],
           ScheduleEntry: ["sheet"]}


def _validate(plan: _Plan):
    """Model validation (fields, choices, CHECK constraints) of every row to be written."""
    errors = []
    rows = ([plan.state.sheet] if plan.sheet_changed else []) + plan.saves
    for instance in rows:
        try:
            instance.full_clean(exclude=PARENTS[type(instance)], validate_unique=False)
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError([message for error in errors for message in error.messages])


def _undeletable(plans: dict) -> dict:
    """Sheets that would delete an indicator with a reported result (one query for the batch)."""
    deleted = {i.pk: pk for pk, plan in plans.items() for i in plan.deletes if isinstance(i, Indicator)}
    if not deleted:
        return {}
    names = {i.pk: i.name for plan in plans.values() for i in plan.deletes if isinstance(i, Indicator)}
    results = Indicator._meta.get_field("results").related_model  # governance's, above this app
    reported = (results.objects.filter(indicator_id__in=deleted).exclude(actual=None, note="")
                .values_list("indicator_id", flat=True).distinct())
    refused = {}
    for indicator_id in reported:
        refused.setdefault(deleted[indicator_id], []).append(
            f"指標「{names[indicator_id]}」には実績報告の実績値が記録されているため削除できません。")
    return {pk: ValidationError(messages) for pk, messages in refused.items()}


def _write(plans: list[_Plan], seen: dict, revision: Revision, user):
    """The planned rows of the batch: sheets, then deletions, new rows and changed rows
    of each model, each with its history rows (one revision, the user, how)."""
    now = timezone.now()
    history = {"user": user, "reason": str(revision.via or ""), "date": now, "revision": revision.id}
    sheets = [plan.state.sheet for plan in plans]
    for sheet in sheets:
        sheet.version = seen[sheet.pk] + 1
        sheet.updated_by = user
    # The version was raised above (conditionally); the sheet page keys on it and on updated_at.
    update_rows(sheets, editable_names(ProjectSheet))
    record_history(sheets, created=False, **history)
    for plan in plans:
        for instance in plan.deletes:
            _delete(instance, revision)
    for model in (Indicator, IndicatorTarget, ScheduleEntry):  # an indicator before its targets
        rows = [instance for plan in plans for instance in plan.saves if type(instance) is model]
        new = [instance for instance in rows if instance.pk is None]
        old = [instance for instance in rows if instance.pk is not None]
        if new:
            model.objects.bulk_create(new)
            record_history(new, created=True, **history)
        if old:
            update_rows(old, editable_names(model))
            record_history(old, created=False, **history)
        if rows and model is not ScheduleEntry:
            stamps.bump("work")  # bulk writes send no signals (core.stamps)


def _delete(instance, revision):
    if isinstance(instance, Indicator):
        # Only empty result rows (_undeletable refused the others). A result filled in since
        # stays, and the indicator's PROTECT refuses the whole save instead of losing it.
        instance.results.filter(actual=None, note="").delete()
        if instance.results.exists():
            raise ValidationError(f"指標「{instance.name}」には実績が報告されたため削除できません。")
        for target in instance.targets.all():  # in this revision, not as an unmarked cascade
            if target.pk is not None:
                revision.mark(target).delete()
    revision.mark(instance).delete()


def missing_after(*, sheet: ProjectSheet, changes: SheetChanges) -> list[str]:
    """What the sheet would still lack to be complete with `changes` applied, found
    in memory (nothing is written): for the edit page, which lists every missing item
    at once even when some of the input is refused."""
    try:
        plan = _plan_writes(ProjectSheet.objects.with_details().get(pk=sheet.pk), changes)
    except UnknownRowError:
        return []
    return rules.missing_items(plan.state)


def missing_items(sheet: ProjectSheet) -> list[str]:
    """What a stored sheet lacks to be complete (reads ProjectSheet.objects.with_details())."""
    return rules.missing_items(rules.SheetData.of(sheet))

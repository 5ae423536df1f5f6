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
from django.db.models import F

from accounts.models import Section
from core import stamps
from plans.models import Placement, Plan
from projects import rules
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry, SheetStatus
from projects.revisions import Revision, Via

# Measures whose projects the plan gives to 情報推進課 itself: ICT governance
# (Ⅱ-1-2), information security (Ⅱ-3-1) and the ICT-BCP it keeps (Ⅱ-3-2, p.31).
ICT_OFFICE_SECTION = "joho-suishin"
ICT_OFFICE_MEASURES = {(2, 1, 2), (2, 3, 1), (2, 3, 2)}

__all__ = [
    "IncompleteSheetError", "IndicatorChange", "ScheduleChange", "SheetChanges", "StaleSheetError",
    "UnknownRowError", "Via", "ensure_sheets", "save_sheet",
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


@transaction.atomic
def ensure_sheets(*, plan: Plan) -> int:
    """Create the missing sheets of a plan's projects, with a schedule row per plan year.

    Existing sheets are never changed. Returns how many were created.
    """
    ict_office = Section.objects.filter(code=ICT_OFFICE_SECTION).first()
    homes = (
        Placement.objects.filter(project__plan=plan, is_home=True, project__sheet__isnull=True)
        .select_related("project", "measure__policy__goal")
    )
    created = 0
    for placement in homes:
        revision = Revision(user=None, via=None)
        measure = placement.measure
        key = (measure.policy.goal.number, measure.policy.number, measure.number)
        sheet = revision.mark(ProjectSheet(
            project=placement.project,
            section=ict_office if key in ICT_OFFICE_MEASURES else None,
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


@transaction.atomic
def save_sheet(*, sheet: ProjectSheet, seen_version: int, changes: SheetChanges, user, via: Via,
               revision: Revision | None = None) -> ProjectSheet | None:
    """Apply `changes` to the sheet, refusing them if the sheet changed since
    `seen_version`. Returns the saved sheet, or None when nothing changes (no new
    version, no history). Raises ValidationError (a row is invalid),
    UnknownRowError, IncompleteSheetError (完成 with something missing) or
    StaleSheetError; each of them before any write."""
    current = ProjectSheet.objects.with_details().get(pk=sheet.pk)
    plan = _plan_writes(current, changes)
    if not plan.has_writes():
        return None
    _validate(plan)
    if current.status == SheetStatus.COMPLETE:  # as it would be after the save
        fields = rules.missing_fields(plan.state)
        missing = rules.missing_items(plan.state)
        if missing:
            raise IncompleteSheetError(missing, fields)

    bumped = ProjectSheet.objects.filter(pk=current.pk, version=seen_version).update(version=F("version") + 1)
    if not bumped:
        raise StaleSheetError(ProjectSheet.objects.with_basics().get(pk=current.pk), seen_version)
    revision = revision or Revision(user=user, via=via)
    # The sheet page keys on the version raised above (core.stamps.covered).
    with stamps.covered("sheets"):
        current.version = seen_version + 1
        current.updated_by = user
        revision.mark(current).save()
        for instance in plan.deletes:
            _delete(instance, revision)
        for instance in plan.saves:
            revision.mark(instance).save()
    return current


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
    errors = [ValidationError(f"指標「{i.name}」には実績報告の実績値が記録されているため削除できません。")
              for i in plan.deletes if isinstance(i, Indicator) and i.results.exclude(actual=None, note="").exists()]
    rows = ([plan.state.sheet] if plan.sheet_changed else []) + plan.saves
    for instance in rows:
        try:
            instance.full_clean(exclude=PARENTS[type(instance)], validate_unique=False)
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError([message for error in errors for message in error.messages])


def _delete(instance, revision):
    if isinstance(instance, Indicator):
        # Only empty result rows remain (_validate refuses the others).
        instance.results.all().delete()
        for target in instance.targets.all():  # in this revision, not as an unmarked cascade
            if target.pk is not None:
                revision.mark(target).delete()
    revision.mark(instance).delete()


def missing_items(sheet: ProjectSheet) -> list[str]:
    """What a stored sheet lacks to be complete (reads ProjectSheet.objects.with_details())."""
    return rules.missing_items(rules.SheetData.of(sheet))

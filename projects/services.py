"""Writes of sheets: creation for a plan, and the one save path with its lock."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from accounts.models import Section
from core import fiscal, stamps
from plans.models import Placement, Plan
from projects.models import IndicatorTarget, ProjectSheet, ScheduleEntry, SheetStatus
from projects.revisions import revision

# Measures whose projects the plan gives to 情報推進課 itself: ICT governance
# (Ⅱ-1-2), information security (Ⅱ-3-1) and the ICT-BCP it keeps (Ⅱ-3-2, p.31).
ICT_OFFICE_SECTION = "joho-suishin"
ICT_OFFICE_MEASURES = {(2, 1, 2), (2, 3, 1), (2, 3, 2)}


class StaleSheetError(Exception):
    """Someone saved the sheet after this user opened it."""

    def __init__(self, sheet, seen_version):
        super().__init__("他の利用者がこのシートを更新しました。")
        self.sheet = sheet
        self.seen_version = seen_version


class IncompleteSheetError(Exception):
    """A save as 完成 while something required is missing."""

    def __init__(self, missing):
        super().__init__("完成として保存するには入力が不足しています。")
        self.missing = missing


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
    with revision():
        for placement in homes:
            measure = placement.measure
            key = (measure.policy.goal.number, measure.policy.number, measure.number)
            sheet = ProjectSheet.objects.create(
                project=placement.project,
                section=ict_office if key in ICT_OFFICE_MEASURES else None,
                start_year=placement.project.since_year,
            )
            for year in plan.years:
                ScheduleEntry.objects.create(sheet=sheet, fiscal_year=year)
            created += 1
    return created


@dataclass
class SheetEdit:
    """The validated forms of one edit of a sheet."""

    sheet_form: object
    indicator_formset: object
    schedule_formset: object

    def has_changes(self) -> bool:
        return (self.sheet_form.has_changed()
                or any(form.has_changed() for form in self.indicator_formset.forms)
                or any(form.has_changed() for form in self.schedule_formset.forms))


@transaction.atomic
def save_sheet(*, user, sheet: ProjectSheet, seen_version: int, edit: SheetEdit, complete: bool):
    """Save an edit of a sheet, refusing it if the sheet changed since `seen_version`.

    The version check is the first write of the transaction and a conditional
    UPDATE, so two concurrent saves cannot both pass it, on SQLite and PostgreSQL.
    All history rows of the save share one revision. An edit that changes nothing
    (not even 下書き/完成) writes nothing and returns None: no new version, no history.
    """
    if not edit.has_changes() and sheet.status == (SheetStatus.COMPLETE if complete else SheetStatus.DRAFT):
        return None
    bumped = ProjectSheet.objects.filter(pk=sheet.pk, version=seen_version).update(
        version=F("version") + 1
    )
    if not bumped:
        raise StaleSheetError(ProjectSheet.objects.with_basics().get(pk=sheet.pk), seen_version)

    # The sheet page keys on the version raised above (core.stamps.covered).
    with revision(), stamps.covered("sheets"):
        sheet = edit.sheet_form.save(commit=False)
        sheet.version = seen_version + 1
        sheet.updated_by = user
        sheet.status = SheetStatus.COMPLETE if complete else SheetStatus.DRAFT
        sheet.save()
        _save_indicators(edit.indicator_formset, sheet)
        for form in edit.schedule_formset.forms:
            if form.has_changed():
                form.save()

    if complete:
        missing = missing_items(ProjectSheet.objects.with_details().get(pk=sheet.pk))
        if missing:
            raise IncompleteSheetError(missing)  # rolls the whole save back
    return sheet


class _Rollback(Exception):
    def __init__(self, missing):
        self.missing = missing


def missing_if_saved(*, user, sheet: ProjectSheet, seen_version: int, edit: SheetEdit) -> list[str]:
    """What a save as 完成 would still lack, found by saving the edit as a draft in
    a transaction that is always rolled back (so that the form can list every
    missing item at once, not the fields first and the indicators later).
    `edit` must be built on its own sheet instance: saving changes it."""
    try:
        with transaction.atomic():
            save_sheet(user=user, sheet=sheet, seen_version=seen_version, edit=edit, complete=False)
            raise _Rollback(missing_items(ProjectSheet.objects.with_details().get(pk=sheet.pk)))
    except _Rollback as rollback:
        return rollback.missing
    except StaleSheetError:
        return []


def _save_indicators(formset, sheet):
    formset.instance = sheet
    for form in formset.deleted_forms:
        if form.instance.pk:
            # Only empty result rows remain (IndicatorRowsFormSet refuses the others).
            form.instance.results.all().delete()
            form.instance.delete()
    position = 0
    for form in formset.forms:
        if form in formset.deleted_forms or not form.has_changed() and not form.instance.pk:
            continue
        position += 1
        indicator = form.save(commit=False)
        indicator.sheet = sheet
        if form.has_changed() or indicator.position != position:
            indicator.position = position
            indicator.save()
        _save_targets(indicator, form.targets())


def _save_targets(indicator, targets):
    existing = {t.fiscal_year: t for t in indicator.targets.all()} if indicator.pk else {}
    for year, value in targets.items():
        current = existing.get(year)
        if value is None:
            if current:
                current.delete()
        elif current is None:
            IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, value=value)
        elif current.value != value:
            current.value = value
            current.save()


def missing_items(sheet) -> list[str]:
    """What a sheet still lacks before it is complete, in Japanese, for lists and checks.

    Reads only prefetched data (ProjectSheet.objects.with_details()).
    """
    from projects.forms import REQUIRED_WHEN_COMPLETE

    missing = []
    if not sheet.section_id:
        missing.append("担当部署")
    for name in REQUIRED_WHEN_COMPLETE:
        if not getattr(sheet, name if name != "master_plan_code" else "master_plan_code_id"):
            missing.append(str(ProjectSheet._meta.get_field(name).verbose_name))
    plan = sheet.project.plan
    years = _years_in_period(sheet, plan)
    indicators = list(sheet.indicators.all())
    if not indicators:
        missing.append("活動指標")
    for indicator in indicators:
        if indicator.is_qualitative:
            continue
        have = {t.fiscal_year for t in indicator.targets.all()}
        lacking = [y for y in years if y not in have]
        if lacking:
            labels = "、".join(fiscal.fy_short(y, plan.era) for y in lacking)
            missing.append(f"指標「{indicator.name}」の目標値({labels})")
    planned = {entry.fiscal_year for entry in sheet.schedule.all() if entry.planned.strip()}
    if any(year not in planned for year in years):
        missing.append("スケジュール(予定)")
    return missing


def _years_in_period(sheet, plan):
    start = max(sheet.start_year or plan.start_year, plan.start_year)
    end = min(sheet.end_year or plan.end_year, plan.end_year)
    return list(range(start, end + 1))

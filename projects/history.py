"""The 履歴 of a sheet: every revision with who, when and each field's before/after,
read from django-simple-history's tables in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from accounts.models import Section
from core import fiscal
from plans.models import MasterPlanCode
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry

# Bookkeeping columns that are not part of what users edit.
SKIP = {"id", "version", "updated_at", "updated_by", "sheet", "indicator", "project", "position", "fiscal_year"}
YEAR_FIELDS = {"start_year", "end_year", "baseline_year", "fiscal_year"}
DELETED = "(削除)"


@dataclass
class FieldChange:
    subject: str
    label: str
    before: str
    after: str


@dataclass
class ChangeSet:
    revision: str
    date: datetime
    user: object
    version: int | None = None
    history_id: int | None = None  # the sheet's history row of this revision
    reason: str = ""  # how the change was made (projects.revisions.Via: 画面, 管理画面, Excel・CSV の取込み)
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def mark(self) -> str:
        """Shown beside who made the change: how, unless by the edit page (the usual way)."""
        return "" if self.reason == "画面" else self.reason


def sheet_history(sheet: ProjectSheet) -> list[ChangeSet]:
    """Newest first."""
    plan_era = sheet.project.plan.era
    sheet_rows = list(sheet.history.select_related("history_user").order_by("history_date", "history_id"))
    indicator_rows = list(
        Indicator.history.filter(sheet_id=sheet.pk).select_related("history_user").order_by("history_date", "history_id")
    )
    target_rows = list(
        IndicatorTarget.history.filter(indicator_id__in={row.id for row in indicator_rows})
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    schedule_rows = list(
        ScheduleEntry.history.filter(sheet_id=sheet.pk).select_related("history_user").order_by("history_date", "history_id")
    )
    names = _Names(sheet_rows)
    indicator_names = {row.id: row.name for row in indicator_rows}
    # The sheet's link to the master plan is named by the plan (第五次総合基本計画コード).
    label_of = {"master_plan_code": sheet.project.plan.master_plan_label}

    sets: dict[str, ChangeSet] = {}

    def add(row, subject, label, before, after):
        key = row.revision or f"row-{row._meta.model_name}-{row.history_id}"
        change_set = sets.setdefault(key, ChangeSet(key, row.history_date, row.history_user))
        change_set.date = max(change_set.date, row.history_date)
        change_set.reason = change_set.reason or row.history_change_reason or ""
        change_set.changes.append(FieldChange(subject, label, before, after))

    def walk(rows, subject_of, display):
        previous = {}
        for row in rows:
            before = previous.get(row.id)
            subject = subject_of(row)
            if row.history_type == "-":
                # What was removed, field by field (a cleared target: 目標値 16 → (削除)); the
                # deletion's history row holds the values the row had.
                removed = [(f, value) for f in _edited_fields(row)
                           if (value := getattr(row, f.attname)) not in (None, "", False)]
                for f, value in removed:
                    add(row, subject, label_of.get(f.name) or str(f.verbose_name), display(f, value), DELETED)
                if not removed:
                    add(row, subject, "", "", DELETED)
            else:
                for f in _edited_fields(row):
                    value = getattr(row, f.attname)
                    if before is None and value is False:
                        continue  # a new row's unticked box is not news
                    old = display(f, getattr(before, f.attname)) if before else ""
                    new = display(f, value)
                    if old != new:
                        add(row, subject, label_of.get(f.name) or str(f.verbose_name), old, new)
            previous[row.id] = row

    def display(f, value):
        if value in (None, ""):
            return ""
        if f.name in YEAR_FIELDS:
            return fiscal.fy_era(value)
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if f.name == "section":
            return names.section(value)
        if f.name == "master_plan_code":
            return names.master_code(value)
        if isinstance(value, bool):
            return "はい" if value else "いいえ"
        if isinstance(value, Decimal):
            return f"{value.normalize():,f}"  # as the sheet prints it: 「1,200」
        return str(value)

    walk(sheet_rows, lambda row: "シート", display)
    walk(indicator_rows, lambda row: f"指標「{row.name}」", display)
    walk(
        target_rows,
        lambda row: f"指標「{indicator_names.get(row.indicator_id, '')}」の目標値"
        f"({fiscal.fy_short(row.fiscal_year, plan_era)})",
        display,
    )
    walk(schedule_rows, lambda row: f"スケジュール({fiscal.fy_short(row.fiscal_year, plan_era)})", display)

    sheet_rows_by_revision = {row.revision: row for row in sheet_rows if row.revision}
    for key, change_set in sets.items():
        row = sheet_rows_by_revision.get(key)
        if row is not None:
            change_set.version, change_set.history_id = row.version, row.history_id
    return sorted(
        (s for s in sets.values() if s.changes), key=lambda s: s.date, reverse=True
    )


def _edited_fields(row):
    """The fields people edit of a history row's model (not its bookkeeping)."""
    return [f for f in row.instance_type._meta.fields if f.name not in SKIP]


class _Names:
    """Names of the sections and codes history rows point to, fetched once."""

    def __init__(self, sheet_rows):
        section_ids = {row.section_id for row in sheet_rows if row.section_id}
        code_ids = {row.master_plan_code_id for row in sheet_rows if row.master_plan_code_id}
        self._sections = {
            s.pk: str(s) for s in Section.objects.filter(pk__in=section_ids).select_related("department")
        }
        self._codes = {c.pk: str(c) for c in MasterPlanCode.objects.filter(pk__in=code_ids)}

    def section(self, pk):
        return self._sections.get(pk, f"(削除された課 {pk})")

    def master_code(self, pk):
        return self._codes.get(pk, f"(削除されたコード {pk})")

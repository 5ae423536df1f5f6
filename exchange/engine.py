"""The import engine: how any app's resource (core.resources.ExchangeResource,
which only declares columns, scope and per-app hooks) is run over an upload.

`importing(cls)` puts `RowImport` in front of the resource class: it plugs into
django-import-export's bulk mode and matches each row by its key within what the
user may change, refuses rows it cannot take (unknown key, a changed row of another
section), skips unchanged rows (another section's too, counted apart, so that a whole
export from /data/ can come back), checks the row's 版 against the record it belongs to, and
asks the resource's own checks (the browser's forms). Changed rows are handed
to the resource's `write` hook, which gives them to the `ImportRun`: the run
gathers them per record (sheet or report) as the app's write service's plain
changes, and at the end saves them in batches through that service
(projects.services.save_sheets, governance.cycles.services.save_reports) —
the same rules, validation and history as the edit page, marked as an import.
"""

import copy
import dataclasses
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from core.resources import file_version, shown
from governance.cycles.services import (
    ReportChanges,
    ReportSave,
    ReportsRefused,
    StaleReportError,
    WorkflowError,
    save_reports,
)
from projects.revisions import Revision, Via
from projects.services import (
    IncompleteSheetError,
    SheetChanges,
    SheetSave,
    SheetsRefused,
    StaleSheetError,
    save_sheets,
)

BATCH = 500  # records (sheets or reports) per call of a write service


class RowRefused(ValidationError):
    """A row the user may not import at all (unknown key, another section's project)."""


@cache
def importing(resource_class):
    """The resource class with the engine in front (one class per resource)."""
    return type(f"{resource_class.__name__}Import", (RowImport, resource_class), {})


class RowImport:
    """django-import-export's hooks, the same for every resource."""

    def __init__(self, *, run, **kwargs):
        super().__init__(**kwargs)
        self.run = run
        self._index = self._others = self._original = self._outside = self._row = None
        self._changes = []

    def before_import(self, dataset, **kwargs):
        self._index = {self.instance_key(obj): obj for obj in self.import_queryset()}
        self.prepare(self._index.values())
        super().before_import(dataset, **kwargs)

    def get_instance(self, instance_loader, row):
        try:
            key = self.row_key(row)
        except (ValueError, ValidationError):
            key = None
        self._row = row
        self._original = self._index.get(key) if key is not None else None
        # A row the user may read but not change (another section's, as a whole export
        # from /data/ holds them) is read into a copy too, only to see whether it changes:
        # unchanged it is skipped, changed it is refused (validate_instance), never saved.
        self._outside = self.others().get(key) if key is not None and self._original is None else None
        if self._outside is not None:
            self._original = self._outside
        # The loaded row stays as it is (the original for the change list and the
        # form); the import fills a copy (related rows shared, no re-read).
        return copy.copy(self._original) if self._original is not None else None

    def others(self) -> dict:
        """Rows the user may read but not change, by key (loaded when first asked)."""
        if self._others is None:
            self._others = {self.instance_key(obj): obj for obj in self.all_queryset()}
            for key in self._index:
                self._others.pop(key, None)
            self.prepare(self._others.values())
        return self._others

    def init_instance(self, row=None):
        # Import never creates: codes come from the plan, rows from the sheets.
        try:
            key = self.row_key(row)
        except (ValueError, ValidationError) as error:
            raise RowRefused({NON_FIELD_ERRORS: [str(getattr(error, "message", error))]}) from None
        raise RowRefused({NON_FIELD_ERRORS: [self.unknown_message(key)]})

    def skip_row(self, instance, original, row, import_validation_errors=None):
        self._changes = [] if import_validation_errors else changed_columns(self, instance, self._original)
        return not import_validation_errors and not self._changes

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if self._outside is not None:  # changed (or unreadable): refused whatever it holds
            label = " / ".join(str(k) for k in self.instance_key(self._outside))
            raise RowRefused({NON_FIELD_ERRORS: [self.refused_message(label)]})
        errors = dict(import_validation_errors or {})
        if not errors:
            record = self.record_of(instance)
            refusal = self.row_refusal(record)
            errors = ({NON_FIELD_ERRORS: [refusal]} if refusal else self.run.version_errors(self, record, self._row)
                      or self.row_errors(instance, self._original))
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if self._outside is not None:  # unreachable (validate_instance refused it): the scope's last guard
            raise RowRefused({NON_FIELD_ERRORS: [self.refused_message("")]})
        super().save_instance(instance, is_create, row, **kwargs)

    def after_import_row(self, row, row_result, **kwargs):
        row_result.outside = self._outside is not None  # reached only when skipped as unchanged
        row_result.changes = self._changes
        if self._changes and row_result.import_type == "update":
            self.run.place(self, self.record_of(self._original), kwargs.get("row_number"))
        self._changes = []

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        try:
            if self.update_instances:
                self.write(list(self.update_instances))  # the resource's hook: to the run
        finally:
            self.update_instances.clear()


def changed_columns(resource, instance, original) -> list[tuple[str, str, str]]:
    """(column, before, after) of the editable columns whose shown value changes."""
    changes = []
    for field in resource.get_import_fields():
        if field.readonly:
            continue
        old, new = shown(field.export(original)), shown(field.export(instance))
        if old != new:
            changes.append((field.column_name, old, new))
    return changes


# ─── The run: changes gathered per record, saved through the write services ──

@dataclass
class Refusal:
    """A record the write service refused: where to show it (the record's first changed row)."""

    title: str
    row: int
    column: str
    message: str


@dataclass
class Writer:
    changes: type  # the service's plain changes of one record
    item: type  # (record id, seen version, changes)
    save: object  # the batch write service
    refused: type  # its exception, with .errors {record id: error}
    name: str  # the record in messages


WRITERS = {
    "sheet": Writer(SheetChanges, SheetSave, save_sheets, SheetsRefused, "シート"),
    "report": Writer(ReportChanges, ReportSave, save_reports, ReportsRefused, "実績報告"),
}


class ImportRun:
    """One import: the record versions the rows were checked against, the changes
    gathered per record, and where each record's first changed row is."""

    def __init__(self, *, user):
        self.user = user
        self.revision = Revision(user=user, via=Via.IMPORT)
        self.seen: dict[tuple, int] = {}
        self.changes: dict[str, dict] = {kind: {} for kind in WRITERS}
        self.labels: dict[tuple, str] = {}
        self.places: dict[tuple, tuple] = {}

    def version_errors(self, resource, record, row) -> dict:
        """Errors for a row whose 版 is not its record's version when the run first met it."""
        seen = file_version(row)
        if seen is None:
            return {NON_FIELD_ERRORS: ["「版」の列が読めません。テンプレートの「版」の列は変更しないでください。"]}
        current = self.seen.setdefault((resource.record_kind, record.pk), record.version)
        if seen != current:
            name = WRITERS[resource.record_kind].name
            return {NON_FIELD_ERRORS: [(
                f"この{name}は、ファイルを取り出した後に更新されています(取り出した時の版 {seen}、"
                f"現在の版 {current})。この行は取り込めません。最新のファイルを取り出して入力し直してください。"
            )]}
        return {}

    def collect(self, resource, instances):
        """Changed rows of a batch, as the resource turns them into its service's changes."""
        fields = resource.written_fields()
        kind = resource.record_kind
        for instance in instances:
            record = resource.record_of(instance)
            into = self.changes[kind].get(record.pk)
            if into is None:
                into = self.changes[kind][record.pk] = WRITERS[kind].changes()
                self.labels[(kind, record.pk)] = resource.record_label(record)
            merge(into, resource.change_of(instance, fields))

    def place(self, resource, record, row_number):
        self.places.setdefault((resource.record_kind, record.pk), (resource.title, (row_number or 0) + 1))

    def apply(self) -> list[Refusal]:
        """Save every changed record through its write service, BATCH records a call;
        what was refused (the caller then rolls the whole run back)."""
        refusals = []
        for kind, changes in self.changes.items():
            writer = WRITERS[kind]
            ids = list(changes)
            for at in range(0, len(ids), BATCH):
                items = [writer.item(pk, self.seen[(kind, pk)], changes[pk]) for pk in ids[at:at + BATCH]]
                try:
                    with transaction.atomic():
                        writer.save(items=items, user=self.user, via=Via.IMPORT, **self._extra(kind))
                except writer.refused as refused:
                    for pk, error in refused.errors.items():
                        refusals.append(self._refusal(kind, pk, error))
        return _once(refusals)

    def _extra(self, kind):
        return {"revision": self.revision} if kind == "sheet" else {}

    def _refusal(self, kind, pk, error) -> Refusal:
        title, row = self.places.get((kind, pk), ("", 1))
        label = self.labels.get((kind, pk), "")
        name = WRITERS[kind].name
        if isinstance(error, (StaleSheetError, StaleReportError)):
            return Refusal("", 1, "", f"取り込みの途中で他の利用者が{name}を更新しました。もう一度取り込んでください。")
        if isinstance(error, IncompleteSheetError):
            return Refusal(title, row, "状態", f"{label} は「完成」のシートですが、取り込むと次の項目が不足します:"
                           + "、".join(error.missing) + "。状態を「下書き」にするか、不足を入力してください。")
        if isinstance(error, WorkflowError):
            return Refusal(title, row, "", f"{label}:{error}")
        return Refusal(title, row, "", f"{label}:" + "".join(getattr(error, "messages", [str(error)])))


def merge(into, part):
    """Add one row's changes (a partial changes object of the same class) to a record's."""
    for spec in dataclasses.fields(part):
        value = getattr(part, spec.name)
        if isinstance(value, dict):
            getattr(into, spec.name).update(value)
        elif isinstance(value, list):
            getattr(into, spec.name).extend(value)
        elif value not in (None, False):
            setattr(into, spec.name, value)


def _once(refusals):
    seen, unique = set(), []
    for refusal in refusals:
        if (refusal.title, refusal.message) not in seen:
            seen.add((refusal.title, refusal.message))
            unique.append(refusal)
    return unique

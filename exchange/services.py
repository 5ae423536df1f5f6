"""Excel in and out: which resources exist, what a user may export, the
section template, and the one import path (preview and real run alike).

An import reads the whole file first (exchange.files), checks its columns and
keys, then runs every sheet's resource inside one transaction and one sheet
revision. The preview runs exactly the same code and rolls back; the real run
rolls back too unless every row of every sheet is valid.
"""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from core import stamps
from exchange.engine import ImportRun, importing
from exchange.files import CellError, SheetSpec, Upload
from exchange.permissions import can_import
from governance.resources import ReportResource, ResultResource, summary_dataset
from plans.resources import MasterPlanCodeResource, PlacementResource
from projects.models import ProjectSheet
from projects.resources import IndicatorResource, ScheduleResource, SheetResource

logger = logging.getLogger(__name__)

# name → resource class. The order is the import order: a sheet's own row before its parts.
RESOURCES = {
    "plan": PlacementResource,
    "master_codes": MasterPlanCodeResource,
    "sheets": SheetResource,
    "indicators": IndicatorResource,
    "schedule": ScheduleResource,
    "reports": ReportResource,
    "results": ResultResource,
}
IMPORTABLE = [name for name, cls in RESOURCES.items() if cls.importable]
SHEET_RESOURCES = {"sheets", "indicators", "schedule"}
CYCLE_RESOURCES = {"reports", "results"}
GUIDE_TITLE = "説明"


def resource_choices(importable=False):
    return [(name, cls.title) for name, cls in RESOURCES.items() if cls.importable or not importable]


def build(name, *, user, plan, cycle=None, run=None):
    """A resource instance for this user (and plan or cycle); with `run`, the one
    that imports (exchange.engine) in that run."""
    cls = RESOURCES[name]
    kwargs = {"user": user}
    if name in SHEET_RESOURCES or name == "plan":
        kwargs.update(plan=plan)
    elif name in CYCLE_RESOURCES:
        kwargs.update(cycle=cycle, plan=plan)
    if run is not None:
        return importing(cls)(run=run, **kwargs)
    return cls(**kwargs)


# ─── Export ──────────────────────────────────────────────────────────────────

def spec_for(resource, dataset, *, template=False) -> SheetSpec:
    dataset.title = resource.title
    if not template:
        return SheetSpec(title=resource.title, dataset=dataset, hidden=resource.hidden_columns())
    editable = set(resource.editable_columns())
    return SheetSpec(
        title=resource.title, dataset=dataset, choices=resource.choices(),
        locked={c for c in resource.columns() if c not in editable}, hidden=resource.hidden_columns(),
    )


def export_specs(name, *, user, plan, cycle=None) -> list[SheetSpec]:
    """One resource (or the summary tables) as sheets. Every signed-in user may read
    every sheet and report (透明性), so the export is the resource's whole read scope."""
    if name == "summary":
        data = summary_dataset(cycle)
        return [SheetSpec(title=data.title, dataset=data)]
    resource = build(name, user=user, plan=plan, cycle=cycle)
    return [spec_for(resource, resource.export(queryset=resource.export_queryset()))]


def section_template(*, user, plan, section=None) -> list[SheetSpec]:
    """The workbook a section fills in offline: its own sheets, indicators, schedule
    and the reports of the open cycles, pre-filled, with drop-downs and locked codes.
    情報推進課 may ask for any section's (or, with no section, every section's)."""
    sheets = ProjectSheet.objects.editable_by(user).in_plan(plan)
    if section is not None:
        sheets = sheets.of_section(section)
    specs = [SheetSpec(title=GUIDE_TITLE, dataset=_guide())]
    for name in ("sheets", "indicators", "schedule", "reports", "results"):
        resource = build(name, user=user, plan=plan)
        queryset = resource.export_queryset()
        path = {"sheets": "pk__in", "indicators": "sheet__in", "schedule": "sheet__in",
                "reports": "sheet__in", "results": "report__sheet__in"}[name]
        queryset = queryset.filter(**{path: sheets.values("pk")})
        if name in CYCLE_RESOURCES:
            queryset = queryset.filter(**{("report__" if name == "results" else "") + "section_id__in":
                                          sheets.values("section_id")})
        specs.append(spec_for(resource, resource.export(queryset=queryset), template=True))
    return specs


def _guide():
    import tablib

    data = tablib.Dataset(headers=["このファイルの使い方"])
    for line in (
        "各シートの白い列に入力し、「データの入出力」の画面から取り込んでください。",
        "灰色の列(事業コードなど)は変更できません。選択肢のある列は一覧から選びます。",
        "取り込む前に、変わる内容と誤りが行ごとに表示されます。確定するまで何も保存されません。",
        "このファイルを取り出した後に画面でシートや報告が更新されていると、その行は取り込めません。",
        "数式は取り込めません。値を入力してください。",
    ):
        data.append([line])
    return data


# ─── Import ──────────────────────────────────────────────────────────────────

@dataclass
class RowChange:
    sheet: str
    row: int
    key: str
    changes: list  # (column, before, after)


@dataclass
class ImportOutcome:
    changes: list[RowChange] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    unchanged: int = 0
    outside: int = 0  # unchanged rows of sheets the user may not change (another section's): skipped
    applied: bool = False

    @property
    def ok(self):
        return not self.errors

    @property
    def changed_rows(self):
        return len(self.changes)


def _excel_row(index):
    """Dataset row `index` (from 0) is Excel row index + 2 (the header is row 1)."""
    return index + 2


def assign_sheets(upload: Upload, resource_name=None):
    """[(resource name, sheet title, dataset)] in import order, and errors for sheets
    this import cannot take."""
    errors, found = [], {}
    by_title = {RESOURCES[name].title: name for name in IMPORTABLE}
    for title, dataset in upload.sheets.items():
        if title == GUIDE_TITLE:
            continue
        name = resource_name if title == "" else by_title.get(title)
        if title == "" and not name:
            errors.append(CellError("", 1, "", "CSV を取り込むときは、取り込む内容を選んでください。"))
        elif name is None or name not in IMPORTABLE:
            known = "、".join(RESOURCES[n].title for n in IMPORTABLE)
            errors.append(CellError(title, 1, "", f"シート「{title}」は取り込めません(取り込めるシート:{known})。"))
        elif name in found:
            errors.append(CellError(title, 1, "", f"「{RESOURCES[name].title}」が2つあります。"))
        else:
            found[name] = (title, dataset)
    if not found and not errors:
        errors.append(CellError("", 1, "", "取り込める内容がありません。"))
    return [(name, *found[name]) for name in RESOURCES if name in found], errors


def check_structure(resource, title, dataset) -> list[CellError]:
    """Missing or extra columns, and duplicate keys."""
    errors = []
    headers = [h or "" for h in (dataset.headers or [])]
    expected = resource.columns()
    for name in expected:
        if name not in headers:
            errors.append(CellError(title, 1, name, f"列「{name}」がありません。取り出したファイルの列を消さないでください。"))
    for name in headers:
        if name not in expected:
            errors.append(CellError(title, 1, name, f"列「{name}」は「{resource.title}」の列ではありません。"))
        elif headers.count(name) > 1 and name not in {e.column for e in errors}:
            errors.append(CellError(title, 1, name, f"列「{name}」が2つあります。"))
    if errors:
        return errors
    seen = {}
    key_column = resource.key_columns[-1]
    for index, values in enumerate(dataset):
        row = dict(zip(headers, values))
        try:
            key = resource.row_key(row)
        except (ValueError, ValidationError):
            continue  # reported by the row's own import
        if not any(key):
            continue
        if key in seen:
            label = " / ".join(key)
            errors.append(CellError(title, _excel_row(index), key_column,
                                    f"{label} が {seen[key]} 行目と重複しています。1行にまとめてください。"))
        else:
            seen[key] = _excel_row(index)
    return errors


def run_import(upload: Upload, *, user, plan, commit: bool, resource_name=None) -> ImportOutcome:
    """Preview (commit=False) or apply an upload; applied only when nothing is refused."""
    outcome = ImportOutcome(errors=list(upload.errors))
    sheets, errors = assign_sheets(upload, resource_name)
    outcome.errors += errors
    if not can_import(user):
        outcome.errors.append(CellError("", 1, "", "取り込みができるのは事業担当の職員と情報推進課です。"))
    for name, title, dataset in sheets:
        outcome.errors += check_structure(build(name, user=user, plan=plan), title, dataset)
    if outcome.errors:
        return outcome

    with transaction.atomic():
        run = ImportRun(user=user)
        for name, title, dataset in sheets:
            resource = build(name, user=user, plan=plan, run=run)
            result = resource.import_data(dataset, dry_run=False, use_transactions=True, raise_errors=False)
            _collect(outcome, resource, title, dataset, result)
        if outcome.ok:  # each changed sheet and report saved once, as their edit pages save them
            outcome.errors += [CellError(r.title, r.row, r.column, r.message) for r in run.apply()]
        outcome.applied = commit and outcome.ok and bool(outcome.changes)
        if not outcome.applied:
            transaction.set_rollback(True)
        else:
            # The import writes rows in bulk (no save() signals): the cached pages
            # that show sheets, indicators and reports must see the change at once.
            for key in ("sheets", "work"):
                stamps.bump(key)
    return outcome


def _collect(outcome, resource, title, dataset, result):
    for error in result.base_errors:
        logger.error("import of %s failed: %s", title, error.error, exc_info=error.error)
        outcome.errors.append(CellError(title, 1, "", "このシートを取り込めませんでした(システムの内部エラー)。"))
    headers = dataset.headers
    for index, row_result in enumerate(result.rows):
        excel_row = _excel_row(index)
        try:
            key = " / ".join(resource.row_key(dict(zip(headers, dataset[index]))))
        except (ValueError, ValidationError, IndexError):
            key = ""
        if row_result.import_type == "skip" and getattr(row_result, "outside", False):
            outcome.outside += 1
        elif row_result.import_type == "skip":
            outcome.unchanged += 1
        elif row_result.validation_error is not None:
            error = row_result.validation_error
            messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
            for attribute, texts in messages.items():
                column = resource.column_of(attribute)
                outcome.errors += [CellError(title, excel_row, column, text) for text in texts]
        elif row_result.errors:
            for error in row_result.errors:
                logger.error("import row %s of %s failed", excel_row, title, exc_info=error.error)
            outcome.errors.append(CellError(title, excel_row, resource.column_of(NON_FIELD_ERRORS),
                                            "この行を取り込めませんでした(システムの内部エラー)。"))
        else:
            outcome.changes.append(RowChange(title, excel_row, key, getattr(row_result, "changes", [])))
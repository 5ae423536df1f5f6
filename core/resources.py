"""Import/export building blocks every app's resources.py declares its columns
with (core is below every app): widgets that read cells as city staff write them,
`column()`, and `ExchangeResource`, the django-import-export glue that matches
rows by code within the user's scope, skips unchanged rows, validates a changed
row with the browser's form and hands the changed rows of a batch to the
resource's `write`. Running an import (files, preview, the sheets' save through
projects.services.save_sheet) is exchange's (exchange.imports, exchange.services).
"""

import copy
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Case, F, IntegerField, Value, When
from import_export import fields, resources, widgets
from simple_history.utils import bulk_update_with_history, get_history_manager_for_model

from core import fiscal


# ─── Widgets: cells as city staff write them ─────────────────────────────────

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


class TextWidget(widgets.Widget):
    """Free text; Excel's line breaks kept, surrounding spaces dropped as the browser form does."""

    def clean(self, value, row=None, **kwargs):
        return _text(value).replace("\r\n", "\n").replace("\r", "\n").strip()

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class NumberWidget(widgets.Widget):
    """A decimal; stays a number in xlsx (int when whole), 「1,200」 and full-width digits accepted."""

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise ValueError(f"「{value}」は数値として読めません。")
        if isinstance(value, (int, float, Decimal)):
            text = str(value)
        else:
            text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"「{value}」は数値として読めません。") from None
        if not number.is_finite():
            raise ValueError(f"「{value}」は数値として読めません。")
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None
        value = Decimal(value)
        if value == value.to_integral_value():
            return int(value)
        return Decimal(f"{value.normalize():f}")


class FiscalYearWidget(widgets.Widget):
    """「平成28年度(2016年度)」 on export (in the plan's era when given); any form
    core.fiscal.parse_fiscal_year reads on import."""

    def __init__(self, era=None):
        super().__init__()
        self.era = era

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return fiscal.parse_fiscal_year(str(value))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else fiscal.fy_label(value, self.era)


class ChoiceWidget(widgets.Widget):
    """A vocabulary value, written and read by its Japanese label (the stored value is also accepted)."""

    def __init__(self, choices, *, blank=True):
        super().__init__()
        self.labels = {value: str(label) for value, label in choices.choices}
        self.values = {label: value for value, label in self.labels.items()}
        self.blank = blank

    def clean(self, value, row=None, **kwargs):
        text = unicodedata.normalize("NFKC", _text(value)).strip()
        if not text:
            if self.blank:
                return ""
            raise ValueError("入力が必要です。")
        for label, stored in self.values.items():
            if text in (unicodedata.normalize("NFKC", label), stored):
                return stored
        raise ValueError(f"「{value}」は選べません。次のいずれかを選んでください:" + "、".join(self.labels.values()))

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")

    @property
    def options(self):
        return list(self.labels.values())


class BooleanWidget(widgets.Widget):
    TRUE = {"はい", "○", "◯", "TRUE", "1", "YES"}
    FALSE = {"いいえ", "", "FALSE", "0", "NO", "×"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = unicodedata.normalize("NFKC", _text(value)).strip().upper()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"「{value}」は「はい」か「いいえ」で入力してください。")

    def render(self, value, obj=None, **kwargs):
        return "はい" if value else "いいえ"

    options = ["はい", "いいえ"]


class CodeWidget(widgets.Widget):
    """A foreign key written as the target's code (or display name), never its id."""

    def __init__(self, queryset, *, key=lambda obj: obj.code, names=lambda obj: (str(obj),), what="コード"):
        super().__init__()
        self.queryset, self.key, self.names, self.what = queryset, key, names, what
        self._index = None

    def index(self):
        if self._index is None:
            self._index = {}
            for obj in self.queryset:
                for name in (self.key(obj), *self.names(obj)):
                    self._index.setdefault(unicodedata.normalize("NFKC", name).strip(), obj)
        return self._index

    def clean(self, value, row=None, **kwargs):
        text = unicodedata.normalize("NFKC", _text(value)).strip()
        if not text:
            return None
        try:
            return self.index()[text]
        except KeyError:
            raise ValueError(f"「{value}」という{self.what}はありません。") from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else self.key(value)


def column(name, attribute=None, widget=None, *, readonly=False):
    """A Japanese column: every column gets an explicit widget (a column without one
    would get no type parsing)."""
    return fields.Field(attribute=attribute, column_name=name, widget=widget or TextWidget(),
                        readonly=readonly)


# ─── The shared import machinery ─────────────────────────────────────────────

VERSION_COLUMN = "版"


class RowRefused(ValidationError):
    """A row the user may not import at all (unknown code, another section's project)."""


class ImportStale(ValidationError):
    """Someone saved a sheet or report of this file while it was being imported:
    the whole import is refused (and rolled back)."""


BUMP_CHUNK = 300  # ids per version-bump UPDATE (3 parameters each; SQLite allows 999 in old builds)


def bump_versions(model, start_versions: dict, **also) -> bool:
    """Raise `version` by one for every pk in `start_versions` whose version is
    still the one given, in one UPDATE per BUMP_CHUNK ids (also setting `also`);
    False when any of them has changed since."""
    ids = list(start_versions)
    for at in range(0, len(ids), BUMP_CHUNK):
        chunk = ids[at:at + BUMP_CHUNK]
        seen = Case(*(When(pk=pk, then=Value(start_versions[pk])) for pk in chunk), output_field=IntegerField())
        if model.objects.filter(pk__in=chunk, version=seen).update(version=F("version") + 1, **also) != len(chunk):
            return False
    return True


IMPORT_REASON = "Excel・CSV の取込み"  # the history's change reason of an imported row (projects.revisions.Via)


def write_with_history(instances, fields, *, user, attrs=None):
    """UPDATE `fields` (and auto_now ones) of each instance and write one history row
    each, through simple-history's public bulk API: the rows a save() writes ('~',
    who, now, the import as the reason, every tracked field, and `attrs`)."""
    model = type(instances[0])
    stamped = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    for instance in instances:
        for name in stamped:
            model._meta.get_field(name).pre_save(instance, False)
    bulk_update_with_history(
        instances, model, [*fields, *stamped], batch_size=500, default_user=user,
        default_change_reason=IMPORT_REASON, custom_historical_attrs=attrs,
    )


def write_history(instances, *, user, attrs=None):
    """Only the history rows of instances whose row a bulk UPDATE has already written."""
    get_history_manager_for_model(type(instances[0])).bulk_history_create(
        instances, update=True, default_user=user, default_change_reason=IMPORT_REASON,
        custom_historical_attrs=attrs,
    )


class ExchangeResource(resources.ModelResource):
    """Base of every resource: export scoped to what the user may read; import
    scoped to what they may change, matched on `key_columns`, update only."""

    key_columns: tuple[str, ...] = ()
    importable = True
    title = ""  # the xlsx sheet title and the name shown on the data pages

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False  # the browser's forms validate (validate_instance)
        use_bulk = True  # no savepoint per row; changed rows are written by write() in batches
        batch_size = 500
        skip_diff = True  # no deepcopy per row: get_instance keeps the loaded row as the original
        skip_html_diff = True

    def __init__(self, *, user=None, context=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.context = context
        self._index = None
        self._others = None
        self._changes = []
        self._original = None

    # Columns ---------------------------------------------------------------
    def columns(self) -> list[str]:
        return self.get_export_headers()

    def editable_columns(self) -> list[str]:
        return [f.column_name for f in self.get_import_fields() if not f.readonly]

    def choices(self) -> dict[str, list[str]]:
        """Drop-down lists for the template: column → allowed values."""
        return {
            f.column_name: f.widget.options for f in self.get_import_fields()
            if not f.readonly and hasattr(f.widget, "options")
        }

    def hidden_columns(self) -> set[str]:
        return {VERSION_COLUMN} if VERSION_COLUMN in self.columns() else set()

    def column_of(self, attribute) -> str:
        if attribute == NON_FIELD_ERRORS:
            return self.key_columns[-1] if self.key_columns else ""
        for field in self.fields.values():
            if attribute in (field.attribute, field.column_name):
                return field.column_name
        return str(attribute)

    # Scope -----------------------------------------------------------------
    def export_queryset(self):
        raise NotImplementedError

    def import_queryset(self):
        """What the user may change (the rows are matched within it)."""
        return self.export_queryset().none()

    def all_queryset(self):
        """Every row the key could name, to tell 「another section's」 from 「unknown」."""
        return self.export_queryset()

    def instance_key(self, instance) -> tuple:
        raise NotImplementedError

    def row_key(self, row) -> tuple:
        """The key of an upload row, normalised as instance_key writes it."""
        return tuple(unicodedata.normalize("NFKC", _text(row.get(c))).strip() for c in self.key_columns)

    def get_queryset(self):
        return self.import_queryset()

    def before_import(self, dataset, **kwargs):
        self._index = {self.instance_key(obj): obj for obj in self.import_queryset()}

    def get_instance(self, instance_loader, row):
        try:
            key = self.row_key(row)
        except (ValueError, ValidationError):
            key = None
        original = self._index.get(key) if key is not None else None
        self._original = original
        # The loaded row stays as it is (the original for the change list and the
        # form); the import fills a copy (related rows shared, no re-read).
        return copy.copy(original) if original is not None else None

    def init_instance(self, row=None):
        # Import never creates: codes come from the plan, rows from the sheets.
        if self._others is None:
            self._others = {self.instance_key(obj) for obj in self.all_queryset()}
        try:
            key = self.row_key(row)
        except (ValueError, ValidationError) as error:
            raise RowRefused({NON_FIELD_ERRORS: [str(getattr(error, "message", error))]}) from None
        label = " / ".join(str(k) for k in key)
        if key in self._others:
            raise RowRefused({NON_FIELD_ERRORS: [self.refused_message(label)]})
        raise RowRefused({NON_FIELD_ERRORS: [f"{label} に当たる行はありません。新しい行は取り込みでは追加できません。"]})

    def refused_message(self, label):
        return f"{label} はあなたが変更できる範囲の外です(他の課の事業です)。この行は取り込めません。"

    # Change detection (skip_unchanged) --------------------------------------
    def changed_columns(self, instance, original) -> list[tuple[str, str, str]]:
        changes = []
        for field in self.get_import_fields():
            if field.readonly:
                continue
            old, new = _shown(field.export(original)), _shown(field.export(instance))
            if old != new:
                changes.append((field.column_name, old, new))
        return changes

    def skip_row(self, instance, original, row, import_validation_errors=None):
        original = self._original
        self._changes = [] if import_validation_errors else self.changed_columns(instance, original)
        return not import_validation_errors and not self._changes

    def after_import_row(self, row, row_result, **kwargs):
        row_result.changes = self._changes
        self._changes = []

    # Validation: the browser's rules ----------------------------------------
    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not errors:
            errors = self.row_errors(instance)
        if errors:
            raise ValidationError(errors)

    def row_errors(self, instance) -> dict:
        """{attribute or NON_FIELD_ERRORS: [messages]} for a changed row."""
        return {}

    @staticmethod
    def form_errors(form) -> dict:
        """The browser form's errors for the row (with the model's own validation).
        Its instance is the row as loaded (the form writes the cleaned values onto it)."""
        return {name: list(messages) for name, messages in form.errors.items()} if not form.is_valid() else {}

    # Writing: queued by import-export's bulk mode, written here ---------------
    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.update_instances:
            return
        try:
            with transaction.atomic():  # one savepoint per batch: PostgreSQL stays usable after a refusal
                self.write(list(self.update_instances))
        except ImportStale as error:
            result.append_base_error(self.get_error_result_class()(error))
        except DatabaseError as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.update_instances.clear()

    def written_fields(self) -> list[str]:
        """Model fields an import writes: the editable columns that are model fields."""
        names = {f.name for f in self._meta.model._meta.concrete_fields}
        attributes = {f.attribute for f in self.get_import_fields() if not f.readonly}
        return [name for name in names if name in attributes]

    def write(self, instances):
        """Save a batch of changed rows with their history (one query each, not per row)."""
        raise NotImplementedError

    def write_rows(self, instances, *, also=(), attrs=None):
        """The written fields (and `also`) of a batch, with one history row per instance."""
        write_with_history(instances, [*self.written_fields(), *also], user=self.user, attrs=attrs)


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def file_version(row):
    """The 版 an upload row was exported at, or None when unreadable."""
    value = row.get(VERSION_COLUMN)
    try:
        number = Decimal(_text(value).strip())
    except InvalidOperation:
        return None
    return int(number) if number == number.to_integral_value() and number > 0 else None



def admin_export_action(name):
    """The admin's export: the data pages' export of the same resource (same scope,
    same neutralised cells). The admin offers no import: uploads go through the data
    pages only, where files are checked, previewed and applied with the section
    rules and history of the browser's forms."""
    from django.contrib import admin
    from django.shortcuts import redirect
    from django.urls import reverse

    @admin.action(description="Excel で取り出す(全件。データの入出力の画面と同じ内容)")
    def export_to_excel(modeladmin, request, queryset):
        return redirect(reverse("exchange:data_export", args=[name]))

    return export_to_excel

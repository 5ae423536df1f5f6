"""Import/export declarations every app's resources.py makes (core is below every
app): widgets that read cells as city staff write them, `column()`, and
`ExchangeResource`: columns, scope, keys, and the hooks an import asks (the
browser form's check of a row, the row as the write service's changes).

Running an import — matching rows in the user's scope, change detection, the
版 check, per-row errors, batching and the saves through the apps' write
services — is exchange's (exchange.engine); the resources here are subclassed by
the apps, which exchange cannot be (it sits above them).
"""

import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS
from import_export import fields, resources, widgets

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


# ─── The declarations every resource makes ───────────────────────────────────

VERSION_COLUMN = "版"


class ExchangeResource(resources.ModelResource):
    """Base of every resource: its columns, what the user may export (and change),
    the key a row is matched on, and the hooks an import asks (the import itself is
    exchange.engine's, which runs the resource in django-import-export's bulk mode)."""

    key_columns: tuple[str, ...] = ()
    importable = True
    title = ""  # the xlsx sheet title and the name shown on the data pages
    record_kind = ""  # whose write service saves a changed row: "sheet" or "report" (exchange.engine.WRITERS)

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False  # the browser's forms validate (row_errors)
        use_bulk = True  # no savepoint per row; changed rows go to `write` in batches
        batch_size = 500
        skip_diff = True  # no deepcopy per row: the engine keeps the loaded row as the original
        skip_html_diff = True

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

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

    def written_fields(self) -> list[str]:
        """Model fields an import writes: the editable columns that are model fields."""
        names = {f.name for f in self._meta.model._meta.concrete_fields}
        attributes = {f.attribute for f in self.get_import_fields() if not f.readonly}
        return [name for name in names if name in attributes]

    # Scope and keys ----------------------------------------------------------
    def export_queryset(self):
        raise NotImplementedError

    def import_queryset(self):
        """What the user may change (the rows are matched within it)."""
        return self.export_queryset().none()

    def all_queryset(self):
        """Every row the key could name, to tell 「another section's」 from 「unknown」."""
        return self.export_queryset()

    def get_queryset(self):
        return self.import_queryset()

    def instance_key(self, instance) -> tuple:
        raise NotImplementedError

    def row_key(self, row) -> tuple:
        """The key of an upload row, normalised as instance_key writes it."""
        return tuple(unicodedata.normalize("NFKC", _text(row.get(c))).strip() for c in self.key_columns)

    def unknown_message(self, key) -> str:
        """Why no row matches `key` (the import never creates rows)."""
        label = " / ".join(str(k) for k in key)
        return f"{label} に当たる行はありません。新しい行は取り込みでは追加できません。"

    def refused_message(self, label):
        return f"{label} はあなたが変更できる範囲の外です(他の課の事業です)。この行は取り込めません。"

    # Hooks of an import (asked by exchange.engine) -----------------------------
    def prepare(self, instances):
        """The rows loaded for matching, before the first row is read."""

    def record_of(self, instance):
        """The record (sheet or report) a row belongs to: its 版 and its write service's."""
        raise NotImplementedError

    def record_label(self, record) -> str:
        return str(record.pk)

    def row_refusal(self, record) -> str | None:
        """Why the user may not change this record at all, or None."""
        return None

    def row_errors(self, instance, original) -> dict:
        """{attribute or NON_FIELD_ERRORS: [messages]} for a changed row (the browser's form)."""
        return {}

    def change_of(self, instance, fields):
        """The changed row as its write service's plain changes (a partial one, merged per record)."""
        raise NotImplementedError

    def write(self, instances):
        """A batch of changed rows: to the import run, which saves them per record at the end."""
        self.run.collect(self, instances)

    @staticmethod
    def form_errors(form) -> dict:
        """The browser form's errors for the row (with the model's own validation).
        Its instance is the row as loaded (the form writes the cleaned values onto it)."""
        return {name: list(messages) for name, messages in form.errors.items()} if not form.is_valid() else {}


def shown(value) -> str:
    """A cell's value as the change list compares and shows it."""
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

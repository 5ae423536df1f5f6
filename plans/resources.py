"""Import/export of the plan (django-import-export), and the building blocks the
sheet and report resources share: Japanese column headers, codes as keys,
fiscal years as the plan writes them, vocabularies by their labels.

The shared base lives here because plans is the lowest app with resources
(accounts ← plans ← projects ← governance): projects and governance build on it.

Every import goes through `ExchangeResource`: rows are found by code in the
user's own scope (never by database id), unchanged rows are skipped (so a round
trip writes nothing), each changed row is validated by the same form as the
browser's edit page, and the changes are listed per column for the preview.

Speed (10,000 rows within 10× openpyxl's read of the file): import-export's own
row loop still runs every row through the resource (its widgets, fields, hooks),
but in its bulk mode (`use_bulk`): no savepoint per row; the changed rows are
queued and written in batches of `batch_size`. A run therefore costs a constant
number of queries per batch, never per row:

- before the rows, the whole scope the user may change is loaded once (with the
  reports/sheets and indicators the forms need), keyed by code;
- each row is matched in memory and validated by the browser's form against the
  loaded row (no re-read). Model CHECK constraints are left to the database,
  which enforces them on the write: in `full_clean` each would cost a query and a
  savepoint per row, and every one of them repeats a rule the form already
  reports with its Japanese message (実績値 ≥ 0, 終了年度 ≥ 開始年度);
- a batch is written by `write()`: one optimistic version bump for all its
  reports/sheets (`bump_versions`: UPDATE … WHERE pk IN … AND version = the
  version at the start; fewer rows updated → someone saved in between → the
  whole import fails with the stale message), the rows' UPDATE as one
  executemany (`update_rows`) and `bulk_history_create` of their history rows —
  the same rows (who, when, revision, every field) that a browser save writes
  one at a time.
"""

import copy
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from import_export import fields, resources, widgets
from simple_history.utils import get_history_manager_for_model

from core import fiscal
from plans.models import MasterPlanCode, Placement


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


def touch(instance):
    """Set auto_now fields as save() would (bulk_update does not)."""
    for field in instance._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            field.pre_save(instance, False)


def update_rows(instances, names):
    """UPDATE the fields `names` of each instance by its pk, as one executemany.

    Django's bulk_update builds a CASE expression per field over every object,
    which costs more in Python than the rest of the import; the statement here is
    the one save() runs for each row (values prepared by the fields themselves)."""
    model = type(instances[0])
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(model._meta.pk.column))
    params = [
        [*(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields), obj.pk] for obj in instances
    ]
    _execute_many(model, sql, params)


def _execute_many(model, sql, params):
    with connections[router.db_for_write(model)].cursor() as cursor:
        cursor.executemany(sql, params)


IMPORT_REASON = "Excel・CSV の取込み"  # the history's change reason of an imported row


def bulk_history(objs, *, user, attrs=None):
    """The history rows a save() of each object writes ('~', who, now, the import as
    the reason, every tracked field, and `attrs` such as the revision), built as
    simple_history's bulk_history_create builds them and inserted as one
    executemany (bulk_create compiles SQL per value, the slowest part of a run)."""
    if not objs:
        return
    history = get_history_manager_for_model(type(objs[0])).model
    now = timezone.now()
    rows = []
    for obj in objs:
        row = history(
            history_date=getattr(obj, "_history_date", now), history_user=getattr(obj, "_history_user", user),
            history_change_reason=IMPORT_REASON, history_type="~",
            **{f.attname: getattr(obj, f.attname) for f in history.tracked_fields}, **(attrs or {}),
        )
        if hasattr(history, "history_relation"):
            row.history_relation_id = obj.pk
        rows.append(row)
    connection = connections[router.db_for_write(history)]
    fields = [f for f in history._meta.concrete_fields if f is not history._meta.auto_field]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(history._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields)))
    for row in rows:
        for field in fields:
            field.pre_save(row, True)
    _execute_many(history, sql, [[f.get_db_prep_save(getattr(r, f.attname), connection) for f in fields] for r in rows])


def _checked_by_database(exclude=None):
    """Stands in for Model.validate_constraints during an import (see the module docstring)."""


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
        """The browser form's errors for the row. Its instance is the row as loaded
        (the form writes the cleaned values onto it, as in the browser)."""
        form.instance.validate_constraints = _checked_by_database
        return {name: list(messages) for name, messages in form.errors.items()} if not form.is_valid() else {}

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self.user

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
        """bulk_update of the written fields (and `also`, and auto_now ones) with one
        history row per instance."""
        for instance in instances:
            touch(instance)
        model = type(instances[0])
        stamped = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        update_rows(instances, [*self.written_fields(), *also, *stamped])
        bulk_history(instances, user=self.user, attrs=attrs)


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


# ─── The plan: export only ───────────────────────────────────────────────────

class PlacementResource(ExchangeResource):
    """The plan hierarchy, one row per project and measure it is listed under (再掲 included).

    Export only: the plan is the published document and changes through /admin/.
    """

    importable = False
    title = "計画体系"
    goal = column("目標", "measure__policy__goal__code", readonly=True)
    goal_title = column("目標名", "measure__policy__goal__title", readonly=True)
    policy = column("基本方針", "measure__policy__code", readonly=True)
    policy_title = column("基本方針名", "measure__policy__title", readonly=True)
    measure = column("施策コード", "measure__code", readonly=True)
    measure_title = column("情報化施策", "measure__title", readonly=True)
    code = column("事業コード", "project__code", readonly=True)
    name = column("事業名", "project__name", readonly=True)
    home = column("掲載", readonly=True)
    planned = column("予定事業", "project__is_planned", BooleanWidget(), readonly=True)
    since = column("開始年度", "project__since_year", FiscalYearWidget(), readonly=True)

    class Meta(ExchangeResource.Meta):
        model = Placement
        fields = ("goal", "goal_title", "policy", "policy_title", "measure", "measure_title", "code", "name", "home", "planned", "since",)

    def __init__(self, *, plan=None, **kwargs):
        super().__init__(**kwargs)
        self.plan = plan

    def dehydrate_home(self, placement):
        return "主たる掲載" if placement.is_home else "再掲"

    def export_queryset(self):
        return (
            Placement.objects.filter(project__plan=self.plan)
            .select_related("project", "measure__policy__goal")
            .order_by("measure__policy__goal__number", "measure__policy__number", "measure__number", "position")
        )


class MasterPlanCodeResource(ExchangeResource):
    """第五次総合基本計画コード (施策コード), the list sheets pick from. Export only (kept in /admin/)."""

    importable = False
    title = "総合基本計画コード"
    code = column("施策コード", "code", readonly=True)
    name = column("施策名", "title", readonly=True)
    active = column("使用中", "is_active", BooleanWidget(), readonly=True)

    class Meta(ExchangeResource.Meta):
        model = MasterPlanCode
        fields = ("code", "name", "active",)

    def export_queryset(self):
        return MasterPlanCode.objects.order_by("code")


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

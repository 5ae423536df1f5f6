"""Batch writes for the apps' write services (projects.services.save_sheets,
governance.cycles.reports.save_reports): a fixed number of statements per batch
of records, whatever the number of rows, with simple-history's rows for each.

The services decide what is written (plain data in, validation, the version
check); these helpers only write it. One edit-page save is a batch of one.
"""

from django.db import connections, router
from simple_history.signals import post_create_historical_record
from django.db.models import Case, F, IntegerField, Value, When

BUMP_CHUNK = 300  # ids per version-bump UPDATE (3 parameters each; SQLite allows 999 in old builds)


def bump_versions(model, seen: dict, **also) -> bool:
    """Raise `version` by one for every pk in `seen` whose version is still the one
    given, in one UPDATE per BUMP_CHUNK ids (also setting `also`); False when any
    of them has changed since (the caller's transaction then rolls back)."""
    ids = list(seen)
    for at in range(0, len(ids), BUMP_CHUNK):
        chunk = ids[at:at + BUMP_CHUNK]
        expected = Case(*(When(pk=pk, then=Value(seen[pk])) for pk in chunk), output_field=IntegerField())
        if model.objects.filter(pk__in=chunk, version=expected).update(version=F("version") + 1, **also) != len(chunk):
            return False
    return True


def update_rows(instances, names) -> None:
    """UPDATE the fields `names` (and the auto_now ones) of each instance, by pk: one
    executemany. The statement is built from the model's fields and each value goes
    through the field's own get_db_prep_save, as save() does. (QuerySet.bulk_update
    builds a CASE WHEN per row and field: 6.2 s for 10,000 rows of 2 fields, against
    0.04 s here, measured on the bench city.)"""
    if not instances:
        return
    model = type(instances[0])
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    fields += [f for f in meta.concrete_fields if getattr(f, "auto_now", False) and f not in fields]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = []
    for instance in instances:
        values = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields]
        rows.append([*values, meta.pk.get_db_prep_save(instance.pk, connection)])
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def editable_names(model) -> list[str]:
    """Every concrete field but the primary key: what an update of a loaded row writes."""
    return [f.name for f in model._meta.concrete_fields if not f.primary_key]


def record_history(instances, *, created: bool, user, reason: str, date=None, **attrs) -> None:
    """One history row per instance ('+' when created, '~' when updated) through
    simple-history's bulk API: who, when, how (the change reason) and `attrs`
    (e.g. the revision) on each; then post_create_historical_record per row, as a
    single save sends it (follows tells a sheet's followers of a revision by it)."""
    if not instances:
        return
    manager = type(instances[0]).history
    rows = manager.bulk_history_create(instances, update=not created, default_user=user,
                                       default_change_reason=reason, default_date=date,
                                       custom_historical_attrs=attrs or None)
    # simple-history's bulk API sends no signal; a single save sends this one per row,
    # and receivers (follows: a sheet revised) must not depend on how the row was written.
    if rows and post_create_historical_record.has_listeners(manager.model):
        for instance, row in zip(instances, rows):
            post_create_historical_record.send(
                sender=manager.model, instance=instance, history_instance=row, history_date=row.history_date,
                history_user=row.history_user, history_change_reason=row.history_change_reason,
                using=router.db_for_write(manager.model))

"""Data stamps: cheap versions of the data that pages cache their heavy parts by.

Every save or delete of a watched model replaces its stamp's token with a new
random one (one UPDATE, in the same transaction as the write, by the signal
receivers connected in core.apps). Tokens are random rather than counted so that
a value never comes back: a rolled-back write restores the old token, and an
entry cached from its uncommitted data sits under a token no one reads again.

A page reads the stamps it depends on (one query) *before* it reads the data,
and caches under a key that contains them: an entry can then only hold data at
least as new as its key, and the first write after it changes the key, so a
cached figure is never stale — in every process, whatever the cache backend
(see settings.CACHES and the README).

Writes that bypass save() (QuerySet.update, bulk_create) must call `bump`
themselves; today every such write to a watched model is accompanied by a save
of a model under the same key in the same transaction (governance.services.
open_cycle creates the cycle; plans.services saves the plan made current).
"""

import contextvars
import secrets
from contextlib import contextmanager

from django.db import connection

# stamp key → the models (app_label.model_name) whose writes change it
WATCHED = {
    "plans": {"plans.plan", "plans.goal", "plans.policy", "plans.measure", "plans.project",
              "plans.placement"},
    "work": {"accounts.department", "accounts.section",
             "projects.indicator", "projects.indicatortarget", "governance.reviewcycle",
             "governance.annualreport", "governance.indicatorresult"},
    # the sheet page (projects.views.SheetDetailView) also shows these; saves through
    # projects.services.save_sheet change the sheet's version as well
    "sheets": {"projects.projectsheet", "projects.scheduleentry", "plans.masterplancode"},
}
# A sheet's own fields and schedule (ProjectSheet, ScheduleEntry) are under "sheets", which
# only the sheet page reads; so the many sheet saves of a working day keep the dashboard and
# the cycle board cached. A page that caches other models must add them under its own key.
# The sheet page also keys on the sheet's version, which every save through the edit form
# (projects.services.save_sheet) raises: those saves are `covered` and leave "sheets" as it
# is, so that one sheet's save keeps every other sheet's page cached. "sheets" still changes
# with any other write of those models (the admin, a script).

_covered = contextvars.ContextVar("stamps_covered", default=frozenset())


@contextmanager
def covered(*keys: str):
    """Writes in this block change something that every page caching under `keys` also
    keys on (the sheet's version), so those stamps are not changed by them."""
    token = _covered.set(_covered.get() | set(keys))
    try:
        yield
    finally:
        _covered.reset(token)


def bump(key: str) -> None:
    from core.models import DataStamp

    token = secrets.token_hex(8)
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        # Lock every stamp row, always in the same order, before changing one: two
        # transactions bumping keys in opposite orders (a sheet save, then a report move
        # that touches the sheet) then wait for each other instead of deadlocking.
        # (SQLite runs one write transaction at a time; outside a transaction the
        # UPDATE below is a transaction of its own.)
        list(DataStamp.objects.select_for_update().order_by("key").values_list("pk", flat=True))
    if not DataStamp.objects.filter(key=key).update(token=token):
        DataStamp.objects.update_or_create(key=key, defaults={"token": token})


def current(*keys: str) -> str:
    """The stamps' tokens as one string for a cache key, e.g. "plans.1f…-work.9c…"
    (a missing stamp is created, with a token of its own)."""
    from core.models import DataStamp

    tokens = dict(DataStamp.objects.filter(key__in=keys).values_list("key", "token"))
    for key in set(keys) - set(tokens):
        tokens[key] = DataStamp.objects.get_or_create(key=key, defaults={"token": secrets.token_hex(8)})[0].token
    return "-".join(f"{key}.{tokens[key]}" for key in keys)


def _receiver(key):
    def changed(sender, **kwargs):
        if key not in _covered.get():
            bump(key)
    return changed


_RECEIVERS = {key: _receiver(key) for key in WATCHED}


def connect():
    """Connect the receivers to each watched model (called from CoreConfig.ready)."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for key, labels in WATCHED.items():
        for label in labels:
            model = apps.get_model(label)
            post_save.connect(_RECEIVERS[key], sender=model, dispatch_uid=f"stamp-{key}-{label}-save")
            post_delete.connect(_RECEIVERS[key], sender=model, dispatch_uid=f"stamp-{key}-{label}-delete")

"""Data stamps: a generation per area of data, read into the keys of cached page parts.

A stamp is a random token in a DataStamp row. After a transaction that wrote a
watched model commits, its area's token is replaced (one UPDATE in autocommit):
every key that contains the old token is then never read again, and the entries
under it simply expire. No lock is held during the user's transaction, so two
departments' writes never wait for each other here. (The idea of djangoproject.com's
dashboard/utils.py, with the generation in the database so that every process of
every server sees it, whatever the cache backend.)

Why a cached part is never shown stale. A page reads the tokens first (`current`,
one query), then the data, and caches what it computed under a key containing them.
- A write commits, then its bump replaces the token T by T'. A request that reads T'
  reads its data after the commit, so what it caches under T' includes the write.
- An entry under T may have been computed from data read between the commit and the
  bump, so it may already contain the write: newer than its key, which is harmless.
- The bump runs when the outermost atomic block exits, before the view returns: the
  writer's next page always shows the write. Only a request that read T in the few
  milliseconds between another user's commit and its bump shows the page as it was
  before that write, as if it had come a moment earlier.
- A rolled-back transaction bumps nothing (its on_commit callbacks are dropped).
Tokens are random rather than counted so that a value never comes back, not even
when a backup puts old rows back.

Writes that bypass save() and delete() (QuerySet.update, bulk_create, raw SQL) must
call `bump` themselves. If a bump itself fails (the database gone right after the
commit), Django logs it (a robust on_commit callback), the user's action stands, and
the cached parts stay as they were until the next bump or their timeout (CACHE_TIMEOUT).
"""

import secrets
import threading

from django.db import transaction

CACHE_TIMEOUT = 86400  # seconds: for the entries keyed by the stamps

# area → the models (app_label.model_name) whose writes change it; a page that caches
# data of another model must add it here, under the area whose stamp the page reads.
WATCHED = {
    "plans": {"plans.plan", "plans.planlevel", "plans.planitem", "plans.project", "plans.placement"},
    "work": {"accounts.department", "accounts.section",
             "projects.indicator", "projects.indicatortarget", "governance.reviewcycle",
             "governance.annualreport", "governance.indicatorresult",
             # 公表 and its withdrawal change what the public pages show.
             "publication.planpublication", "publication.cyclepublication"},
    # What only the sheet page shows besides the sheet's own row. That row is not watched:
    # the page keys on the sheet's version and last change (updated_at), which every save
    # changes, so one sheet's save keeps the other sheets' pages (and every other page) cached.
    "sheets": {"projects.scheduleentry", "plans.masterplancode"},
}

# Areas written through this thread's connection (Django gives each thread its own) and
# not yet bumped.
_pending = threading.local()


def bump(*areas: str) -> None:
    """Replace the areas' tokens once the current transaction commits (at once
    outside a transaction); many bumps in one transaction make one UPDATE."""
    areas = set(areas)
    if unknown := areas - WATCHED.keys():
        raise ValueError(f"unknown data areas: {sorted(unknown)}")
    if not areas:
        return
    _pending.areas = getattr(_pending, "areas", set()) | areas
    # One callback per call (a list append): the first to run applies every pending
    # area, the others find nothing left. A rolled-back transaction's areas stay
    # pending and are bumped with the next commit: one needless miss, never a stale page.
    transaction.on_commit(_apply, robust=True)


def _apply() -> None:
    from core.models import DataStamp

    areas, _pending.areas = getattr(_pending, "areas", set()), set()
    for area in sorted(areas):  # one row each, in autocommit: locked for a moment only
        token = secrets.token_hex(8)
        if not DataStamp.objects.filter(key=area).update(token=token):
            DataStamp.objects.update_or_create(key=area, defaults={"token": token})


def current(*areas: str) -> str:
    """The areas' tokens as one string for a cache key, e.g. "plans.1f…-work.9c…".
    Read it before the data. Reading never writes: an area never bumped yet has no row
    and reads as "new" (its first bump creates the row with a random token)."""
    from core.models import DataStamp

    tokens = dict(DataStamp.objects.filter(key__in=areas).values_list("key", "token"))
    return "-".join(f"{area}.{tokens.get(area, 'new')}" for area in areas)


def _receiver(area):
    def changed(sender, **kwargs):
        bump(area)
    return changed


_RECEIVERS = {area: _receiver(area) for area in WATCHED}


def connect():
    """Connect the receivers to each watched model (called from CoreConfig.ready)."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for area, labels in WATCHED.items():
        for label in labels:
            model = apps.get_model(label)
            post_save.connect(_RECEIVERS[area], sender=model, dispatch_uid=f"stamp-{area}-{label}-save")
            post_delete.connect(_RECEIVERS[area], sender=model, dispatch_uid=f"stamp-{area}-{label}-delete")

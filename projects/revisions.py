"""Groups the history rows written by one save into one revision (one 「変更」).

django-simple-history writes one row per saved object; a save of a sheet touches
the sheet, its indicators, targets and schedule. Each historical model has a
`revision` field (see RevisionFields) that the signal below fills from the
revision opened by the service around the save.
"""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

_current = ContextVar("projects_revision", default="")


class RevisionFields(models.Model):
    """Extra columns of every historical table of this app."""

    revision = models.CharField("変更番号", max_length=32, blank=True, db_index=True)

    class Meta:
        abstract = True


@contextmanager
def revision():
    token = _current.set(uuid.uuid4().hex)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def stamp_revision(sender, history_instance, **kwargs):
    """pre_create_historical_record receiver."""
    history_instance.revision = _current.get()

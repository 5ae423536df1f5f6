"""One save of a sheet is one revision: the history rows it writes (sheet,
indicators, targets, schedule) share a revision id, the user and how the change
was made (`Via`), so that 履歴 shows them as one 「変更」.

The service (projects.services.save_sheets) creates a `Revision` (or takes the
import run's) and writes its rows' history through simple-history's bulk API
with the revision id, the user and the change reason given explicitly; a row it
deletes one by one is marked instead (`Revision.mark`: simple-history reads the
user and the reason from the instance, and `stamp_revision` copies the id).
Nothing is read from a global or a context variable.
"""

import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models


class Via(models.TextChoices):
    """How a change was made (stored as the history rows' change reason)."""

    PAGE = "画面", "画面"
    ADMIN = "管理画面", "管理画面"
    IMPORT = "Excel・CSV の取込み", "Excel・CSV の取込み"
    SUCCESSION = "前計画からの引継ぎ", "前計画からの引継ぎ"


class RevisionFields(models.Model):
    """Extra columns of every historical table of this app."""

    revision = models.CharField("変更番号", max_length=32, blank=True, db_index=True)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Revision:
    user: object
    via: Via | None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def mark(self, instance):
        """Let the history row that saving or deleting `instance` writes carry this revision."""
        instance._history_user = self.user
        if self.via:
            instance._change_reason = str(self.via)
        instance._revision = self.id
        return instance


def stamp_revision(sender, instance, history_instance, **kwargs):
    """pre_create_historical_record receiver: the revision the service marked the instance with."""
    history_instance.revision = getattr(instance, "_revision", "")


@contextmanager
def revision():
    """Kept only for governance.demo, which still writes sheets directly (its rows get
    no shared revision); sheet writes go through projects.services.save_sheet."""
    yield uuid.uuid4().hex

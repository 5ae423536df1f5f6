"""Writes that shape a plan and need the projects app too: a new project always
comes with its 情報化事業シート, whichever way it is made (the plan editing page,
the plan import, a command). plans.structure does the plan side; this module adds
the sheet in the same transaction."""

from django.db import transaction

from plans import structure
from plans.models import PlanItem, Project
from projects.services import ensure_sheet


@transaction.atomic
def add_project(item: PlanItem, **fields) -> Project:
    """A project under `item` (its home), with its empty sheet (a schedule row per
    plan year). Raises structure.StructureError with a Japanese message."""
    project = structure.create_project(item, **fields)
    ensure_sheet(project)
    return project

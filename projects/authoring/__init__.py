"""Writes that shape a plan and need the projects app too.

- A new project always comes with its 情報化事業シート, whichever way it is made
  (the plan editing page, the plan import, a command): `add_project`.
- The plan editing page changes a plan only through `apply` (and `undo`), which
  record every change with its inverse in the plan's history (plans.PlanEdit),
  and refuse to renumber an adopted plan's codes unless confirmed.
- A plan made by mistake (in preparation, no 進行管理) can be deleted: `delete_plan`.

plans.structure does the plan side of every change.
"""

from projects.authoring.dispatch import (
    VIA_PAGE,
    NeedsConfirmation,
    StructureError,
    Unchanged,
    apply,
    create_plan,
    delete_plan,
    plan_deletion_refusal,
    undo,
    undoable_edit,
)
from projects.authoring.projects import add_project, delete_project, deletion_refusal, sheet_entries

__all__ = [
    "VIA_PAGE", "NeedsConfirmation", "StructureError", "Unchanged", "add_project", "apply", "create_plan",
    "delete_plan", "delete_project", "deletion_refusal", "plan_deletion_refusal", "sheet_entries", "undo",
    "undoable_edit",
]

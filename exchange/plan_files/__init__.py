"""A whole plan as one file (docs/plan-file.md): its fields, its levels and its
tree of items and projects. `layout` writes it, `reading` reads it back,
`importing` creates or changes a plan from it (all or nothing, through
plans.structure), and `changes` lists what an import does for its preview."""

from exchange.plan_files.importing import PlanImportOutcome, run_plan_import
from exchange.plan_files.layout import export_plan

__all__ = ["PlanImportOutcome", "export_plan", "run_plan_import"]

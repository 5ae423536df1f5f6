"""The one way the plan editing page changes a plan: `apply` runs an operation
(projects.authoring.operations) and records it in the plan's history (PlanEdit:
who, when, how, a Japanese summary and the inverse operation) in one
transaction; `undo` runs the inverse of the latest change through `apply`'s path
and records that too.

Undo goes strictly backwards: only the latest change that is not undone yet
(and is not itself an undo) can be undone, so every inverse runs on the tree it
was recorded for. An undo record's `inverse` is {"undoes": <pk>}: it names the
change it took back and is not offered for undo itself.
"""

import inspect

from django.db import IntegrityError, transaction
from django.utils import timezone

from plans import structure
from plans.models import Plan, PlanEdit
from plans.permissions import require_plan_author
from projects.authoring.operations import OPERATIONS, Done, StructureError, Unchanged

VIA_PAGE = "画面"

__all__ = ["VIA_PAGE", "StructureError", "Unchanged", "apply", "create_plan", "undo", "undoable_edit"]


def _run(plan: Plan, op: dict) -> Done:
    if not isinstance(op, dict) or op.get("op") not in OPERATIONS:
        raise StructureError("操作の種類が正しくありません。")
    function = OPERATIONS[op["op"]]
    args = {key: value for key, value in op.items() if key != "op"}
    try:
        inspect.signature(function).bind(plan, **args)
    except TypeError:
        raise StructureError("操作の内容が正しくありません(項目が足りないか、余分です)。") from None
    try:
        with transaction.atomic():
            return function(plan, **args)
    except IntegrityError as error:
        # A change by someone else at the same moment: the database refused what
        # the checks had allowed. Nothing of this change is kept.
        raise StructureError("ほかの変更と重なったため保存できませんでした。画面を読み込み直して、もう一度操作してください。") from error


def _lock(plan: Plan) -> None:
    """One change of a plan at a time (PostgreSQL; SQLite writes one at a time anyway)."""
    Plan.objects.select_for_update().filter(pk=plan.pk).first()


@transaction.atomic
def apply(plan: Plan, user, op: dict, *, via: str = VIA_PAGE) -> PlanEdit:
    """Carry out `op` on `plan` and record it. Raises StructureError (Japanese
    message; Unchanged when it would change nothing) with nothing changed."""
    require_plan_author(user)
    _lock(plan)
    try:
        done = _run(plan, op)
    except Exception:
        _forget_changes(plan)
        raise
    edit = PlanEdit.objects.create(plan=plan, user=user, via=via, summary=done.summary[:300], inverse=done.inverse)
    edit.focus = done.focus
    return edit


def _forget_changes(plan: Plan) -> None:
    """The plan as stored again, after a refused change (rolled back) that had set
    some of its fields in memory."""
    plan.refresh_from_db()
    plan.__dict__.pop("level_list", None)


def undoable_edit(plan: Plan) -> PlanEdit | None:
    """The change that 「元に戻す」 would take back: the latest not undone, undos aside."""
    return (plan.edits.filter(undone_at__isnull=True).exclude(inverse__has_key="undoes")
            .order_by("-at", "-pk").first())


@transaction.atomic
def undo(plan: Plan, user, edit_id: int, *, via: str = VIA_PAGE) -> PlanEdit:
    """Take back change `edit_id`, which must still be the latest (else someone
    changed the plan since the page was shown)."""
    require_plan_author(user)
    _lock(plan)
    latest = undoable_edit(plan)
    if latest is None or latest.pk != edit_id:
        raise StructureError("この変更の後にほかの変更が行われたため、元に戻せません。画面を読み込み直してください。")
    if not latest.inverse:
        raise StructureError(f"「{latest.summary}」は元に戻せない変更です。")
    try:
        done = _run(plan, latest.inverse)
    except Unchanged:
        done = Done("", None)
    except Exception:
        _forget_changes(plan)
        raise
    latest.undone_at = timezone.now()
    latest.save(update_fields=["undone_at"])
    edit = PlanEdit.objects.create(plan=plan, user=user, via=via, summary=f"元に戻す:{latest.summary}"[:300],
                                   inverse={"undoes": latest.pk})
    edit.focus = done.focus
    return edit


@transaction.atomic
def create_plan(user, *, levels: list[structure.LevelSpec], via: str = VIA_PAGE, **fields) -> Plan:
    """A new plan in preparation with its levels, recorded as the first entry of
    its history (not undoable: a plan is removed by the administrator)."""
    require_plan_author(user)
    plan = structure.create_plan(levels=levels, in_preparation=True, **fields)
    names = "・".join(level.name.strip() for level in levels)
    PlanEdit.objects.create(plan=plan, user=user, via=via, summary=f"計画「{short_name(plan.name)}」を作成(階層:{names})")
    return plan


def short_name(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"

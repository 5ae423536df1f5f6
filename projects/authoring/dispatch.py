"""The one way the plan editing page changes a plan: `apply` runs an operation
(projects.authoring.operations) and records it in the plan's history (PlanEdit:
who, when, how, a Japanese summary and the inverse operation) in one
transaction; `undo` runs the inverse of the latest change through `apply`'s path
and records that too.

Undo goes strictly backwards: only the latest change that is not undone yet
(and is not itself an undo) can be undone, so every inverse runs on the tree it
was recorded for. An undo record's `inverse` is {"undoes": <pk>}: it names the
change it took back and is not offered for undo itself.

A plan that is not in preparation is in use: a change (or an undo) that would
renumber its item codes or 事業コード is refused unless confirmed
(projects.authoring.guard).
"""

import inspect
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from plans import structure
from plans.models import Plan, PlanEdit
from plans.permissions import require_plan_author
from projects.authoring import guard
from projects.authoring import chapters
from projects.authoring.guard import NeedsConfirmation
from projects.authoring.operations import OPERATIONS as TREE_OPERATIONS
from projects.authoring.operations import Done, StructureError, Unchanged

VIA_PAGE = "画面"
OPERATIONS = {**TREE_OPERATIONS, **chapters.OPERATIONS}

logger = logging.getLogger(__name__)

__all__ = ["VIA_PAGE", "NeedsConfirmation", "StructureError", "Unchanged", "apply", "create_plan", "delete_plan",
           "plan_deletion_refusal", "undo", "undoable_edit"]


def _run(plan: Plan, op: dict, user=None) -> Done:
    if not isinstance(op, dict) or op.get("op") not in OPERATIONS or "user" in op:
        raise StructureError("操作の種類が正しくありません。")
    function = OPERATIONS[op["op"]]
    args = {key: value for key, value in op.items() if key != "op"}
    try:
        inspect.signature(function).bind(plan, **args)
    except TypeError:
        raise StructureError("操作の内容が正しくありません(項目が足りないか、余分です)。") from None
    if "user" in inspect.signature(function).parameters:  # operations that stamp their rows (chapters)
        args["user"] = user
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


def _guarded_run(plan: Plan, op: dict, *, confirmed: bool, user=None) -> Done:
    """`_run`, refused (NeedsConfirmation) when it renumbers codes of a plan that is
    not in preparation and was not confirmed; the caller's transaction rolls it back."""
    before = None if plan.in_preparation or confirmed else guard.codes(plan)
    try:
        with transaction.atomic():  # rolled back before the plan is read again below
            done = _run(plan, op, user)
            if before is not None:
                guard.require_confirmation(plan, before)
    except Exception:
        _forget_changes(plan)
        raise
    return done


@transaction.atomic
def apply(plan: Plan, user, op: dict, *, via: str = VIA_PAGE, confirmed: bool = False) -> PlanEdit:
    """Carry out `op` on `plan` and record it. Raises StructureError (Japanese
    message; Unchanged when it would change nothing; NeedsConfirmation when it
    would renumber codes of an adopted plan and `confirmed` is false) with
    nothing changed."""
    require_plan_author(user)
    _lock(plan)
    done = _guarded_run(plan, op, confirmed=confirmed, user=user)
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
def undo(plan: Plan, user, edit_id: int, *, via: str = VIA_PAGE, confirmed: bool = False) -> PlanEdit:
    """Take back change `edit_id`, which must still be the latest (else someone
    changed the plan since the page was shown). Renumbering an adopted plan's
    codes needs `confirmed`, as in `apply`."""
    require_plan_author(user)
    _lock(plan)
    latest = undoable_edit(plan)
    if latest is None or latest.pk != edit_id:
        raise StructureError("この変更の後にほかの変更が行われたため、元に戻せません。画面を読み込み直してください。")
    if not latest.inverse:
        raise StructureError(f"「{latest.summary}」は元に戻せない変更です。")
    try:
        done = _guarded_run(plan, latest.inverse, confirmed=confirmed, user=user)
    except Unchanged:
        done = Done("", None)
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


def plan_deletion_refusal(plan: Plan) -> str | None:
    """Why the plan may not be deleted (None if it may): only a plan still in
    preparation, never used for 進行管理, can go (made by mistake, say)."""
    if not plan.in_preparation:
        return (f"計画「{plan.name}」は策定済みのため削除できません。"
                "削除できるのは、策定中で進行管理に使われていない計画だけです。")
    # governance.ReviewCycle protects the plan; asked by name (dependencies point one way).
    if plan.cycles.exists():
        return f"計画「{plan.name}」には進行管理の記録があるため削除できません。"
    return None


@transaction.atomic
def delete_plan(plan: Plan, user) -> str:
    """Delete a plan in preparation with its levels, items, projects, sheets and
    history. Its history goes with it, so the deletion is written to the log
    (who, which plan, how much). Returns a Japanese summary."""
    require_plan_author(user)
    _lock(plan)
    plan.refresh_from_db()
    refusal = plan_deletion_refusal(plan)
    if refusal:
        raise StructureError(refusal)
    summary = (f"計画「{short_name(plan.name)}」(計画コード {plan.code}、項目 {plan.items.count()} 件・"
               f"事業 {plan.projects.count()} 件)を削除")
    plan.delete()  # signals bump the data stamps of what goes
    logger.info("%s(削除した人:%s)", summary, user.get_username())
    return summary


def short_name(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"

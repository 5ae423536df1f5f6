"""Codes that people use: an adopted plan's item codes (Ⅱ-3-1) and 事業コード
(2-3-1-01) appear in sheets, reports, minutes and the departments' own files, so
a change that renumbers them must be confirmed.

The dispatcher takes the codes before a change and compares after it (inside the
change's transaction): whatever the operation, the comparison is exact, and an
unconfirmed change is rolled back whole with a message naming the codes.
"""

from plans.models import Plan, PlanItem, Project
from projects.authoring.operations import StructureError

SHOWN = 2  # codes of each kind named in the message; the rest are counted


class NeedsConfirmation(StructureError):
    """The change renumbers codes of a plan that is not in preparation and was sent
    without `confirm`: nothing is changed."""

    def __init__(self, message: str, changes: list[tuple[str, str, str]]):
        super().__init__(message)
        self.changes = changes


def codes(plan: Plan) -> dict[tuple[str, int], str]:
    """Every item code and 事業コード of the plan, by ("item" | "project", pk)."""
    found = {("item", pk): code for pk, code in PlanItem.objects.filter(plan=plan).order_by("sort_key").values_list("pk", "code")}
    found.update({("project", pk): code for pk, code in Project.objects.filter(plan=plan).order_by("code").values_list("pk", "code")})
    return found


def recoded(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(kind, old code, new code) of what kept its key but changed its code: items
    in tree order first, then projects. What was added or removed is not a change
    of code (a new item at the end renumbers nothing)."""
    return [(key[0], code, after[key]) for key, code in before.items() if key in after and after[key] != code]


def confirmation_message(changes: list[tuple[str, str, str]]) -> str:
    """「策定済みの計画の番号を変えると、事業コードも変わります(Ⅰ-1-2 → Ⅰ-1-1 ほか 1 件、
    事業コード 1-1-2-01 → 1-1-1-01)。…」"""
    parts = []
    for kind, label in (("item", ""), ("project", "事業コード ")):
        mine = [(old, new) for k, old, new in changes if k == kind]
        if mine:
            shown = "、".join(f"{old} → {new}" for old, new in mine[:SHOWN])
            rest = f" ほか {len(mine) - SHOWN} 件" if len(mine) > SHOWN else ""
            parts.append(f"{label}{shown}{rest}")
    kinds = {kind for kind, _, _ in changes}
    what = "番号を変えると、事業コードも変わります" if kinds == {"item", "project"} else (
        "項目の番号が変わります" if kinds == {"item"} else "事業コードが変わります")
    return f"策定済みの計画の{what}({'、'.join(parts)})。よろしければ確認してから実行してください。"


def require_confirmation(plan: Plan, before: dict) -> None:
    """Raise NeedsConfirmation when codes changed since `before` (codes(plan))."""
    changes = recoded(before, codes(plan))
    if changes:
        raise NeedsConfirmation(confirmation_message(changes), changes)

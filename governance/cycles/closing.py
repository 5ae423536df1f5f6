"""Closing a cycle (確定) and opening it again (確定の取消し), by 情報推進課, with a CycleEvent.

Once closed, nothing in the cycle changes: every write in a cycle calls
services.refuse_if_closed after locking its report rows, and close_cycle locks all
the cycle's reports before it closes, so a write in progress finishes first and a
write that comes after sees the cycle closed.
"""

from collections import Counter

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.permissions import is_ict_office
from core import stamps
from governance.cycles.services import WorkflowError, WorkflowPermissionError
from governance.models import AnnualReport, CycleAction, CycleEvent, CycleStatus, ReportState, ReviewCycle

# A cycle is closed once the bodies have concluded on every report: 判断済 or later.
CONCLUDED = {ReportState.DECIDED, ReportState.REFLECTED}


def describe(counts: Counter) -> str:
    """「作成中 2 件、提出済 1 件」, in the workflow's order."""
    return "、".join(f"{state.label} {counts[state]} 件" for state in ReportState if counts.get(state))


@transaction.atomic
def close_cycle(*, user, cycle, reason: str = "", include_unconcluded: bool = False) -> ReviewCycle:
    """Close the cycle. Refused while some report is not yet 判断済, unless
    情報推進課 says so explicitly (`include_unconcluded`) and gives the reason."""
    if not is_ict_office(user):
        raise WorkflowPermissionError("進行管理を確定できるのは情報推進課です。")
    reason = (reason or "").strip()
    states = list(AnnualReport.objects.select_for_update().filter(cycle_id=cycle.pk).values_list("state", flat=True))
    locked = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.is_closed:
        raise WorkflowError(f"{locked}はすでに確定しています。")
    pending = Counter(state for state in states if state not in CONCLUDED)
    if pending and not include_unconcluded:
        raise WorkflowError(
            f"戦略本部の判断まで済んでいない実績報告があります({describe(pending)})。"
            "判断を記録してから確定するか、判断まで済んでいない報告を残したまま確定することを選び、理由を記入してください。")
    if pending and not reason:
        raise WorkflowError("判断まで済んでいない実績報告を残したまま確定する理由を記入してください。")
    locked.status, locked.closed_at, locked.closed_by = CycleStatus.CLOSED, timezone.now(), user
    locked.save(update_fields=["status", "closed_at", "closed_by"])
    CycleEvent.objects.create(cycle=locked, action=CycleAction.CLOSE, actor=user, reason=reason)
    stamps.bump("work")  # the cached figures and books now say 確定
    return locked


@transaction.atomic
def reopen_cycle(*, user, cycle, reason: str) -> ReviewCycle:
    """Open a closed cycle again, so that its reports, evaluations and decisions can change."""
    if not is_ict_office(user):
        raise WorkflowPermissionError("進行管理の確定を取り消せるのは情報推進課です。")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("確定を取り消す理由を記入してください。")
    locked = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if not locked.is_closed:
        raise WorkflowError(f"{locked}は確定していません。")
    other = ReviewCycle.objects.filter(plan_id=locked.plan_id, fiscal_year=locked.fiscal_year, kind=locked.kind,
                                       status=CycleStatus.OPEN).exclude(pk=locked.pk)
    if other.exists():
        raise WorkflowError(f"同じ年度・種類の進行管理({locked})がほかに実施中のため、確定を取り消せません。")
    locked.status, locked.closed_at, locked.closed_by = CycleStatus.OPEN, None, None
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "closed_at", "closed_by"])
    except IntegrityError as error:  # one was opened at the same moment (cycle_one_open_per_year_and_kind)
        raise WorkflowError(f"同じ年度・種類の進行管理({locked})がほかに実施中のため、確定を取り消せません。") from error
    CycleEvent.objects.create(cycle=locked, action=CycleAction.REOPEN, actor=user, reason=reason)
    stamps.bump("work")
    return locked

"""Publishing and withdrawing: the only writes of the publication app.

Each function checks the actor (情報推進課 only), locks the object's row, checks the
rule, writes the present state and a PublicationEvent in one transaction, and
refuses with a Japanese PublicationError, having changed nothing."""

from django.db import transaction
from django.utils import timezone

from accounts.permissions import is_ict_office
from governance.cycles.closing import CONCLUDED
from governance.models import ReviewCycle
from plans.models import Plan
from publication.models import (
    REASON_LIMIT, CyclePublication, PlanPublication, PublicationAction, PublicationEvent, PublicationStatus,
)

# A cycle's results are public once the 戦略本部 has decided on every one of its reports:
# the states in which a cycle may be closed (確定) without saying why.
DECIDED_STATES = tuple(sorted(CONCLUDED))


class PublicationError(Exception):
    """A refusal; the message is Japanese and is shown to the user."""


class PublicationPermissionError(PublicationError):
    """The user may not publish at all (the views answer 403)."""


def _require_ict_office(user):
    if not is_ict_office(user):
        raise PublicationPermissionError("公表と公表の取下げは情報推進課だけが行えます。")


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise PublicationError("取下げの理由を入力してください。")
    if len(reason) > REASON_LIMIT:
        raise PublicationError(f"取下げの理由は{REASON_LIMIT}文字以内で入力してください。")
    return reason


def _publish(record, *, user, today):
    record.status = PublicationStatus.PUBLISHED
    record.published_on, record.published_by = today, user
    record.withdrawn_on, record.withdrawn_by, record.withdrawal_reason = None, None, ""
    record.full_clean()
    record.save()
    return record


def _withdraw(record, *, user, reason, today):
    record.status = PublicationStatus.WITHDRAWN
    record.withdrawn_on, record.withdrawn_by, record.withdrawal_reason = today, user, reason
    record.full_clean()
    record.save()
    return record


def _event(*, user, action, today, reason="", plan=None, cycle=None):
    event = PublicationEvent(plan=plan, cycle=cycle, action=action, on=today, actor=user, reason=reason)
    event.full_clean()
    event.save()


def publish_plan(*, user, plan: Plan) -> PlanPublication:
    """公表 of an adopted plan (its tree, projects and the public fields of their sheets)."""
    _require_ict_office(user)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.in_preparation:
            raise PublicationError(f"{plan.name}は策定中です。策定してから公表してください。")
        record = PlanPublication.objects.filter(plan=plan).first() or PlanPublication(plan=plan)
        if record.pk and record.is_public:
            raise PublicationError(f"{plan.name}は既に公表しています。")
        today = timezone.localdate()
        _publish(record, user=user, today=today)
        _event(user=user, action=PublicationAction.PUBLISH, today=today, plan=plan)
    return record


def withdraw_plan(*, user, plan: Plan, reason: str) -> PlanPublication:
    """Withdraw a plan from the public pages (its cycles' results go with it)."""
    _require_ict_office(user)
    reason = _clean_reason(reason)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        record = PlanPublication.objects.filter(plan=plan, status=PublicationStatus.PUBLISHED).first()
        if record is None:
            raise PublicationError(f"{plan.name}は公表していません。")
        today = timezone.localdate()
        _withdraw(record, user=user, reason=reason, today=today)
        _event(user=user, action=PublicationAction.WITHDRAW, today=today, reason=reason, plan=plan)
    return record


def undecided_count(cycle: ReviewCycle) -> int:
    """The cycle's reports on which the 戦略本部 has not decided yet."""
    return cycle.reports.exclude(state__in=DECIDED_STATES).count()


def publish_cycle(*, user, cycle: ReviewCycle) -> CyclePublication:
    """公表 of a cycle's results, once every report is 判断済 or 反映済 and its plan is public."""
    _require_ict_office(user)
    with transaction.atomic():
        cycle = ReviewCycle.objects.select_for_update().select_related("plan").get(pk=cycle.pk)
        if not cycle.reports.exists():
            raise PublicationError(f"{cycle}には実績報告がありません。")
        if undecided := undecided_count(cycle):
            raise PublicationError(
                f"{cycle}には情報化戦略本部の判断が済んでいない実績報告が {undecided} 件あります。"
                "すべての報告が判断済または反映済になってから公表してください。")
        if not PlanPublication.objects.filter(plan=cycle.plan, status=PublicationStatus.PUBLISHED).exists():
            raise PublicationError(f"先に計画({cycle.plan.name})を公表してください。")
        record = CyclePublication.objects.filter(cycle=cycle).first() or CyclePublication(cycle=cycle)
        if record.pk and record.is_public:
            raise PublicationError(f"{cycle}の結果は既に公表しています。")
        today = timezone.localdate()
        _publish(record, user=user, today=today)
        _event(user=user, action=PublicationAction.PUBLISH, today=today, cycle=cycle)
    return record


def withdraw_cycle(*, user, cycle: ReviewCycle, reason: str) -> CyclePublication:
    """Withdraw a cycle's results from the public pages."""
    _require_ict_office(user)
    reason = _clean_reason(reason)
    with transaction.atomic():
        cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
        record = CyclePublication.objects.filter(cycle=cycle, status=PublicationStatus.PUBLISHED).first()
        if record is None:
            raise PublicationError(f"{cycle}の結果は公表していません。")
        today = timezone.localdate()
        _withdraw(record, user=user, reason=reason, today=today)
        _event(user=user, action=PublicationAction.WITHDRAW, today=today, reason=reason, cycle=cycle)
    return record

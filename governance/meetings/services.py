"""Writes of the meetings: preparing one with its agenda and attendees, its minutes.
Nothing of a meeting changes once its cycle is closed (refuse_if_closed)."""


from django.db import transaction

from accounts.permissions import is_ict_office
from governance.cycles.services import WorkflowError, WorkflowPermissionError, refuse_if_closed
from governance.models import AgendaItem, AnnualReport, BodyKind, Meeting, ReportState, ReviewCycle


@transaction.atomic
def prepare_meeting(*, user, body, cycle, title, held_on, place, reports) -> Meeting:
    """A meeting with its agenda (reports) and, as attendees, the body's current members."""
    from governance.meetings.bodies import members_of

    if not is_ict_office(user):
        raise WorkflowPermissionError("会議の準備ができるのは情報推進課です。")
    if body.kind not in (BodyKind.COMMITTEE, BodyKind.HEADQUARTERS):
        raise WorkflowError("実績報告を議題にできるのは情報化推進検討会議と情報化戦略本部です。")
    if any(r.cycle_id != cycle.pk for r in reports):
        raise WorkflowError("別の進行管理の実績報告は議題にできません。")
    list(AnnualReport.objects.select_for_update().filter(pk__in=[r.pk for r in reports]).values_list("pk"))
    refuse_if_closed(cycle)
    wanted = ReportState.CONFIRMED if body.kind == BodyKind.COMMITTEE else ReportState.EVALUATED
    wrong = [r.sheet.project.name for r in reports if r.state != wanted]
    if wrong:
        raise WorkflowError(f"{body.name}の議題にできるのは「{wanted.label}」の報告です:" + "、".join(wrong))
    meeting = Meeting.objects.create(body=body, cycle=cycle, title=title, held_on=held_on,
                                     place=place, prepared_by=user)
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, report=report, position=i) for i, report in enumerate(reports, 1)
    )
    meeting.attendees.set(members_of(body))
    return meeting


@transaction.atomic
def save_minutes(*, user, form) -> Meeting:
    """The minutes and attendees (a valid MinutesForm of the meeting)."""
    if not is_ict_office(user):
        raise WorkflowPermissionError("議事録を記録できるのは情報推進課です。")
    # The cycle's row locked: a closing (governance.cycles.closing) waits for this save, or it came first.
    list(ReviewCycle.objects.select_for_update().filter(pk=form.instance.cycle_id).values_list("pk"))
    refuse_if_closed(form.instance.cycle_id)
    return form.save()

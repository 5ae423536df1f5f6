"""The report workflow: every (state, action, role) of the transition table."""

import itertools

import pytest

from governance.cycles import services
from governance.cycles.workflow import TRANSITIONS, Action, Actor
from governance.models import AnnualReport, BodyKind, ReportEvent, ReportState
from tests.governance.conftest import fill, meeting_for

# Who plays each actor, and who must be refused.
ROLES = {
    "department": "demo-staff-a",   # 市民課 staff: the report's own section
    "section_chief": "demo-kacho",  # 市民課長: also acts for the section
    "ict_office": "demo-joho",
    "other_section": "demo-staff-b",  # 環境課
    "committee": "demo-bucho",
    "executive": "demo-exec",
    "advisor": "demo-advisor",
}
ACTS_AS = {
    Actor.DEPARTMENT: {"department", "section_chief"},
    Actor.ICT_OFFICE: {"ict_office"},
}


def bring_to(state, report, users):
    """Walk a report along the happy path up to `state`."""
    joho, staff = users["demo-joho"], users["demo-staff-a"]
    path = [ReportState.DRAFT, ReportState.SUBMITTED, ReportState.CONFIRMED, ReportState.EVALUATED,
            ReportState.DECIDED, ReportState.REFLECTED]
    fill(report)
    if state == ReportState.RETURNED:
        services.submit_report(user=staff, report=report)
        return services.return_report(user=joho, report=report, reason="実績値を確認してください")
    for step in path[1:path.index(state) + 1]:
        report = AnnualReport.objects.get(pk=report.pk)
        if step == ReportState.SUBMITTED:
            services.submit_report(user=staff, report=report)
        elif step == ReportState.CONFIRMED:
            services.confirm_report(user=joho, report=report)
        elif step == ReportState.EVALUATED:
            meeting = meeting_for(BodyKind.COMMITTEE, report.cycle, [report], joho)
            services.evaluate_report(user=joho, report=report, meeting=meeting, evaluation="A")
        elif step == ReportState.DECIDED:
            meeting = meeting_for(BodyKind.HEADQUARTERS, report.cycle, [report], joho)
            services.decide_report(user=joho, report=report, meeting=meeting, decision="continue")
        elif step == ReportState.REFLECTED:
            services.reflect_report(user=staff, report=report)
    return AnnualReport.objects.get(pk=report.pk)


def attempt(action, user, report):
    """Perform `action` as `user` through its service, with valid input."""
    joho = report.cycle.opened_by
    match action:
        case Action.SUBMIT:
            return services.submit_report(user=user, report=report)
        case Action.RETURN:
            return services.return_report(user=user, report=report, reason="理由")
        case Action.CONFIRM:
            return services.confirm_report(user=user, report=report)
        case Action.EVALUATE:
            meeting = meeting_for(BodyKind.COMMITTEE, report.cycle, [report], joho)
            return services.evaluate_report(user=user, report=report, meeting=meeting, evaluation="B")
        case Action.DECIDE:
            meeting = meeting_for(BodyKind.HEADQUARTERS, report.cycle, [report], joho)
            return services.decide_report(user=user, report=report, meeting=meeting, decision="reduce")
        case Action.REFLECT:
            return services.reflect_report(user=user, report=report)


CASES = list(itertools.product(ReportState, Action, ROLES))


@pytest.mark.parametrize(("state", "action", "role"), CASES, ids=[f"{s}-{a}-{r}" for s, a, r in CASES])
def test_transition_table(demo_users, shimin_report, state, action, role):
    report = bring_to(state, shimin_report, demo_users)
    assert report.state == state
    user = demo_users[ROLES[role]]
    allowed = action in TRANSITIONS[state] and role in ACTS_AS[TRANSITIONS[state][action][1]]
    events_before = ReportEvent.objects.filter(report=report).count()
    snapshot = AnnualReport.objects.filter(pk=report.pk).values().get()

    if allowed:
        moved = attempt(action, user, report)
        assert moved.state == TRANSITIONS[state][action][0]
        event = ReportEvent.objects.filter(report=report).latest("pk")
        assert (event.actor, event.from_state, event.to_state, event.action) == (
            user, state, moved.state, action
        )
        assert ReportEvent.objects.filter(report=report).count() == events_before + 1
    else:
        with pytest.raises(services.WorkflowError):
            attempt(action, user, report)
        assert AnnualReport.objects.filter(pk=report.pk).values().get() == snapshot
        assert ReportEvent.objects.filter(report=report).count() == events_before

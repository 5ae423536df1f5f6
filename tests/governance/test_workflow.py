"""The report workflow against the plan's own text, not against the code's table.

情報化推進計画 (pp.25, 28; README 「毎年度の進行管理」): the department submits its
実績報告; 情報推進課 checks it and returns it with a reason or confirms it; the
検討会議 evaluates and the 戦略本部 decides (both recorded by their 事務局, 情報推進課);
the department then reflects the decision in its sheet. States, by their labels:
作成中 → 提出済 → (差戻し中) → 確認済 → 評価済 → 判断済 → 反映済.
"""

import pytest
from django.db import transaction

from governance.cycles import services
from governance.models import AnnualReport, BodyKind, ReportEvent, ReportState
from governance.vocab import ReportAction
from tests.governance.conftest import fill, meeting_for

DEPARTMENT = "担当課"
ICT_OFFICE = "情報推進課"

# (state, action) -> (next state, who may), in the words of the plan and the screens.
PLAN = {
    ("作成中", "提出"): ("提出済", DEPARTMENT),
    ("差戻し中", "提出"): ("提出済", DEPARTMENT),
    ("提出済", "差戻し"): ("差戻し中", ICT_OFFICE),
    ("提出済", "確認"): ("確認済", ICT_OFFICE),
    ("確認済", "評価の記録"): ("評価済", ICT_OFFICE),  # the 検討会議's evaluation
    ("評価済", "判断の記録"): ("判断済", ICT_OFFICE),  # the 戦略本部's decision
    ("判断済", "シートへの反映"): ("反映済", DEPARTMENT),
}
STATES = ["作成中", "提出済", "差戻し中", "確認済", "評価済", "判断済", "反映済"]
ACTIONS = ["提出", "差戻し", "確認", "評価の記録", "判断の記録", "シートへの反映"]
# 情報推進課's corrections (issue #17): recorded as events of the report, never moves of it.
CORRECTIONS = ["内容の訂正", "評価の訂正", "判断の訂正"]

# The demo users (README), and whom each one acts for on a report of 市民課.
PEOPLE = {
    "demo-staff-a": DEPARTMENT,  # 市民課の職員
    "demo-kacho": DEPARTMENT,    # 市民課長
    "demo-joho": ICT_OFFICE,     # 情報推進課 (事務局)
    "demo-staff-b": None,        # 環境課の職員: another section
    "demo-bucho": None,          # 検討会議・戦略本部の委員: not the 事務局
    "demo-exec": None,           # 副市長 (戦略本部)
    "demo-advisor": None,        # CIO 補佐官
}

STATE = {label: value for value, label in ReportState.choices}
ACTION = {label: value for value, label in ReportAction.choices}


def test_the_plans_states_and_actions_are_the_codes_states_and_actions():
    """A state or action added to the code must be added to the plan's table here too."""
    assert sorted(STATE) == sorted(STATES)
    assert sorted(ACTION) == sorted(ACTIONS + CORRECTIONS)


@pytest.mark.parametrize("action", ACTIONS + CORRECTIONS, ids=ACTION.get)
@pytest.mark.parametrize("state", STATES, ids=STATE.get)
def test_every_move_by_every_person(demo_users, shimin_report, subtests, state, action):
    AnnualReport.objects.filter(pk=shimin_report.pk).update(state=STATE[state])
    expected = PLAN.get((state, action))
    for username, acts_for in PEOPLE.items():
        user = demo_users[username]
        with subtests.test(person=username), transaction.atomic():
            before = AnnualReport.objects.filter(pk=shimin_report.pk).values().get()
            events = ReportEvent.objects.filter(report=shimin_report).count()
            if expected and expected[1] == acts_for:
                moved = services.move_report(user=user, report=shimin_report, action=ACTION[action])
                assert moved.get_state_display() == expected[0]
                assert AnnualReport.objects.get(pk=shimin_report.pk).state == STATE[expected[0]]
                event = ReportEvent.objects.filter(report=shimin_report).latest("pk")
                assert (event.actor, event.action, event.from_state, event.to_state) == (
                    user, ACTION[action], STATE[state], STATE[expected[0]]
                )
                assert ReportEvent.objects.filter(report=shimin_report).count() == events + 1
            else:
                with pytest.raises(services.WorkflowError):
                    services.move_report(user=user, report=shimin_report, action=ACTION[action])
                assert AnnualReport.objects.filter(pk=shimin_report.pk).values().get() == before
                assert ReportEvent.objects.filter(report=shimin_report).count() == events
            transaction.set_rollback(True)  # the next person starts from `state`


def test_the_plans_cycle_walks_through_the_screens_services(demo_users, shimin_report):
    """The happy path with a return, through the services the views call, with valid input."""
    staff, joho = demo_users["demo-staff-a"], demo_users["demo-joho"]
    report = fill(shimin_report)
    report = services.submit_report(user=staff, report=report)
    report = services.return_report(user=joho, report=report, reason="実績値を確認してください")
    report = services.submit_report(user=demo_users["demo-kacho"], report=report)
    report = services.confirm_report(user=joho, report=report)
    committee = meeting_for(BodyKind.COMMITTEE, report.cycle, [report], joho)
    report = services.evaluate_report(user=joho, report=report, meeting=committee, evaluation="A")
    headquarters = meeting_for(BodyKind.HEADQUARTERS, report.cycle, [report], joho)
    report = services.decide_report(user=joho, report=report, meeting=headquarters, decision="continue")
    report = services.reflect_report(user=staff, report=report)

    trail = [
        (event.get_from_state_display(), event.get_action_display(), event.get_to_state_display())
        for event in ReportEvent.objects.filter(report=report).order_by("pk")
    ]
    assert trail == [
        ("作成中", "提出", "提出済"),
        ("提出済", "差戻し", "差戻し中"),
        ("差戻し中", "提出", "提出済"),
        ("提出済", "確認", "確認済"),
        ("確認済", "評価の記録", "評価済"),
        ("評価済", "判断の記録", "判断済"),
        ("判断済", "シートへの反映", "反映済"),
    ]
    assert report.evaluation == "A" and report.decision == "continue"

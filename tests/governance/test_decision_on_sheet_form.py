"""Action (plan p.25): the department revising its sheet sees the 戦略本部's decision there."""

import pytest

from governance.cycles import services
from governance.models import BodyKind
from tests.governance.conftest import fill, meeting_for


@pytest.mark.django_db
def test_the_sheet_edit_form_shows_the_decision_to_reflect(client, shimin_report, demo_users):
    joho = demo_users["demo-joho"]
    fill(shimin_report)
    report = services.submit_report(user=demo_users["demo-staff-a"], report=shimin_report)
    report = services.confirm_report(user=joho, report=report)
    committee = meeting_for(BodyKind.COMMITTEE, report.cycle, [report], joho)
    report = services.evaluate_report(user=joho, report=report, meeting=committee, evaluation="B")
    headquarters = meeting_for(BodyKind.HEADQUARTERS, report.cycle, [report], joho)
    report = services.decide_report(user=joho, report=report, meeting=headquarters, decision="reduce",
                                    comment="令和元年度以降の目標値を見直すこと。")
    url = f"/sheets/second/{report.sheet.project.code}/edit/"
    client.force_login(demo_users["demo-staff-a"])  # 市民課, the sheet's section
    page = client.get(url).content.decode()
    assert "戦略本部の判断を反映してください:平成28年度(2016年度) 年次進行管理" in page
    assert "縮小" in page and "令和元年度以降の目標値を見直すこと。" in page
    # Once reflected, the notice goes.
    services.reflect_report(user=demo_users["demo-staff-a"], report=report)
    assert "戦略本部の判断を反映してください" not in client.get(url).content.decode()

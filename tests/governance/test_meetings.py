"""Meetings of the bodies: evaluations (検討会議) and decisions (戦略本部) are recorded
against a meeting whose agenda holds the report; the department then reflects the
decision in its sheet (Action). Returns and decisions are mailed to the section;
the meeting's papers print as one PDF, made in the background."""

import re
import subprocess
from decimal import Decimal

import pytest
from django.core import mail
from django.db.models import F
from django.urls import reverse

from governance.books.tasks import render_book
from governance.cycles import services
from governance.models import (
    AgendaItem,
    AnnualReport,
    BodyKind,
    BookJob,
    BookKind,
    ReportEvent,
    ReportState,
)
from governance.vocab import Decision
from projects.models import IndicatorTarget, ProjectSheet
from tests.governance.conftest import fill, meeting_for

pytestmark = pytest.mark.usefixtures("tasks_run_at_once")  # mails are sent as they are queued


def reload(report):
    return AnnualReport.objects.get(pk=report.pk)


def confirmed(report, users, **values):
    fill(report, **values)
    services.submit_report(user=users["demo-staff-a"], report=report)
    return services.confirm_report(user=users["demo-joho"], report=report)


def evaluated(report, users):
    joho = users["demo-joho"]
    report = confirmed(report, users)
    meeting = meeting_for(BodyKind.COMMITTEE, report.cycle, [report], joho)
    return services.evaluate_report(user=joho, report=report, meeting=meeting, evaluation="B")


def decided(report, users, decision):
    joho = users["demo-joho"]
    report = evaluated(report, users)
    meeting = meeting_for(BodyKind.HEADQUARTERS, report.cycle, [report], joho)
    return services.decide_report(user=joho, report=report, meeting=meeting, decision=decision,
                                  comment="来年度は対象を見直すこと")


def revise_sheet(report, *, future_value=None, years=range(2017, 2021)):
    """The department revises its sheet (a new version), optionally setting future targets."""
    if future_value is not None:
        IndicatorTarget.objects.filter(indicator__sheet=report.sheet_id, fiscal_year__in=list(years)) \
            .update(value=future_value)
    ProjectSheet.objects.filter(pk=report.sheet_id).update(version=F("version") + 1)


# ─── Evaluate / decide need the right meeting ─────────────────────────────

def assert_unchanged(report, before, events):
    assert AnnualReport.objects.filter(pk=report.pk).values().get() == before
    assert ReportEvent.objects.filter(report=report).count() == events


def snapshot(report):
    return (AnnualReport.objects.filter(pk=report.pk).values().get(),
            ReportEvent.objects.filter(report=report).count())


def test_evaluate_needs_a_committee_meeting(shimin_report, shimin_sheets, demo_users):
    joho = demo_users["demo-joho"]
    report = confirmed(shimin_report, demo_users)
    other = evaluated(report.cycle.reports.get(sheet=shimin_sheets[1]), demo_users)
    headquarters = meeting_for(BodyKind.HEADQUARTERS, report.cycle, [other], joho)
    # Even with the report on its agenda, a 戦略本部 meeting does not evaluate.
    AgendaItem.objects.create(meeting=headquarters, report=report, position=2)
    before, events = snapshot(report)
    for meeting in (None, headquarters):
        with pytest.raises(services.WorkflowError, match="情報化推進検討会議の会議を選んでください"):
            services.evaluate_report(user=joho, report=report, meeting=meeting, evaluation="A")
    assert_unchanged(report, before, events)


def test_evaluate_needs_the_report_on_the_agenda(shimin_report, shimin_sheets, demo_users):
    joho = demo_users["demo-joho"]
    report = confirmed(shimin_report, demo_users)
    other = confirmed(report.cycle.reports.get(sheet=shimin_sheets[1]), demo_users)
    meeting = meeting_for(BodyKind.COMMITTEE, report.cycle, [other], joho)
    before, events = snapshot(report)
    with pytest.raises(services.WorkflowError, match="議題にありません"):
        services.evaluate_report(user=joho, report=report, meeting=meeting, evaluation="A")
    assert_unchanged(report, before, events)


def test_evaluate_needs_an_evaluation(shimin_report, demo_users):
    joho = demo_users["demo-joho"]
    report = confirmed(shimin_report, demo_users)
    meeting = meeting_for(BodyKind.COMMITTEE, report.cycle, [report], joho)
    with pytest.raises(services.WorkflowError):
        services.evaluate_report(user=joho, report=report, meeting=meeting, evaluation="")
    assert reload(report).state == ReportState.CONFIRMED


def test_evaluation_records_the_meeting(shimin_report, demo_users):
    joho = demo_users["demo-joho"]
    report = confirmed(shimin_report, demo_users)
    meeting = meeting_for(BodyKind.COMMITTEE, report.cycle, [report], joho)
    services.evaluate_report(user=joho, report=report, meeting=meeting, evaluation="C",
                             comment="利用状況の把握が不十分")
    report = reload(report)
    assert (report.state, report.evaluation, report.evaluated_in, report.evaluation_comment) == (
        ReportState.EVALUATED, "C", meeting, "利用状況の把握が不十分")
    event = report.events.latest("pk")
    assert (event.action, event.actor, event.comment) == ("evaluate", joho, "利用状況の把握が不十分")


def test_decide_needs_a_headquarters_meeting_with_the_report(shimin_report, shimin_sheets, demo_users):
    joho = demo_users["demo-joho"]
    report = evaluated(shimin_report, demo_users)
    committee = report.evaluated_in  # a 検討会議 meeting with the report on its agenda
    other = evaluated(report.cycle.reports.get(sheet=shimin_sheets[1]), demo_users)
    elsewhere = meeting_for(BodyKind.HEADQUARTERS, report.cycle, [other], joho)
    before, events = snapshot(report)
    with pytest.raises(services.WorkflowError, match="情報化戦略本部の会議を選んでください"):
        services.decide_report(user=joho, report=report, meeting=committee, decision="continue")
    with pytest.raises(services.WorkflowError, match="議題にありません"):
        services.decide_report(user=joho, report=report, meeting=elsewhere, decision="continue")
    with pytest.raises(services.WorkflowError):
        services.decide_report(user=joho, report=report, meeting=None, decision="continue")
    assert_unchanged(report, before, events)


def test_decision_records_the_targets_at_decision(shimin_report, demo_users):
    indicator = shimin_report.results.get().indicator
    IndicatorTarget.objects.filter(indicator=indicator, fiscal_year=2018).update(value=1500)
    sheet_version = ProjectSheet.objects.get(pk=shimin_report.sheet_id).version
    report = reload(decided(shimin_report, demo_users, Decision.REDUCE))

    assert report.state == ReportState.DECIDED
    assert report.decision == Decision.REDUCE
    assert report.decided_in.body.kind == BodyKind.HEADQUARTERS
    assert report.decision_comment == "来年度は対象を見直すこと"
    assert report.sheet_version_at_decision == sheet_version
    expected = {str(indicator.pk): {str(year): Decimal(1500 if year == 2018 else 1000)
                                    for year in range(2016, 2021)}}
    recorded = {i: {y: Decimal(v) for y, v in years.items()}
                for i, years in report.targets_at_decision.items()}
    assert recorded == expected

    # A later revision of the sheet does not change what was recorded.
    revise_sheet(report, future_value=10)
    assert {y: Decimal(v) for y, v in reload(report).targets_at_decision[str(indicator.pk)].items()} \
        == expected[str(indicator.pk)]


# ─── Reflecting the decision (Action) ─────────────────────────────────────

REDUCE_FLAG = "「縮小」と判断されましたが、翌年度以降の目標値が下がっていません。"
NOT_UPDATED = "判断の後、シートが更新されていません。判断に沿ってシートを見直してください。"


def reflect(report, users):
    return reload(services.reflect_report(user=users["demo-staff-a"], report=reload(report)))


def test_reduce_decided_but_targets_unchanged_is_flagged(shimin_report, demo_users):
    report = decided(shimin_report, demo_users, Decision.REDUCE)
    revise_sheet(report)  # a new version, targets as they were
    report = reflect(report, demo_users)
    assert report.state == ReportState.REFLECTED
    assert report.reflection_flags == [REDUCE_FLAG]
    assert report.reflected_sheet_version == report.sheet_version_at_decision + 1
    assert report.events.latest("pk").comment == REDUCE_FLAG


def test_reduce_decided_and_sheet_untouched_gets_both_flags(shimin_report, demo_users):
    report = reflect(decided(shimin_report, demo_users, Decision.REDUCE), demo_users)
    assert report.reflection_flags == [NOT_UPDATED, REDUCE_FLAG]


def test_reduce_with_future_targets_lowered_after_the_decision_is_not_flagged(shimin_report, demo_users):
    report = decided(shimin_report, demo_users, Decision.REDUCE)
    revise_sheet(report, future_value=800)  # 2017-2020: 1000 → 800
    report = reflect(report, demo_users)
    assert report.reflection_flags == []
    assert report.events.latest("pk").comment == ""


def test_lowering_only_the_reported_year_is_not_a_reduction(shimin_report, demo_users):
    """The cycle reports FY2016; only later years are the future the decision is about."""
    report = decided(shimin_report, demo_users, Decision.REDUCE)
    revise_sheet(report, future_value=500, years=[2016])
    assert reflect(report, demo_users).reflection_flags == [REDUCE_FLAG]


def test_expand_decided_with_targets_raised_is_not_flagged(shimin_report, demo_users):
    report = decided(shimin_report, demo_users, Decision.EXPAND)
    revise_sheet(report, future_value=1200, years=[2019])
    assert reflect(report, demo_users).reflection_flags == []


def test_expand_decided_but_targets_unchanged_is_flagged(shimin_report, demo_users):
    report = decided(shimin_report, demo_users, Decision.EXPAND)
    revise_sheet(report)
    assert reflect(report, demo_users).reflection_flags == [
        "「拡充」と判断されましたが、翌年度以降の目標値が上がっていません。"
    ]


def test_suspend_decided_with_future_plans_left_is_flagged(shimin_report, demo_users):
    report = decided(shimin_report, demo_users, Decision.SUSPEND)
    revise_sheet(report)  # the fixture's 「周知」 is still planned for 2017-2020
    flags = reflect(report, demo_users).reflection_flags
    assert flags == ["「休止・廃止」と判断されましたが、翌年度以降のスケジュールに予定が残っています。"]


def test_continue_decided_and_sheet_revised_is_not_flagged(shimin_report, demo_users):
    report = decided(shimin_report, demo_users, Decision.CONTINUE)
    revise_sheet(report)
    assert reflect(report, demo_users).reflection_flags == []


# ─── Mail to the section ──────────────────────────────────────────────────

SHIMIN_STAFF = ("demo-staff-a", "demo-kacho")


def test_return_mails_the_section_with_the_reason(shimin_report, demo_users,
                                                   django_capture_on_commit_callbacks):
    fill(shimin_report)
    services.submit_report(user=demo_users["demo-staff-a"], report=shimin_report)
    reason = "実績値の根拠(集計期間)を補足欄に記入してください。"
    with django_capture_on_commit_callbacks(execute=True):
        services.return_report(user=demo_users["demo-joho"], report=shimin_report, reason=reason)
    # One message per address, so that one refused address fails alone.
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        demo_users[u].email for u in SHIMIN_STAFF)
    assert all(len(m.to) == 1 for m in mail.outbox)
    message = mail.outbox[0]
    assert "差戻し" in message.subject
    assert shimin_report.sheet.project.name in message.subject
    assert reason in message.body
    assert shimin_report.get_absolute_url() in message.body
    assert reload(shimin_report).events.latest("pk").comment == reason


def test_return_without_a_reason_is_refused_and_mails_nothing(shimin_report, demo_users,
                                                               django_capture_on_commit_callbacks):
    fill(shimin_report)
    services.submit_report(user=demo_users["demo-staff-a"], report=shimin_report)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(services.WorkflowError):
            services.return_report(user=demo_users["demo-joho"], report=shimin_report, reason="  ")
    assert mail.outbox == []
    assert reload(shimin_report).state == ReportState.SUBMITTED


def test_decision_mails_the_section(shimin_report, demo_users, django_capture_on_commit_callbacks):
    report = evaluated(shimin_report, demo_users)
    joho = demo_users["demo-joho"]
    meeting = meeting_for(BodyKind.HEADQUARTERS, report.cycle, [report], joho)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_report(user=joho, report=report, meeting=meeting, decision=Decision.REDUCE)
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        demo_users[u].email for u in SHIMIN_STAFF)
    message = mail.outbox[0]
    assert "戦略本部の判断" in message.subject
    assert report.sheet.project.name in message.subject
    assert "縮小" in message.body


# ─── Recording through the meeting page ───────────────────────────────────

def test_meeting_record_page_records_an_evaluation(client, shimin_report, demo_users):
    report = confirmed(shimin_report, demo_users)
    meeting = meeting_for(BodyKind.COMMITTEE, report.cycle, [report], demo_users["demo-joho"])
    url = reverse("governance:meeting_record", kwargs={"pk": meeting.pk, "report_pk": report.pk})
    client.force_login(demo_users["demo-joho"])
    response = client.post(url, {f"r{report.pk}-evaluation": "A", f"r{report.pk}-comment": "良好"})
    assert response.status_code == 302
    report = reload(report)
    assert (report.state, report.evaluation, report.evaluated_in) == (ReportState.EVALUATED, "A", meeting)


@pytest.mark.parametrize("username", ["demo-bucho", "demo-exec", "demo-staff-a", "demo-kikaku"])
def test_only_the_secretariat_records(client, shimin_report, demo_users, username):
    report = confirmed(shimin_report, demo_users)
    meeting = meeting_for(BodyKind.COMMITTEE, report.cycle, [report], demo_users["demo-joho"])
    url = reverse("governance:meeting_record", kwargs={"pk": meeting.pk, "report_pk": report.pk})
    client.force_login(demo_users[username])
    assert client.post(url, {f"r{report.pk}-evaluation": "A"}).status_code == 403
    assert reload(report).state == ReportState.CONFIRMED


def test_agenda_only_holds_reports_ready_for_the_body(shimin_report, demo_users):
    from governance.models import Meeting

    joho = demo_users["demo-joho"]
    with pytest.raises(services.WorkflowError):  # a draft before the 検討会議
        meeting_for(BodyKind.COMMITTEE, shimin_report.cycle, [shimin_report], joho)
    report = confirmed(shimin_report, demo_users)
    with pytest.raises(services.WorkflowError):  # not yet evaluated before the 戦略本部
        meeting_for(BodyKind.HEADQUARTERS, report.cycle, [report], joho)
    assert not Meeting.objects.exists()


def test_prepare_meeting_is_for_the_ict_office(cycle, demo_users):
    with pytest.raises(services.WorkflowError):
        meeting_for(BodyKind.COMMITTEE, cycle, list(cycle.reports.all()[:1]), demo_users["demo-bucho"])


# ─── The papers (PDF) ─────────────────────────────────────────────────────

def pdf_text(content, tmp_path):
    path = tmp_path / "papers.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                          check=True, capture_output=True, text=True).stdout


def test_meeting_papers_pdf_holds_the_agenda_and_the_summary(client, cycle, shimin_sheets, demo_users,
                                                            tmp_path):
    reports = [cycle.reports.get(sheet=sheet) for sheet in shimin_sheets]
    reports = [
        confirmed(reports[0], demo_users),
        confirmed(reports[1], demo_users, status="completed", progress="behind", direction="complete",
                  actual=500),
    ]
    meeting = meeting_for(BodyKind.COMMITTEE, cycle, reports, demo_users["demo-joho"])
    client.force_login(demo_users["demo-joho"])
    # Ordered from the meeting's page, made by the worker, downloaded.
    client.post("/books/order/", {"kind": "papers", "meeting": meeting.pk})
    job = BookJob.objects.get(kind=BookKind.PAPERS)
    render_book.func(job.pk)
    response = client.get(f"/books/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    text = pdf_text(content, tmp_path)
    flat = re.sub(r"\s+", "", text)

    for sheet in shimin_sheets:
        assert re.sub(r"\s+", "", sheet.project.name) in flat
        assert sheet.project.code in flat
    # Reports of the cycle that are not on the agenda have no pages in the papers (the front
    # page lists, plan-wide, the projects behind or not reported: test_books_briefing).
    projects = flat[flat.index("事業ごとの資料"):]
    outside = cycle.reports.exclude(pk__in=[r.pk for r in reports]).select_related("sheet__project")
    assert outside.exists()
    for report in outside:
        assert re.sub(r"\s+", "", report.sheet.project.name) not in projects

    # The summary tables, whole plan: one report 継続 / ○ / 継続, one 完了 / △ / 完了.
    running = {f"{meeting.title} 会議資料"}  # the running header, on every page
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines
             if line and line not in running and not re.fullmatch(r"- \d+ -", line)]
    start = lines.index("集計表")
    expected = {
        "実施状況(計画全体)": ["完了 1 50.0%", "継続 1 50.0%", "見送り 0 0.0%", "中止/廃止 0 0.0%",
                              "未実施 0 0.0%", "合計 2 100.0%"],
        "進捗度(計画全体)": ["○ 計画どおり 1 50.0%", "△ 計画を下回っている 1 50.0%", "× 未実施 0 0.0%",
                             "- 評価対象外 0 0.0%", "合計 2 100.0%"],
        "今後の方向性(計画全体)": ["完了 1 50.0%", "継続 1 50.0%", "中止/廃止 0 0.0%", "未定 0 0.0%",
                                 "合計 2 100.0%"],
    }
    captions = [lines.index(caption, start) for caption in expected]
    assert captions == sorted(captions)
    ends = captions[1:] + [captions[-1] + 12]
    for (caption, rows), begin, end in zip(expected.items(), captions, ends):
        # The table's rows, in order (a repeated header at a page break is skipped).
        printed = [line for line in lines[begin + 1:end] if re.search(r" \d+ \d+\.\d%$", line)]
        assert printed == rows, caption
    assert meeting.body.name in flat

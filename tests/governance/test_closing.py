"""Closing a cycle (確定) and reopening it (issue #17): only 情報推進課, recorded with who,
when and why; once closed nothing in the cycle changes through any path — the pages,
the services behind them, an Excel import, the admin, the reminder mails — and
reopening with a reason makes them work again."""

import re
from datetime import date

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Section, User
from exchange import services as exchange
from governance import notifications
from governance.cycles import closing, corrections, services
from governance.cycles.services import ReportChanges
from governance.meetings.services import prepare_meeting
from governance.models import (
    AgendaItem, AnnualReport, Body, BodyKind, CycleEvent, CycleKind, CycleStatus, IndicatorResult, Meeting,
    ReminderLog, ReportEvent, ReportState, ReviewCycle,
)
from projects.models import ProjectSheet
from tests.exchange.conftest import edit_xlsx, template_bytes, upload_of
from tests.governance.conftest import fill, meeting_for

OTHERS = ["demo-staff-a", "demo-kacho", "demo-bucho", "demo-exec", "demo-advisor"]
CLOSED = "確定しています"


def decided_all(cycle, users):
    """Every report of the cycle 判断済, as the year's work ends: 市民課's two through the
    workflow, the others (no section in this fixture) set so directly."""
    joho, staff = users["demo-joho"], users["demo-staff-a"]
    mine = list(cycle.reports.filter(section__code="shimin").order_by("pk"))
    cycle.reports.exclude(pk__in=[r.pk for r in mine]).update(state=ReportState.DECIDED)
    for report in mine:
        services.submit_report(user=staff, report=fill(report))
        services.confirm_report(user=joho, report=report)
    mine = list(cycle.reports.filter(pk__in=[r.pk for r in mine]))
    committee = meeting_for(BodyKind.COMMITTEE, cycle, mine, joho)
    for report in mine:
        services.evaluate_report(user=joho, report=report, meeting=committee, evaluation="B")
    mine = list(cycle.reports.filter(pk__in=[r.pk for r in mine]))
    headquarters = meeting_for(BodyKind.HEADQUARTERS, cycle, mine, joho)
    for report in mine:
        services.decide_report(user=joho, report=report, meeting=headquarters, decision="continue")


def everything(cycle):
    """All that a cycle holds, to compare before and after an attempt."""
    return (
        list(ReviewCycle.objects.filter(pk=cycle.pk).values()),
        list(AnnualReport.objects.filter(cycle=cycle).order_by("pk").values()),
        list(IndicatorResult.objects.filter(report__cycle=cycle).order_by("pk").values()),
        ReportEvent.objects.filter(report__cycle=cycle).count(),
        AnnualReport.history.filter(cycle_id=cycle.pk).count(),
        list(Meeting.objects.filter(cycle=cycle).order_by("pk").values()),
        list(AgendaItem.objects.filter(meeting__cycle=cycle).order_by("pk").values()),
        ReminderLog.objects.filter(cycle=cycle).count(),
    )


# ─── Closing and reopening ──────────────────────────────────────────────────

def test_a_cycle_with_unconcluded_reports_is_closed_only_explicitly_with_a_reason(cycle, demo_users):
    joho = demo_users["demo-joho"]
    before = everything(cycle)
    drafts = cycle.reports.count()  # every report of a cycle just opened is 作成中
    with pytest.raises(services.WorkflowError, match=re.escape(f"判断まで済んでいない実績報告があります(作成中 {drafts} 件)")):
        closing.close_cycle(user=joho, cycle=cycle)
    with pytest.raises(services.WorkflowError, match="理由を記入してください"):
        closing.close_cycle(user=joho, cycle=cycle, include_unconcluded=True, reason=" ")
    assert everything(cycle) == before and not CycleEvent.objects.exists()

    closed = closing.close_cycle(user=joho, cycle=cycle, include_unconcluded=True, reason="事業中止のため報告なし")
    stored = ReviewCycle.objects.get(pk=cycle.pk)
    assert (stored.get_status_display(), stored.closed_by, timezone.localtime(stored.closed_at).date()) == (
        "確定", joho, timezone.localdate())
    event = CycleEvent.objects.get(cycle=cycle)
    assert (event.get_action_display(), event.actor, event.reason) == ("確定", joho, "事業中止のため報告なし")
    assert closed.is_closed


def test_a_cycle_whose_reports_are_all_decided_closes_without_a_reason_and_reopens_with_one(cycle, demo_users):
    joho = demo_users["demo-joho"]
    decided_all(cycle, demo_users)
    closing.close_cycle(user=joho, cycle=cycle)
    with pytest.raises(services.WorkflowError, match="すでに確定しています"):
        closing.close_cycle(user=joho, cycle=cycle)
    with pytest.raises(services.WorkflowError, match="確定を取り消す理由を記入してください"):
        closing.reopen_cycle(user=joho, cycle=cycle, reason="")
    assert ReviewCycle.objects.get(pk=cycle.pk).status == CycleStatus.CLOSED

    closing.reopen_cycle(user=joho, cycle=cycle, reason="判断の記録に誤りが見つかったため")
    stored = ReviewCycle.objects.get(pk=cycle.pk)
    assert (stored.status, stored.closed_at, stored.closed_by) == (CycleStatus.OPEN, None, None)
    assert [(e.action, e.reason) for e in CycleEvent.objects.filter(cycle=cycle)] == [
        ("close", ""), ("reopen", "判断の記録に誤りが見つかったため")]
    # …and a correction works again.
    report = cycle.reports.first()
    corrections.correct_decision(user=joho, report=report, decision="expand", comment="", reason="記録の誤り")
    assert AnnualReport.objects.get(pk=report.pk).decision == "expand"


def test_closing_and_reopening_change_the_cached_pages_stamp(cycle, demo_users, django_capture_on_commit_callbacks):
    """The dashboard and the books say 確定 from cached parts (core.stamps): they must see it."""
    from core import stamps

    joho = demo_users["demo-joho"]
    before = stamps.current("work")
    with django_capture_on_commit_callbacks(execute=True):
        closing.close_cycle(user=joho, cycle=cycle, include_unconcluded=True, reason="確定")
    closed_stamp = stamps.current("work")
    with django_capture_on_commit_callbacks(execute=True):
        closing.reopen_cycle(user=joho, cycle=cycle, reason="取消し")
    assert len({before, closed_stamp, stamps.current("work")}) == 3


def test_reopening_is_refused_while_another_cycle_of_the_year_and_kind_is_open(cycle, demo_users):
    joho = demo_users["demo-joho"]
    closing.close_cycle(user=joho, cycle=cycle, include_unconcluded=True, reason="やり直し")
    again = services.open_cycle(user=joho, plan=cycle.plan, kind=CycleKind.ANNUAL, fiscal_year=2016,
                                deadline=date(2017, 5, 31))
    with pytest.raises(services.WorkflowError, match="ほかに実施中"):
        closing.reopen_cycle(user=joho, cycle=cycle, reason="誤って確定した")
    assert ReviewCycle.objects.get(pk=cycle.pk).status == CycleStatus.CLOSED
    assert ReviewCycle.objects.get(pk=again.pk).status == CycleStatus.OPEN


@pytest.mark.parametrize("username", OTHERS)
def test_only_the_ict_office_closes_and_reopens(client, cycle, demo_users, username):
    user = demo_users[username]
    with pytest.raises(services.WorkflowPermissionError):
        closing.close_cycle(user=user, cycle=cycle, include_unconcluded=True, reason="確定")
    client.force_login(user)
    assert client.post(reverse("governance:cycle_close", args=[cycle.pk]), {
        "include_unconcluded": "on", "reason": "確定", "confirmed": "on"}).status_code == 403
    assert ReviewCycle.objects.get(pk=cycle.pk).status == CycleStatus.OPEN
    assert reverse("governance:cycle_close", args=[cycle.pk]) not in client.get(cycle.get_absolute_url()).text

    closing.close_cycle(user=demo_users["demo-joho"], cycle=cycle, include_unconcluded=True, reason="確定")
    with pytest.raises(services.WorkflowPermissionError):
        closing.reopen_cycle(user=user, cycle=cycle, reason="取消し")
    assert client.post(reverse("governance:cycle_reopen", args=[cycle.pk]), {"reason": "取消し"}).status_code == 403
    assert ReviewCycle.objects.get(pk=cycle.pk).status == CycleStatus.CLOSED
    assert CycleEvent.objects.filter(cycle=cycle).count() == 1


def test_closing_and_reopening_on_the_cycle_page(client, cycle, demo_users):
    decided_all(cycle, demo_users)
    client.force_login(demo_users["demo-joho"])
    url = reverse("governance:cycle_close", args=[cycle.pk])
    page = client.post(url, {"reason": ""}, follow=True).text  # the confirmation box left empty
    assert "確認の欄にチェックを入れてください" in page
    assert ReviewCycle.objects.get(pk=cycle.pk).status == CycleStatus.OPEN

    page = client.post(url, {"confirmed": "on"}, follow=True).text
    today = timezone.localdate()
    assert "を確定しました" in page and f"確定({today.year}年{today.month}月{today.day}日)" in page
    assert "確定を取り消す" in page
    listing = client.get(reverse("governance:cycle_list")).text
    assert f"確定({today.year}年{today.month}月{today.day}日)" in listing

    page = client.post(reverse("governance:cycle_reopen", args=[cycle.pk]), {"reason": ""}, follow=True).text
    assert "確定を取り消す理由を記入してください" in page
    page = client.post(reverse("governance:cycle_reopen", args=[cycle.pk]), {"reason": "訂正のため"},
                       follow=True).text
    assert "確定を取り消しました" in page and "訂正のため" in page  # the record of both, with the reason
    assert ReviewCycle.objects.get(pk=cycle.pk).status == CycleStatus.OPEN


def test_the_closed_include_says_kakutei_with_its_date_or_nothing(cycle, demo_users):
    include = "governance/includes/_cycle_closed.html"
    assert render_to_string(include, {"cycle": cycle}).strip() == ""
    closing.close_cycle(user=demo_users["demo-joho"], cycle=cycle, include_unconcluded=True, reason="確定")
    cycle.refresh_from_db()
    day = timezone.localtime(cycle.closed_at)
    assert f"確定({day.year}年{day.month}月{day.day}日)" in render_to_string(include, {"cycle": cycle})


# ─── Nothing changes in a closed cycle ──────────────────────────────────────

@pytest.fixture
def closed(cycle, demo_users, shimin_sheets):
    """The cycle with one report 判断済 (its meetings held) and one still 作成中, closed."""
    joho = demo_users["demo-joho"]
    decided = cycle.reports.get(sheet=shimin_sheets[0])
    services.submit_report(user=demo_users["demo-staff-a"], report=fill(decided))
    decided = services.confirm_report(user=joho, report=decided)
    committee = meeting_for(BodyKind.COMMITTEE, cycle, [decided], joho)
    decided = services.evaluate_report(user=joho, report=decided, meeting=committee, evaluation="B")
    headquarters = meeting_for(BodyKind.HEADQUARTERS, cycle, [decided], joho)
    decided = services.decide_report(user=joho, report=decided, meeting=headquarters, decision="continue")
    closing.close_cycle(user=joho, cycle=cycle, include_unconcluded=True, reason="報告のない事業を残して確定")
    return {"cycle": cycle, "decided": decided, "draft": cycle.reports.get(sheet=shimin_sheets[1]),
            "committee": committee, "headquarters": headquarters}


def service_attempts(closed, users):
    joho, staff = users["demo-joho"], users["demo-staff-a"]
    decided, draft = closed["decided"], closed["draft"]
    result = decided.results.get()
    return {
        "save_report": lambda: services.save_report(user=staff, report=draft, seen_version=draft.version,
                                                    changes=ReportChanges(fields={"work_done": "追記"})),
        "submit": lambda: services.submit_report(user=staff, report=draft),
        "reflect": lambda: services.reflect_report(user=staff, report=decided),
        "override_rating": lambda: services.override_rating(user=joho, result=result, met=False, reason="確認"),
        "correct_content": lambda: corrections.correct_content(
            user=joho, report=decided, seen_version=decided.version, reason="訂正",
            changes=ReportChanges(fields={"progress": "behind"})),
        "correct_evaluation": lambda: corrections.correct_evaluation(
            user=joho, report=decided, evaluation="A", comment="", reason="訂正"),
        "correct_decision": lambda: corrections.correct_decision(
            user=joho, report=decided, decision="expand", comment="", reason="訂正"),
        "assign_report_sections": lambda: services.assign_report_sections(user=joho, cycle=closed["cycle"]),
        "prepare_meeting": lambda: prepare_meeting(
            user=joho, body=Body.objects.get(kind=BodyKind.COMMITTEE), cycle=closed["cycle"], title="追加",
            held_on=date(2017, 7, 1), place="", reports=[]),
    }


@pytest.mark.parametrize("attempt", ["save_report", "submit", "reflect", "override_rating", "correct_content",
                                     "correct_evaluation", "correct_decision", "assign_report_sections",
                                     "prepare_meeting"])
def test_no_service_changes_a_closed_cycle(closed, demo_users, attempt):
    run = service_attempts(closed, demo_users)[attempt]
    if attempt == "submit":
        fill(closed["draft"])  # complete, so that only the closing stands in the way
    if attempt == "assign_report_sections":  # the sheet moved to 環境課: the report would follow it
        ProjectSheet.objects.filter(pk=closed["draft"].sheet_id).update(section=Section.objects.get(code="kankyo"))
    before = everything(closed["cycle"])
    with pytest.raises(services.WorkflowError, match=CLOSED):
        run()
    assert everything(closed["cycle"]) == before


def test_no_workflow_move_of_any_state_in_a_closed_cycle(closed, demo_users):
    report = closed["draft"]
    for state in ReportState:
        AnnualReport.objects.filter(pk=report.pk).update(state=state)
        for action in services.Action:
            for user in (demo_users["demo-joho"], demo_users["demo-staff-a"]):
                with pytest.raises(services.WorkflowError, match=CLOSED):
                    services.move_report(user=user, report=report, action=action)
    assert ReportEvent.objects.filter(report=report).count() == 0


def test_no_page_changes_a_closed_cycle(client, closed, demo_users, django_capture_on_commit_callbacks):
    cycle, decided, draft = closed["cycle"], closed["decided"], closed["draft"]
    before = everything(cycle)
    client.force_login(demo_users["demo-staff-a"])
    posts = [
        (reverse("governance:report_edit", args=[draft.pk]), {"seen_version": draft.version,
                                                             "report-work_done": "追記"}),
        (reverse("governance:report_submit", args=[draft.pk]), {}),
        (reverse("governance:report_reflect", args=[decided.pk]), {}),
    ]
    for url, data in posts:
        page = client.post(url, data, follow=True).text
        assert CLOSED in page or "提出済みのため変更できません" in page, url
    assert "実績を入力する" not in client.get(draft.get_absolute_url()).text

    client.force_login(demo_users["demo-joho"])
    result = decided.results.get()
    posts = [
        (reverse("governance:report_return", args=[draft.pk]), {"reason": "やり直し"}),
        (reverse("governance:report_confirm", args=[draft.pk]), {}),
        (reverse("governance:result_override", args=[decided.pk, result.pk]), {"met": "unmet", "reason": "確認"}),
        (reverse("governance:report_correct_evaluation", args=[decided.pk]),
         {"evaluation-evaluation": "A", "evaluation-reason": "訂正"}),
        (reverse("governance:report_correct_decision", args=[decided.pk]),
         {"decision-decision": "expand", "decision-reason": "訂正"}),
        (reverse("governance:report_correct", args=[decided.pk]), {"correction-reason": "訂正"}),
        (reverse("governance:meeting_record", args=[closed["headquarters"].pk, decided.pk]),
         {f"r{decided.pk}-decision": "expand"}),
        (reverse("governance:meeting_minutes", args=[closed["committee"].pk]), {"minutes": "書き換え"}),
        (reverse("governance:meeting_create", args=[cycle.pk]), {"title": "追加"}),
        (reverse("governance:cycle_remind", args=[cycle.pk]), {}),
        (reverse("governance:cycle_assign_sections", args=[cycle.pk]), {}),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for url, data in posts:
            response = client.post(url, data, follow=True)
            assert response.status_code == 200 and (CLOSED in response.text or "訂正できません" in response.text), url
    assert everything(cycle) == before
    assert mail.outbox == []
    page = client.get(decided.get_absolute_url()).text
    assert "訂正する" not in page and "判定を変更" not in page and CLOSED in page
    meeting = client.get(closed["headquarters"].get_absolute_url()).text
    assert "判断を記録" not in meeting and "保存する" not in meeting


def test_no_reminder_mail_for_a_closed_cycle(closed):
    before = everything(closed["cycle"])
    assert notifications.send_reminders(today=date(2017, 5, 31), cycle=closed["cycle"]) == 0
    assert notifications.send_reminders(today=date(2017, 5, 31)) == 0
    assert everything(closed["cycle"]) == before and mail.outbox == []


def test_an_excel_import_changes_nothing_in_a_closed_cycle_and_says_why(cycle, demo_users, shimin_sheets):
    """The department's file was taken while the cycle was open and comes back after it closed."""
    staff, joho = demo_users["demo-staff-a"], demo_users["demo-joho"]
    plan = cycle.plan
    code = shimin_sheets[1].project.code
    data = edit_xlsx(template_bytes(staff, plan), "実績報告", {"事業コード": code}, {"実施した内容": "取込みで追記"})
    data = edit_xlsx(data, "指標の実績", {"事業コード": code}, {"実績値": 950})
    closing.close_cycle(user=joho, cycle=cycle, include_unconcluded=True, reason="確定")
    before = everything(cycle)
    outcome = exchange.run_import(upload_of(data), user=staff, plan=plan, commit=True)
    assert not outcome.applied
    messages = [e.message for e in outcome.errors]
    assert messages and all(CLOSED in m for m in messages if code in m)
    assert any(code in m and CLOSED in m for m in messages)
    assert everything(cycle) == before


def test_the_import_after_reopening_is_taken(cycle, demo_users, shimin_sheets):
    staff, joho = demo_users["demo-staff-a"], demo_users["demo-joho"]
    code = shimin_sheets[1].project.code
    data = edit_xlsx(template_bytes(staff, cycle.plan), "実績報告", {"事業コード": code}, {"実施した内容": "取込みで追記"})
    closing.close_cycle(user=joho, cycle=cycle, include_unconcluded=True, reason="確定")
    closing.reopen_cycle(user=joho, cycle=cycle, reason="取込みを受け付けるため")
    outcome = exchange.run_import(upload_of(data), user=staff, plan=cycle.plan, commit=True)
    assert outcome.applied, outcome.errors
    assert cycle.reports.get(sheet=shimin_sheets[1]).work_done == "取込みで追記"


def test_the_admin_changes_nothing_in_a_closed_cycle_even_for_a_superuser(client, closed):
    cycle = closed["cycle"]
    before = everything(cycle)
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-for-tests-only"))
    item = AgendaItem.objects.filter(meeting__cycle=cycle).first()
    rows = [
        ("reviewcycle", cycle.pk, {"deadline": "2018-01-01", "status": "open"}),
        ("meeting", closed["committee"].pk, {"title": "書き換え", "minutes": "書き換え"}),
        ("agendaitem", item.pk, {"position": "9"}),
        ("annualreport", closed["decided"].pk, {"decision": "expand"}),
        ("indicatorresult", closed["decided"].results.get().pk, {"actual": "1"}),
    ]
    for model, pk, data in rows:
        change = reverse(f"admin:governance_{model}_change", args=[pk])
        assert client.get(change).status_code == 200, model  # shown, read-only
        assert client.post(change, data).status_code == 403, model
        delete = reverse(f"admin:governance_{model}_delete", args=[pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403, model
    # A new meeting or agenda item can name open cycles' rows only.
    add = client.get(reverse("admin:governance_meeting_add")).context["adminform"].form
    assert cycle not in add.fields["cycle"].queryset
    assert everything(cycle) == before

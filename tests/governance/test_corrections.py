"""情報推進課 corrects what is already past its step (issue #17): a confirmed report's
content, the 検討会議's evaluation, the 戦略本部's decision. Only 情報推進課, always
with a reason; the state stays; the report's 経過 shows the correction and its reason,
the history says who, when and how."""

import pytest
from django.db.models import F
from django.urls import reverse

from core.models import OutgoingMail
from governance.cycles import corrections, services
from governance.cycles.services import ReportChanges
from governance.models import AnnualReport, BodyKind, IndicatorResult, ReportEvent, ReportState
from projects.models import ProjectSheet
from tests.governance.conftest import fill, meeting_for

REASON = "担当課からの申出により実績値の誤記を訂正"
OTHERS = ["demo-staff-a", "demo-kacho", "demo-bucho", "demo-exec", "demo-advisor"]


def confirmed(report, users):
    fill(report)  # 実施状況 継続, 進捗度 ○, 方向性 継続, 実績値 950
    services.submit_report(user=users["demo-staff-a"], report=report)
    return services.confirm_report(user=users["demo-joho"], report=report)


def evaluated(report, users, evaluation="B"):
    joho = users["demo-joho"]
    report = confirmed(report, users)
    meeting = meeting_for(BodyKind.COMMITTEE, report.cycle, [report], joho)
    return services.evaluate_report(user=joho, report=report, meeting=meeting, evaluation=evaluation,
                                    comment="利用状況の把握が必要")


def decided(report, users, decision="continue"):
    joho = users["demo-joho"]
    report = evaluated(report, users)
    meeting = meeting_for(BodyKind.HEADQUARTERS, report.cycle, [report], joho)
    return services.decide_report(user=joho, report=report, meeting=meeting, decision=decision,
                                  comment="現行どおり継続")


def snapshot(report):
    return (AnnualReport.objects.filter(pk=report.pk).values().get(),
            list(IndicatorResult.objects.filter(report=report).values()),
            ReportEvent.objects.filter(report=report).count(),
            AnnualReport.history.filter(id=report.pk).count())


def content(report, actual=800):
    indicator_id = report.results.get().indicator_id
    return ReportChanges(fields={"progress": "behind"}, results={indicator_id: {"actual": actual, "note": "訂正"}})


def correct(kind, user, report, reason=REASON):
    if kind == "content":
        return corrections.correct_content(user=user, report=report, seen_version=report.version,
                                           changes=content(report), reason=reason)
    if kind == "evaluation":
        return corrections.correct_evaluation(user=user, report=report, evaluation="A", comment="十分", reason=reason)
    return corrections.correct_decision(user=user, report=report, decision="expand", comment="拡充する", reason=reason)


# ─── The services ─────────────────────────────────────────────────────────

def test_ict_office_corrects_a_confirmed_reports_content_with_reason_event_and_history(shimin_report, demo_users):
    joho = demo_users["demo-joho"]
    report = confirmed(shimin_report, demo_users)
    version = report.version

    corrections.correct_content(user=joho, report=report, seen_version=version, changes=content(report),
                                reason=REASON)

    stored = AnnualReport.objects.get(pk=report.pk)
    assert (stored.state, stored.progress, stored.version) == (ReportState.CONFIRMED, "behind", version + 1)
    result = IndicatorResult.objects.get(report=report)
    assert (result.actual, result.note) == (800, "訂正")
    event = ReportEvent.objects.filter(report=report).latest("pk")
    assert (event.get_action_display(), event.from_state, event.to_state, event.actor, event.comment) == (
        "内容の訂正", ReportState.CONFIRMED, ReportState.CONFIRMED, joho, REASON)
    newest = AnnualReport.history.filter(id=report.pk).latest("history_date")
    assert (newest.history_user, newest.history_change_reason, newest.progress) == (joho, "内容の訂正(画面)", "behind")
    result_history = IndicatorResult.history.filter(id=result.pk).latest("history_date")
    assert (result_history.history_user, result_history.history_change_reason, result_history.actual) == (
        joho, "内容の訂正(画面)", 800)


def test_an_evaluation_is_corrected_and_stays_the_meetings(shimin_report, demo_users):
    joho = demo_users["demo-joho"]
    report = evaluated(shimin_report, demo_users)
    meeting = report.evaluated_in

    corrections.correct_evaluation(user=joho, report=report, evaluation="A", comment="効果が確認できた",
                                   reason="会議録と照合し、評価の記録の誤りを訂正")

    stored = AnnualReport.objects.get(pk=report.pk)
    assert (stored.state, stored.evaluation, stored.evaluation_comment, stored.evaluated_in) == (
        ReportState.EVALUATED, "A", "効果が確認できた", meeting)
    event = ReportEvent.objects.filter(report=report).latest("pk")
    assert (event.action, event.from_state, event.to_state, event.comment) == (
        "correct_evaluation", "evaluated", "evaluated", "会議録と照合し、評価の記録の誤りを訂正")
    newest = AnnualReport.history.filter(id=report.pk).latest("history_date")
    assert (newest.history_user, newest.history_change_reason) == (joho, "評価の訂正(画面)")


def test_a_decision_is_corrected_keeping_what_was_recorded_at_the_decision(
        shimin_report, demo_users, django_capture_on_commit_callbacks):
    """The correction fixes the record of the decision taken at the meeting: the meeting, the
    targets and the sheet's version of that moment stay; the section is told by mail."""
    joho = demo_users["demo-joho"]
    report = decided(shimin_report, demo_users)
    kept = AnnualReport.objects.filter(pk=report.pk).values(
        "decided_in", "targets_at_decision", "sheet_version_at_decision").get()
    mails = OutgoingMail.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        corrections.correct_decision(user=joho, report=report, decision="expand", comment="対象を広げる",
                                     reason="本部長の指示を聞き違えていたため")

    stored = AnnualReport.objects.get(pk=report.pk)
    assert (stored.state, stored.decision, stored.decision_comment) == (ReportState.DECIDED, "expand", "対象を広げる")
    assert AnnualReport.objects.filter(pk=report.pk).values(
        "decided_in", "targets_at_decision", "sheet_version_at_decision").get() == kept
    assert kept["targets_at_decision"]  # there was a snapshot to keep (1,000 a year)
    event = ReportEvent.objects.filter(report=report).latest("pk")
    assert (event.get_action_display(), event.comment) == ("判断の訂正", "本部長の指示を聞き違えていたため")
    sent = OutgoingMail.objects.order_by("pk")[mails:]
    assert sent and all("戦略本部の判断の訂正" in m.subject and "拡充" in m.body
                        and "本部長の指示を聞き違えていたため" in m.body for m in sent)


def test_a_decision_corrected_after_reflection_is_checked_again(shimin_report, demo_users):
    """反映済: the flags are those of the corrected decision while the sheet is the one
    reflected (reflection.py's rules); a sheet revised since is flagged to be checked again."""
    joho, staff = demo_users["demo-joho"], demo_users["demo-staff-a"]
    report = decided(shimin_report, demo_users, decision="continue")
    report = services.reflect_report(user=staff, report=report)  # the sheet was not revised
    assert report.reflection_flags == ["判断の後、シートが更新されていません。判断に沿ってシートを見直してください。"]

    corrections.correct_decision(user=joho, report=report, decision="expand", comment="", reason="記録の誤り")
    assert AnnualReport.objects.get(pk=report.pk).reflection_flags == [
        "判断の後、シートが更新されていません。判断に沿ってシートを見直してください。",
        "「拡充」と判断されましたが、翌年度以降の目標値が上がっていません。",
    ]

    ProjectSheet.objects.filter(pk=report.sheet_id).update(version=F("version") + 1)
    corrections.correct_decision(user=joho, report=report, decision="continue", comment="", reason="再訂正")
    flags = AnnualReport.objects.get(pk=report.pk).reflection_flags
    assert flags[-1] == corrections.RECHECK_FLAG and len(flags) == 3


@pytest.mark.parametrize("kind", ["content", "evaluation", "decision"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_every_correction_needs_a_reason(shimin_report, demo_users, kind, reason):
    report = decided(shimin_report, demo_users)
    before = snapshot(report)
    with pytest.raises(services.WorkflowError, match="理由を記入してください"):
        correct(kind, demo_users["demo-joho"], report, reason=reason)
    assert snapshot(report) == before


@pytest.mark.parametrize("kind", ["content", "evaluation", "decision"])
def test_only_the_ict_office_may_correct(shimin_report, demo_users, kind):
    report = decided(shimin_report, demo_users)
    before = snapshot(report)
    for username in OTHERS:
        with pytest.raises(services.WorkflowPermissionError):
            correct(kind, demo_users[username], report)
    assert snapshot(report) == before


@pytest.mark.parametrize(("kind", "too_early"), [
    ("content", [ReportState.DRAFT, ReportState.SUBMITTED, ReportState.RETURNED]),
    ("evaluation", [ReportState.DRAFT, ReportState.SUBMITTED, ReportState.RETURNED, ReportState.CONFIRMED]),
    ("decision", [ReportState.DRAFT, ReportState.SUBMITTED, ReportState.RETURNED, ReportState.CONFIRMED,
                  ReportState.EVALUATED]),
])
def test_a_part_is_corrected_only_once_it_exists(shimin_report, demo_users, kind, too_early):
    """Before 確認 the department itself changes its content (or it is returned to it)."""
    report = fill(shimin_report)
    for state in too_early:
        AnnualReport.objects.filter(pk=report.pk).update(state=state)
        report.refresh_from_db()
        before = snapshot(report)
        with pytest.raises(services.WorkflowError, match="訂正できません"):
            correct(kind, demo_users["demo-joho"], report)
        assert snapshot(report) == before


def test_a_content_correction_is_checked_like_the_departments_input(shimin_report, demo_users):
    report = confirmed(shimin_report, demo_users)
    before = snapshot(report)
    with pytest.raises(services.ValidationError):
        corrections.correct_content(user=demo_users["demo-joho"], report=report, seen_version=report.version,
                                    changes=ReportChanges(fields={"progress": "perfect"}), reason=REASON)
    with pytest.raises(services.StaleReportError):
        corrections.correct_content(user=demo_users["demo-joho"], report=report, seen_version=report.version - 1,
                                    changes=content(report), reason=REASON)
    assert snapshot(report) == before


# ─── The pages ────────────────────────────────────────────────────────────

def correct_form_data(client, report, **fields):
    formset = client.get(reverse("governance:report_correct", args=[report.pk])).context["formset"]
    data = {"seen_version": report.version, "report-implementation_status": "continuing",
            "report-progress": "behind", "report-direction": "continue", "report-work_done": "周知した",
            **{formset.management_form[k].html_name: v for k, v in formset.management_form.initial.items()}}
    for i, form in enumerate(formset.forms):
        data[f"results-{i}-id"] = form.instance.pk
        data[f"results-{i}-actual"] = "800"
    return {**data, **fields}


def test_the_ict_office_corrects_the_content_on_its_page_and_sees_it_in_the_report(client, shimin_report, demo_users):
    report = decided(shimin_report, demo_users)
    client.force_login(demo_users["demo-joho"])
    page = client.get(report.get_absolute_url()).text
    assert "内容を訂正する" in page and "検討会議の評価を訂正する" in page and "戦略本部の判断を訂正する" in page

    url = reverse("governance:report_correct", args=[report.pk])
    data = correct_form_data(client, report)
    before = snapshot(report)
    refused = client.post(url, data)  # no reason
    assert refused.status_code == 400 and snapshot(report) == before

    response = client.post(url, {**data, "correction-reason": REASON}, follow=True)
    assert "実績報告の内容を訂正しました" in response.text
    stored = AnnualReport.objects.get(pk=report.pk)
    assert (stored.state, stored.progress, stored.results.get().actual) == (ReportState.DECIDED, "behind", 800)
    assert "内容の訂正" in response.text and REASON in response.text and "判断済(変更なし)" in response.text


def test_evaluation_and_decision_are_corrected_from_the_report_page(client, shimin_report, demo_users):
    report = decided(shimin_report, demo_users)
    client.force_login(demo_users["demo-joho"])
    client.post(reverse("governance:report_correct_evaluation", args=[report.pk]), {
        "evaluation-evaluation": "C", "evaluation-comment": "見直しが必要", "evaluation-reason": "評価の転記誤り"})
    response = client.post(reverse("governance:report_correct_decision", args=[report.pk]), {
        "decision-decision": "improve", "decision-comment": "手順を見直す", "decision-reason": ""}, follow=True)
    assert "判断を訂正していません" in response.text  # no reason
    stored = AnnualReport.objects.get(pk=report.pk)
    assert (stored.evaluation, stored.evaluation_comment, stored.decision) == ("C", "見直しが必要", "continue")
    page = client.get(report.get_absolute_url()).text
    assert "評価の訂正" in page and "評価の転記誤り" in page


@pytest.mark.parametrize("username", OTHERS)
def test_the_correction_pages_refuse_everyone_but_the_ict_office(client, shimin_report, demo_users, username):
    report = decided(shimin_report, demo_users)
    before = snapshot(report)
    client.force_login(demo_users[username])
    assert "訂正する" not in client.get(report.get_absolute_url()).text
    assert client.get(reverse("governance:report_correct", args=[report.pk])).status_code == 403
    assert client.post(reverse("governance:report_correct", args=[report.pk]), {"correction-reason": REASON}
                       ).status_code == 403
    assert client.post(reverse("governance:report_correct_evaluation", args=[report.pk]), {
        "evaluation-evaluation": "A", "evaluation-reason": REASON}).status_code == 403
    assert client.post(reverse("governance:report_correct_decision", args=[report.pk]), {
        "decision-decision": "expand", "decision-reason": REASON}).status_code == 403
    assert snapshot(report) == before


@pytest.mark.parametrize("kind", ["content", "evaluation", "decision"])
def test_a_correction_changes_the_cached_pages_stamp_after_its_commit(
        shimin_report, demo_users, kind, django_capture_on_commit_callbacks):
    """The dashboard and the summary tables are cached under the data stamps (core.stamps):
    a corrected figure must show on the next request."""
    from core import stamps

    report = decided(shimin_report, demo_users)
    before = stamps.current("work")
    with django_capture_on_commit_callbacks(execute=True):
        correct(kind, demo_users["demo-joho"], report)
        assert stamps.current("work") == before  # not before the commit
    assert stamps.current("work") != before

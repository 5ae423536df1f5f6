"""Import of the section template: what changes, what is refused, and that a
refused file changes nothing."""

from governance.models import AnnualReport, IndicatorResult
from projects.history import sheet_history
from projects.models import ProjectSheet, ScheduleEntry
from exchange import services
from tests.exchange.conftest import KANKYO_CODE, SHIMIN_CODES, digest, edit_xlsx, template_bytes, upload_of

CODE = SHIMIN_CODES[0]


def client_of(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def run(data, user, plan, commit=True):
    return services.run_import(upload_of(data), user=user, plan=plan, commit=commit)


def test_round_trip_of_the_template_changes_nothing(demo_users, plan, cycle):
    user = demo_users["demo-staff-a"]
    before = digest()
    outcome = run(template_bytes(user, plan), user, plan)
    assert outcome.ok and outcome.changes == [] and outcome.unchanged > 0
    assert digest() == before


def test_changed_schedule_actual_is_saved_with_history(demo_users, plan, cycle):
    user = demo_users["demo-staff-a"]
    data = edit_xlsx(template_bytes(user, plan), "スケジュール",
                     {"事業コード": CODE, "年度": "平成28年度(2016年度)"}, {"実績": "コンビニ収納を開始"})
    preview = run(data, user, plan, commit=False)
    assert preview.ok and [c.changes for c in preview.changes] == [[("実績", "", "コンビニ収納を開始")]]
    assert not ScheduleEntry.objects.filter(actual="コンビニ収納を開始").exists()

    sheet = ProjectSheet.objects.get(project__code=CODE, project__plan=plan)
    applied = run(data, user, plan)
    assert applied.applied
    entry = ScheduleEntry.objects.get(sheet=sheet, fiscal_year=2016)
    assert entry.actual == "コンビニ収納を開始"
    newest = sheet_history(ProjectSheet.objects.get(pk=sheet.pk))[0]
    assert newest.user == user and newest.version == sheet.version + 1
    assert ("実績", "コンビニ収納を開始") in [(c.label, c.after) for c in newest.changes]
    # The sheet's 履歴 says the change came from a file, not the edit form.
    assert newest.reason == "Excel・CSV の取込み"
    page = client_of(user).get(sheet.get_absolute_url()).text
    assert "(Excel・CSV の取込み)" in page


def test_results_and_report_fields_are_saved_and_version_bumped_once(demo_users, plan, cycle):
    user = demo_users["demo-staff-a"]
    data = template_bytes(user, plan)
    key = {"事業コード": CODE}
    data = edit_xlsx(data, "実績報告", key, {"実施状況": "継続", "進捗度": "○ 計画どおり"})
    data = edit_xlsx(data, "指標の実績", key, {"実績値": 950})
    report = AnnualReport.objects.get(cycle=cycle, sheet__project__code=CODE)
    outcome = run(data, user, plan)
    assert outcome.applied, outcome.errors
    report.refresh_from_db()
    assert (report.implementation_status, report.progress, report.version) == ("continuing", "on_plan", 2)
    assert IndicatorResult.objects.get(report=report).actual == 950


def test_other_sections_row_is_refused_and_named(demo_users, plan, cycle):
    office = demo_users["demo-joho"]
    user = demo_users["demo-staff-a"]
    # 情報推進課's template of every section holds 環境課's project too.
    data = edit_xlsx(template_bytes(office, plan), "スケジュール",
                     {"事業コード": KANKYO_CODE, "年度": "平成28年度(2016年度)"}, {"予定": "書き換え"})
    before = digest()
    outcome = run(data, user, plan)
    assert not outcome.applied
    refused = [e for e in outcome.errors if KANKYO_CODE in e.message]
    assert refused and all(e.sheet for e in refused) and "他の課" in refused[0].message
    assert digest() == before


def test_stale_row_is_refused_with_the_reason(demo_users, plan, cycle):
    user = demo_users["demo-staff-a"]
    data = edit_xlsx(template_bytes(user, plan), "シート", {"事業コード": CODE}, {"実施根拠": "条例"})
    ProjectSheet.objects.filter(project__code=CODE, project__plan=plan).update(version=5)
    before = digest()
    outcome = run(data, user, plan)
    assert not outcome.applied
    assert [(e.sheet, e.row, "更新されています" in e.message) for e in outcome.errors] == [("シート", 2, True)]
    assert digest() == before


def test_invalid_cells_give_row_column_and_japanese_message(demo_users, plan, cycle):
    user = demo_users["demo-staff-a"]
    data = template_bytes(user, plan)
    data = edit_xlsx(data, "指標の実績", {"事業コード": CODE}, {"実績値": "たくさん"})
    data = edit_xlsx(data, "実績報告", {"事業コード": CODE}, {"進捗度": "まあまあ"})
    data = edit_xlsx(data, "スケジュール", {"事業コード": CODE, "年度": "平成32年度(2020年度)"}, {"実績": "済"})
    before = digest()
    outcome = run(data, user, plan)
    found = {(e.sheet, e.column) for e in outcome.errors}
    assert {("指標の実績", "実績値"), ("実績報告", "進捗度")} <= found
    assert all(e.row >= 2 and e.message for e in outcome.errors)
    assert digest() == before


def test_submitted_report_cannot_be_changed_by_import(demo_users, plan, cycle):
    user = demo_users["demo-staff-a"]
    data = edit_xlsx(template_bytes(user, plan), "実績報告", {"事業コード": CODE}, {"実施した内容": "追記"})
    AnnualReport.objects.filter(cycle=cycle, sheet__project__code=CODE).update(state="submitted")
    outcome = run(data, user, plan)
    assert not outcome.applied and "提出済" in outcome.errors[0].message


def test_an_applied_import_changes_the_data_stamps_and_a_preview_does_not(
        demo_users, plan, cycle, django_capture_on_commit_callbacks):
    """Imports write in bulk, without save() signals: the cached pages (dashboard,
    cycle board) must still see the change on the next request after the commit."""
    from core import stamps
    from projects.models import Indicator

    user = demo_users["demo-staff-a"]
    indicator = Indicator.objects.filter(sheet__project__code=CODE, sheet__project__plan=plan).first()
    flipped = "下向き(小さいほど良い)" if indicator.direction == "up" else "上向き(大きいほど良い)"
    data = edit_xlsx(template_bytes(user, plan), "指標",
                     {"事業コード": CODE, "指標番号": indicator.position}, {"改善の方向": flipped})
    before = stamps.current("work")

    with django_capture_on_commit_callbacks(execute=True):
        assert run(data, user, plan, commit=False).ok
    assert stamps.current("work") == before

    with django_capture_on_commit_callbacks(execute=True):
        assert run(data, user, plan).applied
    indicator.refresh_from_db()
    assert indicator.get_direction_display() == flipped
    assert stamps.current("work") != before

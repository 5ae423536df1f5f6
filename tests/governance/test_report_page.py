"""The report page as the department sees it after a return."""

from governance.cycles import services
from tests.governance.conftest import fill, report_form_data


def test_returned_report_shows_the_reason_at_the_top(client, demo_users, shimin_report):
    staff, joho = demo_users["demo-staff-a"], demo_users["demo-joho"]
    fill(shimin_report)
    services.submit_report(user=staff, report=shimin_report)
    services.return_report(user=joho, report=shimin_report, reason="実績値の根拠を記入してください")
    client.force_login(staff)
    text = client.get(shimin_report.get_absolute_url()).text
    notice = text.index("差し戻されています")
    assert text.index("実績値の根拠を記入してください") > notice
    assert notice < text.index("実績を入力する")  # before the buttons


def test_no_return_notice_once_resubmitted(client, demo_users, shimin_report):
    staff, joho = demo_users["demo-staff-a"], demo_users["demo-joho"]
    fill(shimin_report)
    services.submit_report(user=staff, report=shimin_report)
    services.return_report(user=joho, report=shimin_report, reason="理由")
    services.submit_report(user=staff, report=shimin_report)
    client.force_login(staff)
    assert "差し戻されています" not in client.get(shimin_report.get_absolute_url()).text


def test_a_move_the_users_role_may_not_make_is_a_403_in_the_audit_log(client, demo_users, shimin_report):
    """The 課 staff cannot confirm their own report (情報推進課 does): no button offers it,
    and a request made anyway is refused, changes nothing and is written to the 監査ログ."""
    from accounts.models import AuditEntry, AuditKind

    staff = demo_users["demo-staff-a"]
    fill(shimin_report)
    services.submit_report(user=staff, report=shimin_report)
    client.force_login(staff)
    response = client.post(f"/reports/{shimin_report.pk}/confirm/", {"comment": ""})
    assert response.status_code == 403
    assert "この操作は許可されていません" in response.text
    shimin_report.refresh_from_db()
    assert shimin_report.state == "submitted"
    entry = AuditEntry.objects.get(kind=AuditKind.PERMISSION_DENIED)
    assert entry.user == staff and entry.path == f"/reports/{shimin_report.pk}/confirm/"
    assert entry.detail.startswith("「確認」ができるのは情報推進課")


def test_a_move_the_reports_state_does_not_allow_stays_a_message(client, demo_users, shimin_report):
    """Not a permission matter (the page was opened before someone else moved the report)."""
    from accounts.models import AuditEntry, AuditKind

    fill(shimin_report)
    client.force_login(demo_users["demo-joho"])
    response = client.post(f"/reports/{shimin_report.pk}/confirm/", {"comment": ""}, follow=True)
    assert response.status_code == 200
    assert "はできません" in response.text
    assert not AuditEntry.objects.filter(kind=AuditKind.PERMISSION_DENIED).exists()


def test_a_report_saved_in_between_refuses_the_older_form_and_keeps_its_input(staff_client, shimin_report):
    """Two tabs (or two people): the form opened before another save is refused with a 409
    that says so, shows what was typed, and overwrites nothing."""
    from governance.models import AnnualReport

    url = f"/reports/{shimin_report.pk}/edit/"
    older = report_form_data(staff_client, shimin_report, **{"report-work_done": "古いタブの入力"})
    assert staff_client.post(url, report_form_data(staff_client, shimin_report,
                                                   **{"report-work_done": "先に保存した内容"})).status_code == 302
    response = staff_client.post(url, older)
    assert response.status_code == 409
    assert "あなたが開いた後に更新されました" in response.text and "古いタブの入力" in response.text
    assert AnnualReport.objects.get(pk=shimin_report.pk).work_done == "先に保存した内容"

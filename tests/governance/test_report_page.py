"""The report page as the department sees it after a return."""

from governance import services
from tests.governance.conftest import fill


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

"""A write lock held longer than the busy timeout: 503, the Japanese message, the
typed input on screen, nothing written. (A real lock, held by a second connection.)"""

import pytest
from django.urls import reverse

from accounts.models import AuditEntry, User, UserSession
from accounts.services import DEMO_PASSWORD
from projects.models import ProjectSheet
from tests.busy import write_lock_held
from tests.projects.conftest import edit_url, form_data

MSG_BUSY = "ただいま混み合っています。入力内容は残っています。しばらくしてからもう一度保存してください。"
MSG_BUSY_LOGIN = "ただいま混み合っています。しばらくしてからもう一度ログインしてください。"

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_while_the_database_is_locked_keeps_the_user_name(client, demo_users):
    before = (AuditEntry.objects.count(), UserSession.objects.count(),
              User.objects.get(username="demo-staff-a").last_login)
    with write_lock_held():
        response = client.post(reverse("login"), {"username": "demo-staff-a", "password": DEMO_PASSWORD})
    assert response.status_code == 503
    page = response.content.decode()
    assert MSG_BUSY_LOGIN in page and "保存してください" not in page  # signing in is not saving
    assert 'value="demo-staff-a"' in page and 'name="password"' in page
    assert f'value="{DEMO_PASSWORD}"' not in page  # a password is never sent back
    assert (AuditEntry.objects.count(), UserSession.objects.count(),
            User.objects.get(username="demo-staff-a").last_login) == before
    assert "_auth_user_id" not in client.session
    # The lock gone, the same input signs in.
    response = client.post(reverse("login"), {"username": "demo-staff-a", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"]


def test_a_failed_login_while_the_database_is_locked_records_nothing_and_keeps_the_name(client, demo_users):
    from axes.models import AccessAttempt

    before = (AuditEntry.objects.count(), AccessAttempt.objects.count())
    with write_lock_held():
        response = client.post(reverse("login"), {"username": "demo-staff-a", "password": "wrong"})
    assert response.status_code == 503
    assert MSG_BUSY_LOGIN in response.content.decode() and 'value="demo-staff-a"' in response.content.decode()
    assert (AuditEntry.objects.count(), AccessAttempt.objects.count()) == before


def test_a_sheet_save_while_the_database_is_locked_keeps_the_typed_text(client, demo_users):
    from accounts.models import Section

    sheet = ProjectSheet.objects.get(project__plan__code="second", project__code="1-2-1-02")
    sheet.section = Section.objects.get(code="shimin")
    sheet.save()
    client.force_login(demo_users["demo-staff-a"])
    typed = "窓口の予約をオンライン化する<テスト>"
    data = form_data(client, sheet, **{"sheet-activities": typed, "draft": "1"})
    version = ProjectSheet.objects.get(pk=sheet.pk).version
    with write_lock_held():
        response = client.post(edit_url(sheet), data)
    assert response.status_code == 503
    page = response.content.decode()
    assert MSG_BUSY in page
    assert "窓口の予約をオンライン化する&lt;テスト&gt;" in page  # on screen, escaped
    # ...in the sheet's own edit form, still editable, not a read-only copy.
    assert '<textarea name="sheet-activities"' in page and "もう一度保存する" not in page
    assert response["Retry-After"]
    sheet.refresh_from_db()
    assert sheet.version == version and sheet.activities != typed
    # The page posts the same input again: saved once the lock is gone.
    again = client.post(edit_url(sheet), data)
    assert again.status_code == 302
    sheet.refresh_from_db()
    assert sheet.activities == typed

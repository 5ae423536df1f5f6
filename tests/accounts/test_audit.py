"""監査ログ: refusals are recorded; 情報推進課 reads the log (filters, pages,
constant queries); nobody changes it through the application, superusers included."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import AuditEntry, AuditKind, User
from accounts.roles import Role
from tests.factories import UserFactory

URL = "/accounts/audit/"


@pytest.fixture
def office_client(client, demo_users):
    client.force_login(demo_users["demo-joho"])
    return client


def add_entries(count, kind=AuditKind.LOGIN_FAILED, username="someone"):
    AuditEntry.objects.bulk_create(
        AuditEntry(kind=kind, username=f"{username}{i}", ip_address="10.0.0.9") for i in range(count)
    )


def test_permission_refusal_is_recorded_with_the_user_and_path(staff_client, demo_users):
    response = staff_client.get("/cycles/open/")  # GET on a POST-only page is 405, not 403
    assert response.status_code == 405
    response = staff_client.get(URL)
    assert response.status_code == 403
    assert "この操作は許可されていません" in response.text
    entry = AuditEntry.objects.get(kind=AuditKind.PERMISSION_DENIED)
    assert entry.user == demo_users["demo-staff-a"]
    assert entry.path == URL


def test_ict_office_reads_the_log(office_client):
    add_entries(3)
    response = office_client.get(URL)
    assert response.status_code == 200
    assert "監査ログ" in response.text and "someone2" in response.text
    assert 'href="/accounts/audit/"' in response.text  # in the menu


def test_staff_see_no_link_to_the_log(staff_client):
    assert "/accounts/audit/" not in staff_client.get("/plans/").text


def test_filters_narrow_the_log(office_client):
    add_entries(2, kind=AuditKind.LOGIN, username="alpha")
    add_entries(2, kind=AuditKind.LOCKOUT, username="beta")
    html = office_client.get(URL, {"kind": AuditKind.LOCKOUT}).text
    assert "beta0" in html and "alpha0" not in html
    html = office_client.get(URL, {"username": "alpha1"}).text
    assert "alpha1" in html and "alpha0" not in html and "beta" not in html


def test_bad_filter_is_explained_and_nothing_is_hidden(office_client):
    add_entries(1)
    response = office_client.get(URL, {"date_from": "2025-04-02", "date_to": "2025-04-01"})
    assert response.status_code == 200
    assert "終わりの日は始めの日以降にしてください" in response.text


def test_log_pages_by_fifty_with_constant_queries(office_client, django_assert_max_num_queries,
                                                  django_assert_num_queries):
    add_entries(10)
    office_client.get(URL)  # warm up
    with django_assert_max_num_queries(10) as queries:
        assert office_client.get(URL).status_code == 200
    small = len(queries)
    add_entries(200)
    with django_assert_num_queries(small):
        assert office_client.get(URL).status_code == 200
    html = office_client.get(URL + "?page=2").text
    assert "2 / 5 ページ" in html


@pytest.mark.parametrize("who", ["superuser", "office"])
def test_nobody_can_add_change_or_delete_entries_in_the_admin(client, demo_users, who):
    if who == "superuser":
        user = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    else:
        user = demo_users["demo-joho"]
        user.is_staff = True
        user.save()
    client.force_login(user)
    add_entries(1)
    entry = AuditEntry.objects.get(username="someone0")
    base = "/admin/accounts/auditentry/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}add/", {"kind": "login", "username": "forged"}).status_code == 403
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"{base}{entry.pk}/change/", {"username": "changed"})
    client.post(base, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    entry.refresh_from_db()
    assert entry.username == "someone0"
    assert AuditEntry.objects.filter(username="forged").count() == 0


def test_only_the_ict_office_role_gets_the_view_permission(db):
    group = Group.objects.get(name=Role.ICT_OFFICE.value)
    assert group.permissions.filter(codename="view_auditentry").exists()
    for role in Role:
        if role != Role.ICT_OFFICE:
            assert not Group.objects.get(name=role.value).permissions.filter(
                content_type__app_label="accounts", codename__endswith="_auditentry"
            ).exists()


def test_password_rules_come_from_djangos_validators(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = UserFactory(username="akishima-taro")
    for weak in ["demo", "12345678", "password", "akishima-taro1"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("kawa-no-Nagare-2026", user)

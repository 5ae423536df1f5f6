"""Sign-in throttling (django-axes): lockout per user name and address, the
Japanese lockout page with the retry time, the cool-off, the user-name ceiling."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, AuditKind
from tests.factories import UserFactory

PASSWORD = "pass-for-tests"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


def sign_in(client, username, password, address="10.0.0.1", url=None):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, username, times, address="10.0.0.1", url=None):
    return [sign_in(client, username, "wrong", address, url) for _ in range(times)]


def signed_in(client):
    return "_auth_user_id" in client.session


def test_a_failure_below_the_limit_shows_the_usual_error_and_the_attempts_left(client, alice):
    responses = fail(client, "alice", LIMIT - 1)
    assert all(r.status_code == 200 for r in responses)
    assert "ユーザー名またはパスワードが違います" in responses[-1].text
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    for failures, response in enumerate(responses, start=1):
        assert f"あと {LIMIT - failures} 回続けて間違えると、{minutes} 分間" in response.text


def test_the_attempts_left_count_this_address_only(client, alice):
    fail(client, "alice", LIMIT - 2, address="10.0.0.1")
    response = fail(client, "alice", 1, address="10.0.0.2")[-1]
    assert f"あと {LIMIT - 1} 回続けて" in response.text


def test_an_empty_form_asks_for_each_field_in_japanese(client, db):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    assert "ユーザー名を入力してください。" in response.text
    assert "パスワードを入力してください。" in response.text
    assert "フィールド" not in response.text


def test_the_limit_th_failure_locks_the_name_at_that_address(client, alice):
    responses = fail(client, "alice", LIMIT)
    assert [r.status_code for r in responses[:-1]] == [200] * (LIMIT - 1)
    assert responses[-1].status_code == 429
    assert "以降に再度お試しください" in responses[-1].text
    # Even the right password is refused while locked out.
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_lockout_page_gives_the_retry_time_in_local_time(client, alice):
    before = timezone.localtime() + settings.AXES_COOLOFF_TIME
    fail(client, "alice", LIMIT - 1)
    response = fail(client, "alice", 1)[0]
    after = timezone.localtime() + settings.AXES_COOLOFF_TIME
    shown = {f"{t:%H}時{t:%M}分以降に再度お試しください" for t in (before, after)}
    assert any(text in response.text for text in shown), response.text
    assert '<html lang="ja">' in response.text


def test_retry_time_does_not_move_while_locked_out(client, alice):
    fail(client, "alice", LIMIT)
    last = AccessAttempt.objects.get(username="alice").attempt_time
    fail(client, "alice", 3)
    assert AccessAttempt.objects.get(username="alice").attempt_time == last


def test_another_user_behind_the_same_address_can_sign_in(client, alice, bob):
    fail(client, "alice", LIMIT)
    response = sign_in(client, "bob", PASSWORD, address="10.0.0.1")
    assert response.status_code == 302
    assert signed_in(client)


def test_the_same_user_from_another_address_can_sign_in(client, alice):
    fail(client, "alice", LIMIT, address="10.0.0.1")
    response = sign_in(client, "alice", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302


def test_lock_lifts_after_the_cool_off(client, alice):
    fail(client, "alice", LIMIT)
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    # Let the cool-off pass: the last failure is now older than it.
    AccessAttempt.objects.filter(username="alice").update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_success_resets_the_count_for_that_address(client, alice):
    fail(client, "alice", LIMIT - 1)
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    assert fail(client, "alice", LIMIT - 1)[-1].status_code == 200


@override_settings(LOGIN_USERNAME_FAILURE_LIMIT=LIMIT + 2)
def test_guessing_one_name_from_many_addresses_hits_the_ceiling(client, alice, bob):
    # LIMIT - 1 failures from each of two addresses: no single address is locked,
    # but together they pass the ceiling for the name.
    fail(client, "alice", LIMIT - 1, address="10.0.0.1")
    last = fail(client, "alice", LIMIT - 1, address="10.0.0.2")[-1]
    assert last.status_code == 429
    assert sign_in(client, "alice", PASSWORD, address="10.0.0.3").status_code == 429
    # Other people are not affected.
    assert sign_in(client, "bob", PASSWORD, address="10.0.0.1").status_code == 302


def test_admin_login_is_throttled_too(client, alice):
    url = reverse("admin:login")
    responses = fail(client, "alice", LIMIT, url=url)
    assert responses[-1].status_code == 429
    assert "以降に再度お試しください" in responses[-1].text
    # The lock counts across both login pages.
    assert sign_in(client, "alice", PASSWORD).status_code == 429


def test_authenticate_without_a_request_still_works(alice):
    """Commands and scripts call authenticate() without a request; throttling is
    about addresses, so it stands aside instead of raising."""
    assert authenticate(username="alice", password=PASSWORD) == alice
    assert authenticate(username="alice", password="wrong") is None


def test_session_key_changes_at_sign_in(client, alice):
    session = client.session
    session["before"] = "anonymous"
    session.save()
    old_key = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    from accounts.models import UserSession

    assert not UserSession.objects.filter(session_key=old_key).exists()
    assert UserSession.objects.get(session_key=new_key).user == alice


# ─── 監査ログ of sign-in events ─────────────────────────────────────────

def test_sign_in_events_are_written_to_the_audit_log(client, alice):
    fail(client, "alice", 1, address="10.0.0.7")
    sign_in(client, "alice", PASSWORD, address="10.0.0.7")
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.7")
    entries = list(AuditEntry.objects.order_by("pk").values_list("kind", "username", "ip_address"))
    assert entries == [
        (AuditKind.LOGIN_FAILED, "alice", "10.0.0.7"),
        (AuditKind.LOGIN, "alice", "10.0.0.7"),
        (AuditKind.LOGOUT, "alice", "10.0.0.7"),
    ]
    assert AuditEntry.objects.get(kind=AuditKind.LOGIN).user == alice
    # A failure on a real account names its owner, for 情報推進課 reading the log.
    assert AuditEntry.objects.get(kind=AuditKind.LOGIN_FAILED).user == alice


def test_a_lockout_of_a_real_account_names_its_owner(client, alice):
    fail(client, "alice", LIMIT)
    assert AuditEntry.objects.get(kind=AuditKind.LOCKOUT).user == alice


def test_failed_sign_in_records_the_name_tried_and_never_the_password(client, db):
    client.post(reverse("login"), {"username": "nobody-here", "password": "S3cret-Guess!"})
    entry = AuditEntry.objects.get()
    assert (entry.kind, entry.username, entry.user) == (AuditKind.LOGIN_FAILED, "nobody-here", None)
    row = AuditEntry.objects.filter(pk=entry.pk).values().get()
    assert not any("S3cret-Guess!" in str(value) for value in row.values())


def test_lockout_is_written_once_and_refusals_while_locked_are_marked(client, alice):
    fail(client, "alice", LIMIT + 2)
    kinds = list(AuditEntry.objects.order_by("pk").values_list("kind", "detail"))
    assert [k for k, _ in kinds].count(AuditKind.LOGIN_FAILED) == LIMIT
    lockouts = [d for k, d in kinds if k == AuditKind.LOCKOUT]
    assert lockouts == ["失敗が続いたためロックしました"] + ["ロック中のログインを拒否しました"] * 2


# Behind the TLS proxy (BEHIND_TLS_PROXY): every request comes from the proxy's address and
# the client's is the X-Forwarded-For entry the proxy appended (deploy/nginx-akishima-ict.conf).

def via_proxy(client, username, password, forwarded):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)


@override_settings(BEHIND_TLS_PROXY=True)
def test_behind_the_proxy_failures_count_by_the_clients_address(client, alice):
    responses = [via_proxy(client, "alice", "wrong", "192.168.10.21") for _ in range(LIMIT)]
    assert "あと 1 回続けて" in responses[-2].text  # the count of this address is known
    assert responses[-1].status_code == 429
    assert via_proxy(client, "alice", PASSWORD, "192.168.10.21").status_code == 429
    # Alice at another desk, behind the same proxy, is not locked out.
    assert via_proxy(client, "alice", PASSWORD, "192.168.10.22").status_code == 302
    addresses = set(AuditEntry.objects.filter(kind=AuditKind.LOGIN_FAILED).values_list("ip_address", flat=True))
    assert addresses == {"192.168.10.21"}


@override_settings(BEHIND_TLS_PROXY=True)
def test_behind_the_proxy_failures_from_many_desks_do_not_lock_the_user_everywhere(client, alice):
    for desk in range(LIMIT):
        via_proxy(client, "alice", "wrong", f"192.168.10.{30 + desk}")
    assert via_proxy(client, "alice", PASSWORD, "192.168.10.99").status_code == 302


@override_settings(BEHIND_TLS_PROXY=True)
def test_behind_the_proxy_an_address_the_client_wrote_itself_is_ignored(client, alice):
    """A client may send its own X-Forwarded-For; the proxy appends the real address
    ($proxy_add_x_forwarded_for), and only that right-most entry counts."""
    for forged in range(LIMIT):
        via_proxy(client, "alice", "wrong", f"10.9.9.{forged}, 192.168.10.40")
    assert via_proxy(client, "alice", PASSWORD, "10.9.9.77, 192.168.10.40").status_code == 429


def test_without_the_proxy_a_forwarded_header_is_not_believed(client, alice):
    for forged in range(LIMIT):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"},
                    REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.168.10.{forged}")
    assert sign_in(client, "alice", PASSWORD, address="10.0.0.1").status_code == 429

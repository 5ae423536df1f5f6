"""Sessions: the idle timeout ends them, deactivating a user ends them, the
keep-alive renews them; the warning script is served and wired into the page."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, AuditKind, UserSession
from tests.factories import UserFactory

PAGE = "/plans/"


@pytest.fixture
def user(seed):
    return UserFactory(username="carol")


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


def redirected_to_login(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def stored_end(user):
    return UserSession.objects.get(user=user).expire_date


def test_a_request_pushes_the_expiry_back_by_the_idle_timeout(user_client, user):
    UserSession.objects.filter(user=user).update(expire_date=timezone.now() + timedelta(seconds=60))
    assert user_client.get(PAGE).status_code == 200
    assert stored_end(user) > timezone.now() + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 5)
    cookie = user_client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_IDLE_TIMEOUT


def test_a_session_written_less_than_a_minute_ago_is_not_written_again(user_client, user):
    recent = timezone.now() + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 30)
    UserSession.objects.filter(user=user).update(expire_date=recent)
    with CaptureQueriesContext(connection) as queries:
        assert user_client.get(PAGE).status_code == 200
    assert not [q for q in queries if "accounts_usersession" in q["sql"] and not q["sql"].startswith("SELECT")]
    assert stored_end(user) == recent
    assert settings.SESSION_COOKIE_NAME not in user_client.get(PAGE).cookies


def test_a_session_written_more_than_a_minute_ago_is_renewed(user_client, user):
    older = timezone.now() + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - settings.SESSION_RENEW_AFTER - 5)
    UserSession.objects.filter(user=user).update(expire_date=older)
    assert user_client.get(PAGE).status_code == 200
    assert stored_end(user) > timezone.now() + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 5)


def test_the_page_tells_the_script_when_the_session_really_ends(user_client, user):
    left = settings.SESSION_IDLE_TIMEOUT - 30
    UserSession.objects.filter(user=user).update(expire_date=timezone.now() + timedelta(seconds=left))
    shown = int(re.search(r'data-left="(\d+)"', user_client.get(PAGE).text)[1])
    assert left - 5 <= shown <= left
    # Once renewed, a full timeout.
    UserSession.objects.filter(user=user).update(expire_date=timezone.now() + timedelta(seconds=60))
    shown = int(re.search(r'data-left="(\d+)"', user_client.get(PAGE).text)[1])
    assert shown == settings.SESSION_IDLE_TIMEOUT


def test_idle_timeout_ends_the_session(user_client, user):
    assert user_client.get(PAGE).status_code == 200
    # The idle time has passed since the last request.
    UserSession.objects.filter(user=user).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert redirected_to_login(user_client.get(PAGE))


def test_idle_timeout_defaults_to_thirty_minutes():
    assert settings.SESSION_IDLE_TIMEOUT == 1800 == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_RENEW_AFTER == 60 and not settings.SESSION_SAVE_EVERY_REQUEST


def test_deactivating_a_user_deletes_their_sessions(client, user, seed):
    from django.test import Client

    other = Client()
    client.force_login(user)
    other.force_login(user)
    bystander = UserFactory(username="dave")
    Client().force_login(bystander)
    assert UserSession.objects.filter(user=user).count() == 2

    user.is_active = False
    user.save()

    assert not UserSession.objects.filter(user=user).exists()
    assert UserSession.objects.filter(user=bystander).count() == 1
    assert redirected_to_login(client.get(PAGE))
    assert redirected_to_login(other.get(PAGE))
    entry = AuditEntry.objects.get(kind=AuditKind.SESSIONS_ENDED)
    assert entry.user == user and "2 件" in entry.detail


def test_a_user_deactivated_behind_the_signals_back_is_signed_out_on_the_next_request(user_client, user):
    """queryset.update() sends no signal: the session row stays, but Django's
    authentication refuses an inactive user on the next request."""
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert UserSession.objects.filter(user=user).exists()
    assert redirected_to_login(user_client.get(PAGE))


def test_logout_deletes_the_session(user_client, user):
    assert user_client.post(reverse("logout")).status_code == 302
    assert not UserSession.objects.filter(user=user).exists()


def test_keepalive_answers_a_signed_in_post_and_renews(user_client, user):
    UserSession.objects.filter(user=user).update(expire_date=timezone.now() + timedelta(seconds=60))
    response = user_client.post(reverse("accounts:session_keepalive"))
    assert response.status_code == 204
    assert stored_end(user) > timezone.now() + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 5)


def test_keepalive_renews_even_a_session_written_a_moment_ago(user_client, user):
    """「ログインを続ける」 gives a full timeout from now, as the script then counts."""
    recent = timezone.now() + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 30)
    UserSession.objects.filter(user=user).update(expire_date=recent)
    assert user_client.post(reverse("accounts:session_keepalive")).status_code == 204
    assert stored_end(user) > recent + timedelta(seconds=25)


def test_keepalive_refuses_get_and_anonymous(client, user):
    url = reverse("accounts:session_keepalive")
    assert redirected_to_login(client.post(url))
    client.force_login(user)
    assert client.get(url).status_code == 405


def test_pages_load_the_warning_script_with_its_settings(user_client):
    html = user_client.get(PAGE).text
    assert '<script src="/static/js/session-timeout.js" defer></script>' in html
    assert f'data-timeout="{settings.SESSION_IDLE_TIMEOUT}"' in html
    assert f'data-keepalive-url="{reverse("accounts:session_keepalive")}"' in html


def test_warning_script_is_served_and_uses_no_inline_code(client, db):
    response = client.get("/static/js/session-timeout.js")
    assert response.status_code == 200
    script = b"".join(response.streaming_content).decode()
    assert 'setAttribute("role", "alert")' in script
    assert "X-CSRFToken" in script and "reason=idle" in script
    assert "eval(" not in script and "innerHTML" not in script


def test_login_page_explains_an_idle_sign_out(client, db):
    html = client.get(reverse("login") + "?next=/plans/&reason=idle").text
    assert "30分間操作がなかったため、ログアウトしました" in html
    assert "操作がなかったため" not in client.get(reverse("login")).text


def test_logout_by_get_asks_with_the_same_button(user_client, user):
    response = user_client.get(reverse("logout"))
    assert response.status_code == 200
    assert f'<form method="post" action="{reverse("logout")}">' in response.text
    assert UserSession.objects.filter(user=user).exists()  # a GET signs nobody out


def test_the_login_page_says_the_logout_is_done(user_client, user):
    response = user_client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "ログアウトしました。" in response.text
    assert not UserSession.objects.filter(user=user).exists()


def test_logging_in_again_after_a_logout_address_lands_on_the_question(client, user):
    """Someone who typed /accounts/logout/ while signed out, then signs in, is asked."""
    response = client.get(reverse("logout"))
    assert redirected_to_login(response)
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 200

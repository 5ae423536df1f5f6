"""The idle-timeout warning in a real browser, under the real Content-Security-Policy:
it appears before the end, 「ログインを続ける」 renews the session, and at the end the
person is taken to the login page with the reason.

No real waiting: the page runs on Playwright's clock (installed before the first page
opens, then moved on with run_for, which fires the script's timers on the way), and
the server's side of the same minutes is set in the session's stored end, so the
outcome does not depend on how busy the machine is.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import UserSession

TIMEOUT = 30 * 60
WARNING = 5 * 60


@pytest.fixture(autouse=True)
def idle_settings(settings):
    """The production timeout, whatever the environment says."""
    settings.SESSION_IDLE_TIMEOUT = settings.SESSION_COOKIE_AGE = TIMEOUT
    settings.SESSION_IDLE_WARNING = WARNING


def server_session_ends_in(seconds):
    """As if the server had last written the session TIMEOUT - seconds ago."""
    UserSession.objects.update(expire_date=timezone.now() + timedelta(seconds=seconds))


def script_started(page):
    """Wait until the page's timeout script has run (it adds its hidden box): moving the
    clock before that would move it under a script that has not started counting."""
    expect(page.locator(".session-warning")).to_be_attached()


def server_status(page, url):
    """What the server answers this browser (its cookies), without following redirects."""
    return page.request.get(url, max_redirects=0).status


def test_warning_appears_and_staying_signed_in_works(login, page):
    blocked = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    page.clock.install()
    login()
    expect(page).to_have_url(re.compile(r"/plans/"))
    script_started(page)
    warning = page.get_by_role("alert").filter(has_text="自動的にログアウトします")

    page.clock.run_for("24:50")
    expect(warning).to_be_hidden()
    page.clock.run_for("00:15")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("あと約5分")

    server_session_ends_in(WARNING - 5)
    page.get_by_role("button", name="ログインを続ける").click()
    expect(warning).to_be_hidden()
    # The server pushed its end back a full timeout from now ...
    [stored_end] = UserSession.objects.values_list("expire_date", flat=True)
    assert stored_end > timezone.now() + timedelta(seconds=TIMEOUT - 60)
    # ... and the page counts from the renewal: 45 minutes after the first request
    # the person is still signed in, and warned again only 25 minutes after the click.
    page.clock.run_for("20:00")
    expect(warning).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/plans/"))
    assert server_status(page, "/plans/") == 200
    assert blocked == []


def test_at_the_end_the_login_page_says_why(login, page):
    page.clock.install()
    login()
    expect(page).to_have_url(re.compile(r"/plans/"))
    script_started(page)

    server_session_ends_in(-1)
    page.clock.run_for("30:05")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fplans%2F&reason=idle"))
    expect(page.get_by_role("status")).to_contain_text("操作がなかったため、ログアウトしました")
    assert server_status(page, "/plans/") == 302  # the server has ended the session too


def test_typed_input_is_kept_on_the_page_at_the_end(login, page):
    page.clock.install()
    login("demo-joho", next_url="/accounts/audit/")
    # The login page has a ユーザー名 too: type only once the audit page is open.
    expect(page).to_have_url(re.compile(r"/accounts/audit/"))
    script_started(page)
    page.get_by_label("ユーザー名").fill("demo-staff")

    server_session_ends_in(-1)
    page.clock.run_for("30:05")
    message = page.get_by_role("alert").filter(has_text="ログアウトしました")
    expect(message).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/audit/"))
    expect(page.get_by_label("ユーザー名")).to_have_value("demo-staff")
    expect(message.get_by_role("link", name="ログイン画面へ")).to_be_visible()
    assert server_status(page, "/accounts/audit/") == 302


def test_the_warning_counts_from_the_sessions_real_end(login, page, settings):
    """A request writes the session at most once a minute, so a page may open with less
    than a full timeout left: the script warns and ends by the session's stored end."""
    settings.SESSION_RENEW_AFTER = 3600  # the reload below does not renew the session
    page.clock.install()
    login()
    expect(page).to_have_url(re.compile(r"/plans/"))
    script_started(page)  # it stores its time in localStorage: clear that after it
    # As if the session had last been written 28 minutes ago: its stored end is near,
    # and no earlier page of this browser remembers a later request.
    server_session_ends_in(120)
    page.evaluate("window.localStorage.clear()")
    page.reload()
    script_started(page)
    # A full 30 minutes would show nothing yet; 2 minutes left is within the warning.
    warning = page.get_by_role("alert").filter(has_text="自動的にログアウトします")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("あと約2分")

    server_session_ends_in(-1)
    page.clock.run_for("02:05")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fplans%2F&reason=idle"))
    assert server_status(page, "/plans/") == 302

"""The idle-timeout warning in a real browser, under the real Content-Security-Policy:
it appears before the end, 「ログインを続ける」 renews the session, and at the end the
person is taken to the login page with the reason."""

import re

from playwright.sync_api import expect


def test_warning_appears_and_staying_signed_in_works(login, page, settings):
    # A short timeout for the script (the server's expiry stays as configured).
    settings.SESSION_IDLE_TIMEOUT = 12
    settings.SESSION_IDLE_WARNING = 6
    blocked = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    login()
    expect(page).to_have_url(re.compile(r"/plans/"))

    warning = page.get_by_role("alert").filter(has_text="自動的にログアウトします")
    expect(warning).to_be_visible(timeout=15_000)
    page.get_by_role("button", name="ログインを続ける").click()
    expect(warning).to_be_hidden()
    assert blocked == []


def test_at_the_end_the_login_page_says_why(login, page, settings):
    settings.SESSION_IDLE_TIMEOUT = 8
    settings.SESSION_IDLE_WARNING = 4
    login()
    expect(page).to_have_url(re.compile(r"/plans/"))
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fplans%2F&reason=idle"), timeout=20_000)
    expect(page.get_by_role("status")).to_contain_text("操作がなかったため、ログアウトしました")


def test_typed_input_is_kept_on_the_page_at_the_end(login, page, settings):
    settings.SESSION_IDLE_TIMEOUT = 8
    settings.SESSION_IDLE_WARNING = 4
    login("demo-joho", next_url="/accounts/audit/")
    # The login page has a ユーザー名 too: type only once the audit page is open.
    expect(page).to_have_url(re.compile(r"/accounts/audit/"))
    page.get_by_label("ユーザー名").fill("demo-staff")
    message = page.get_by_role("alert").filter(has_text="ログアウトしました")
    expect(message).to_be_visible(timeout=20_000)
    expect(page).to_have_url(re.compile(r"/accounts/audit/"))
    expect(page.get_by_label("ユーザー名")).to_have_value("demo-staff")
    expect(message.get_by_role("link", name="ログイン画面へ")).to_be_visible()


def test_the_warning_counts_from_the_sessions_real_end(login, page, settings):
    """A request writes the session at most once a minute, so a page may open with less
    than a full timeout left: the script warns and ends by the session's stored end."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import UserSession

    settings.SESSION_RENEW_AFTER = 3600  # the reload below does not renew the session
    login()
    expect(page).to_have_url(re.compile(r"/plans/"))
    # As if the session had last been written almost 30 minutes ago: its stored end is
    # near, and no earlier page of this browser remembers a later request.
    UserSession.objects.update(expire_date=timezone.now() + timedelta(seconds=8))
    page.evaluate("window.localStorage.clear()")
    page.reload()
    # A full 30 minutes would show nothing yet; 8 seconds left is within the warning.
    expect(page.get_by_role("alert").filter(has_text="自動的にログアウトします")).to_be_visible(timeout=5_000)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fplans%2F&reason=idle"), timeout=20_000)

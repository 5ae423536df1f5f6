"""Every page needs a signed-in user, except the login page and static files."""

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Sample values for each URL converter, so that every pattern can be requested.
SAMPLES = {"plan": "second", "number": "1", "path": "1-1-1", "code": "1-1-1-01"}
PUBLIC = {"login", "admin:login"}


def _walk(resolvers, prefix="", namespace=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, prefix + str(entry.pattern)


def _concrete(route):
    """Turn a route or regex into a URL with sample values."""
    import re

    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLES.get(m.group(1), "1"), route)
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLES.get(m.group(1), "1"), url)
    url = url.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + url


def all_urls():
    urls = {(name, _concrete(route)) for name, route in _walk(get_resolver().url_patterns)}
    return sorted((item for item in urls if item[0] not in PUBLIC), key=lambda item: item[1])


@pytest.mark.parametrize(("name", "url"), all_urls(), ids=lambda value: str(value))
def test_anonymous_visitor_is_sent_to_login(client, seed, name, url):
    response = client.get(url)
    assert response.status_code == 302, f"{url} answered {response.status_code}"
    target = urlparse(response["Location"]).path
    assert target in (reverse(settings.LOGIN_URL), reverse("admin:login")), target


def test_login_page_is_public_and_japanese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "ログイン" in response.text
    assert '<html lang="ja">' in response.text


def test_static_files_need_no_login(client, db):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert b"--app-primary" in b"".join(response.streaming_content)


def test_deploy_checks_are_clean_with_production_settings(monkeypatch):
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "production-like-0123456789abcdefghijklmnopqrstuvwxyz-XYZ",
        "ALLOWED_HOSTS": "ict.city.akishima.example",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "akishima_ict.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "akishima_ict.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_migrations_match_the_models(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_error_pages_are_japanese_and_show_no_internals(client, demo_users):
    client.force_login(demo_users["demo-staff-a"])
    response = client.get("/plans/second/projects/9-9-9-99/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.text
    assert '<html lang="ja">' in response.text
    assert "Traceback" not in response.text


def test_server_error_page_is_japanese(client):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "エラーが発生しました" in html and '<html lang="ja">' in html


def test_csrf_failure_is_explained_in_japanese(demo_users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_users["demo-staff-a"])
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "送信を受け付けられませんでした" in response.text

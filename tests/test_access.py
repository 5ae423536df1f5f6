"""Every page needs a signed-in user, except the login page and static files; no
GET changes anything; every change is a POST with a CSRF token; a POST from
someone without the right is refused and changes nothing. The walks go over the
URL resolver, so new URL patterns are covered without editing this file."""

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import get_resolver, reverse

from tests.conftest import PUBLIC, SAMPLES, all_urls, concrete_url, walk_patterns
from plans.prose import GENERATED


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


def run_with_production_settings(*args, env):
    """`manage.py <args>` in a process of its own with the real settings and only `env`
    (no developer's `.env`)."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "akishima_ict.settings", "ENV_FILE": "",
             **env},
        capture_output=True,
        text=True,
        check=False,
    )


def assert_deploy_checks_clean(env):
    """`manage.py check --deploy --fail-level WARNING` in a process of its own with `env`."""
    result = run_with_production_settings("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_checks_are_clean_with_production_settings():
    assert_deploy_checks_clean({
        "SECRET_KEY": "production-like-0123456789abcdefghijklmnopqrstuvwxyz-XYZ",
        "ALLOWED_HOSTS": "ict.city.akishima.example",
        "DEBUG": "false",
    })


def test_the_production_template_passes_the_deploy_checks_where_the_readme_installs_the_app():
    """.env.example as the README's production guide uses it: the app cloned into
    /srv/akishima-ict (here: this folder), a real secret key. STATIC_ROOT must not be the
    app's own static/ (staticfiles.E002 would stop migrate and collectstatic)."""
    env = {}
    for line in (settings.BASE_DIR / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split("=", 1)
            env[name] = value.replace("/srv/akishima-ict", str(settings.BASE_DIR))
    assert env["DEBUG"] == "false" and env["BEHIND_TLS_PROXY"] == "true"
    env["SECRET_KEY"] = "production-like-0123456789abcdefghijklmnopqrstuvwxyz-XYZ"  # as the file says
    assert_deploy_checks_clean(env)


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_with_production_settings("check", env={"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("key", [
    "change-me",  # .env.example's
    "django-insecure-development-only-key",  # the development default
    "django-insecure-" + "x" * 50,
    "a-random-but-short-key-0123456789",  # 33 characters
    "ab" * 30,  # long, but two characters
])
def test_production_settings_refuse_a_placeholder_or_short_secret_key(key):
    result = run_with_production_settings("check", env={"DEBUG": "false", "SECRET_KEY": key})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY が設定されていないか、設定例のままか、短すぎます" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr


def test_development_settings_accept_the_development_key():
    result = run_with_production_settings("check", env={"DEBUG": "true"})
    assert result.returncode == 0, result.stderr


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


# ─── The walks: no change on GET, no change without the right ─────────────

import hashlib  # noqa: E402
import re  # noqa: E402

from django.apps import apps  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

# Bookkeeping that any request may write: the session (renewed for the idle
# timeout), the 監査ログ (which records refusals) and the sign-in throttle.
BOOKKEEPING_TABLES = re.compile(r"^(accounts_usersession|django_session|accounts_auditentry|axes_\w+)$")
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.I)
# POSTs that every signed-in user may make, by design.
OPEN_TO_EVERY_SIGNED_IN_USER = {"logout", "admin:logout", "accounts:session_keepalive",
                                # one's own follows, mail preference and notifications (tests/follows)
                                "follows:follow", "follows:unfollow", "follows:follow_settings",
                                "follows:notification_read_all",
                                # one's own API tokens (publication.api; a token reads only what
                                # its owner reads on these pages)
                                "api:token_create"}
CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
# The seconds the session has left, which tick between two requests.
SESSION_LEFT = re.compile(rb'data-left="\d+"')
# Messages left by the previous request (and the title's 「エラー:」 that they add).
MESSAGES = re.compile(rb'<div role="status">\s*<ul class="messages">.*?</ul>\s*</div>|<title>.*?</title>', re.S)


def data_digest():
    """A hash of every row of every table except the bookkeeping ones."""
    digest = hashlib.sha256()
    for model in apps.get_models(include_auto_created=True):
        if BOOKKEEPING_TABLES.match(model._meta.db_table):
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        digest.update(repr((model._meta.db_table, rows)).encode())
    return digest.hexdigest()


def writes(queries):
    """The application tables that the captured SQL wrote to."""
    tables = {m.group(1) for q in queries if (m := WRITE.match(q["sql"]))}
    return {t for t in tables if not BOOKKEEPING_TABLES.match(t)}


@pytest.fixture
def walk(demo_users, settings, tmp_path):
    """Data for every kind of page (the demo cycle with reports, meetings and a
    finished PDF) and a sample URL for every URL pattern, filled with real objects
    where the pattern's name says what its number is."""
    from django.core.files.base import ContentFile

    from demo.data import create_demo_cycle
    from governance.models import BookJob, BookKind, BookStatus
    from projects.models import ProjectSheet

    settings.MEDIA_ROOT = tmp_path
    cycle = create_demo_cycle()
    report = cycle.reports.exclude(section__code="kankyo").order_by("pk").first()
    meeting = cycle.meetings.order_by("pk").first()
    job = BookJob.objects.create(kind=BookKind.PLAN, title="計画書", status=BookStatus.DONE,
                                 requested_by=demo_users["demo-joho"])
    job.file.save("plan.pdf", ContentFile(b"%PDF-1.7 test"))
    sheet = ProjectSheet.objects.get(project__plan__code="second", project__code=SAMPLES["code"])
    by_prefix = {"cycle": cycle.pk, "meeting": meeting.pk, "report": report.pk, "book": job.pk}
    values = {
        **SAMPLES, "report_pk": meeting.items.order_by("pk").first().report_id,
        "history_id": sheet.history.latest().history_id, "app_label": "accounts",
    }
    admin_models = {
        f"admin:{m._meta.app_label}_{m._meta.model_name}_": m for m in admin.site._registry
    }

    def sample(name, route):
        local = dict(values)
        short = (name or "").split(":")[-1]
        if (name or "").startswith("admin:"):
            model = next((m for prefix, m in admin_models.items() if name.startswith(prefix)), None)
            first = model._base_manager.order_by("pk").first() if model else None
            local["object_id"] = str(first.pk) if first else "1"
        elif short.split("_")[0] in by_prefix:
            local["pk"] = str(by_prefix[short.split("_")[0]])
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(local.get(m.group(1), "1")), route)
        url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(local.get(m.group(1), "1")), url)
        return "/" + url.replace("^", "").replace("$", "").replace("\\", "")

    return sorted({(name, sample(name, route)) for name, route in walk_patterns(get_resolver().url_patterns)},
                  key=lambda item: item[1])


def request_each(client, method, urls):
    """Send one request per URL; return [(name, url, status, tables written)]."""
    from django.db import reset_queries

    results = []
    for name, url in urls:
        # The query log holds 9,000 entries: once full, a capture would see nothing.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(url)
        results.append((name, url, response, writes(captured.captured_queries)))
    return results


def refused(response):
    """403, 404, 405, or sent to a login page."""
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code == 302:
        target = urlparse(response["Location"]).path
        return target in (reverse(settings.LOGIN_URL), reverse("admin:login"))
    return False


def refused_with_a_message(response):
    """Sent back with a Japanese error message (the workflow's way to say no)."""
    from django.contrib.messages import constants, get_messages

    return response.status_code == 302 and any(
        m.level == constants.ERROR for m in get_messages(response.wsgi_request)
    )


def ignored_post(client, url, response):
    """A read-only page that answers POST as it answers GET: nothing was processed.
    (A form view that validated the POST of someone without the right would show
    errors here instead, and differ.)"""
    if response.status_code not in (200, 302):
        return False
    again = client.get(url)
    if again.status_code != response.status_code:
        return False
    if response.status_code == 302:
        return again["Location"] == response["Location"]
    if again["Content-Type"] != response["Content-Type"]:
        return False
    if "text/html" not in response["Content-Type"]:
        return True
    def page(r):  # without the token and the messages left by the previous request
        return re.sub(rb"\s+", b" ", MESSAGES.sub(b"", SESSION_LEFT.sub(b"", CSRF_TOKEN.sub(b"", r.content))))

    return page(again) == page(response)


def test_anonymous_post_to_every_url_is_refused_and_changes_nothing(client, walk):
    before = data_digest()
    results = request_each(client, "post", [(n, u) for n, u in walk if n not in PUBLIC])
    assert [(u, r.status_code) for _, u, r, _ in results if not refused(r)] == []
    assert [(u, w) for _, u, _, w in results if w] == []
    assert data_digest() == before


# Template syntax left as text; the plan book's own markup ({{施策体系図}} …, plans.prose) is not.
_BOOK_PARTS = "|".join(re.escape(name) for name in GENERATED)
TEMPLATE_SYNTAX = re.compile(rf"\{{[#%]|[#%]\}}|\{{\{{(?!(?:{_BOOK_PARTS})\}}\}})")

ROLE_USERS = {
    "事業担当職員": "demo-staff-a",
    "情報推進課": "demo-joho",
    "情報化推進検討会議": "demo-kikaku",
    "情報化戦略本部": "demo-bucho",
    "CIO補佐官": "demo-advisor",
    "閲覧者": "demo-exec",
}


def test_get_to_every_url_as_each_role_changes_nothing(walk, demo_users):
    """One walk per role (and a superuser for the admin), all in one test so that
    the demo cycle is built once."""
    from accounts.models import User

    users = {role: demo_users[username] for role, username in ROLE_USERS.items()}
    users["管理者(superuser)"] = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    for role, user in users.items():
        assert user.is_superuser or user.groups.filter(name=role).exists()
        client = Client(raise_request_exception=False)
        client.force_login(user)
        before = data_digest()
        results = request_each(client, "get", walk)
        assert [(u, w) for _, u, _, w in results if w] == [], f"a GET as {role} wrote to the database"
        assert [u for _, u, r, _ in results if r.status_code >= 500] == [], role
        assert data_digest() == before, role
        # No page shows template syntax as text (a comment or tag the engine did not take).
        assert [(u, m.group()) for _, u, r, _ in results
                if r.status_code == 200 and "text/html" in r["Content-Type"]
                for m in [TEMPLATE_SYNTAX.search(r.content.decode())] if m] == [], role
        # The walk reached real pages, not only refusals.
        assert sum(r.status_code == 200 for _, _, r, _ in results) > 15, role


@pytest.fixture
def no_rights_users(demo_users):
    """Signed-in people who may change nothing through these URLs: a 閲覧者 only,
    the CIO補佐官, and department staff of another section than the samples'."""
    from django.contrib.auth.models import Group

    from accounts.models import Position
    from tests.factories import UserFactory

    viewer = UserFactory(username="viewer-only", section=None, department=None, position=Position.ADVISOR)
    viewer.groups.add(Group.objects.get(name="閲覧者"))
    return {"閲覧者のみ": viewer, "CIO補佐官": demo_users["demo-advisor"],
            "他の課の事業担当職員": demo_users["demo-staff-b"]}


def test_post_without_the_right_is_refused_and_changes_nothing(walk, no_rights_users):
    targets = [(n, u) for n, u in walk if n not in PUBLIC | OPEN_TO_EVERY_SIGNED_IN_USER]
    for who, user in no_rights_users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        before = data_digest()
        results = request_each(client, "post", targets)
        # Staff of another section have rights of their own (their section's sheets,
        # uploads): for them, the pages of another section's objects must refuse.
        strict = [
            (u, r) for n, u, r, _ in results
            if who != "他の課の事業担当職員" or reverse_kwargs(n, u)
        ]
        accepted = [
            (u, r.status_code) for u, r in strict
            if not (refused(r) or refused_with_a_message(r) or ignored_post(client, u, r))
        ]
        assert accepted == [], who
        assert [(u, w) for _, u, _, w in results if w] == [], who
        assert data_digest() == before, who
        assert client.get("/plans/").status_code == 200, f"{who} was signed out during the walk"


def reverse_kwargs(name, url):
    """The URL's arguments (an object's number or code), from the resolver."""
    match = get_resolver().resolve(url)
    return {**match.kwargs, **dict(enumerate(match.args))}


def test_every_post_needs_a_csrf_token(walk, demo_users):
    """Even 情報推進課, with every right, changes nothing without the token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_users["demo-joho"])
    before = data_digest()
    results = request_each(client, "post", walk)
    assert [(u, r.status_code) for _, u, r, _ in results if r.status_code != 403] == []
    assert all("送信を受け付けられませんでした" in r.text for _, _, r, _ in results)
    assert [(u, w) for _, u, _, w in results if w] == []
    assert data_digest() == before


def test_no_view_is_exempt_from_csrf():
    exempt = [
        name for name, route in walk_patterns(get_resolver().url_patterns)
        if getattr(get_resolver().resolve(concrete_url(route)).func, "csrf_exempt", False)
    ]
    assert exempt == []


def test_the_write_detector_sees_writes(client, demo_users):
    """The walks above would pass vacuously if `writes` missed writes: check it on a
    request that does write (a book order)."""
    client.force_login(demo_users["demo-joho"])
    [(_, _, response, tables)] = request_each(client, "post", [("x", "/books/order/?")])
    assert response.status_code == 404 and tables == set()
    with CaptureQueriesContext(connection) as captured:
        client.post("/books/order/", {"kind": "plan", "plan": "second"})
    assert "governance_bookjob" in writes(captured.captured_queries)

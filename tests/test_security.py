"""Security headers and cookie flags on every kind of response (pages, redirects,
error pages, the CSRF failure page, downloads, the lockout page); error pages show
no internals; pages carry no inline script or style for the CSP to refuse."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.urls import path, reverse

from akishima_ict.urls import urlpatterns as real_urlpatterns
from tests.conftest import all_urls


def boom(request):
    raise RuntimeError("secret internals: /srv/akishima-ict/settings.py DATABASE password=xyz")


# A URL that fails, to see the 500 page (used through override_settings below).
urlpatterns = [path("boom/", boom), *real_urlpatterns]


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in csp.split(";")) if part
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def assert_no_internals(response):
    text = response.content.decode()
    assert '<html lang="ja">' in text
    for leak in ["Traceback", "RuntimeError", "secret internals", "settings.py", "DATABASE",
                 "Exception", "urlpatterns", "/work/", "site-packages"]:
        assert leak not in text, leak


@pytest.fixture
def office_client(demo_users):
    client = Client()
    client.force_login(demo_users["demo-joho"])
    return client


def test_headers_on_the_login_page_and_a_redirect(client, db):
    assert_security_headers(client.get(reverse("login"), secure=True))
    response = client.get("/plans/", secure=True)
    assert response.status_code == 302
    assert_security_headers(response)


def assert_not_stored(response):
    assert {"no-store", "private"} <= {d.strip() for d in response["Cache-Control"].split(",")}


@pytest.mark.parametrize("url", ["/plans/", "/sheets/", "/dashboard/", "/cycles/", "/sheets/second/1-1-1-01/"])
def test_headers_on_pages(office_client, url):
    response = office_client.get(url, secure=True)
    assert response.status_code == 200
    assert_security_headers(response)
    # A shared office computer's Back button after signing out shows no stored page.
    assert_not_stored(response)


def test_headers_on_the_admin(demo_users):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "pw-only-for-tests"))
    response = client.get("/admin/", secure=True)
    assert response.status_code == 200
    assert_security_headers(response)


def test_404_page_has_headers_and_no_internals(office_client):
    response = office_client.get("/no/such/page/", secure=True)
    assert response.status_code == 404
    assert "ページが見つかりません" in response.text
    assert_security_headers(response)
    assert_no_internals(response)


def test_403_page_has_headers_and_no_internals(staff_client):
    response = staff_client.get("/accounts/audit/", secure=True)
    assert response.status_code == 403
    assert "この操作は許可されていません" in response.text
    assert_security_headers(response)
    assert_no_internals(response)


@override_settings(ROOT_URLCONF=__name__)
def test_500_page_has_headers_and_no_internals(office_client):
    office_client.raise_request_exception = False
    response = office_client.get("/boom/", secure=True)
    assert response.status_code == 500
    assert "エラーが発生しました" in response.text
    assert_security_headers(response)
    assert_no_internals(response)


def test_csrf_failure_page_has_headers(demo_users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_users["demo-staff-a"])
    response = client.post("/accounts/logout/", secure=True)
    assert response.status_code == 403
    assert "送信を受け付けられませんでした" in response.text
    assert_security_headers(response)
    assert_no_internals(response)


def test_lockout_page_has_headers(client, db):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "x", "password": "y"}, secure=True)
    assert response.status_code == 429
    assert_security_headers(response)


def test_sheet_pdf_download_has_headers(office_client):
    response = office_client.get("/sheets/second/1-1-1-01/pdf/", secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_security_headers(response)
    assert_not_stored(response)


def test_book_file_download_has_headers(office_client, demo_users, settings, tmp_path):
    from governance.models import BookJob, BookKind, BookStatus

    settings.MEDIA_ROOT = tmp_path
    job = BookJob.objects.create(
        kind=BookKind.PLAN, title="計画書", requested_by=demo_users["demo-joho"], status=BookStatus.DONE
    )
    job.file.save("plan.pdf", ContentFile(b"%PDF-1.7 test"))
    response = office_client.get(reverse("governance:book_download", kwargs={"pk": job.pk}), secure=True)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"
    assert_security_headers(response)


def test_cookies_are_secure_httponly_and_samesite(client, db):
    from tests.factories import UserFactory

    UserFactory(username="erin")
    client.get(reverse("login"), secure=True)
    response = client.post(reverse("login"), {"username": "erin", "password": "pass-for-tests"}, secure=True)
    assert response.status_code == 302
    assert_cookie_flags(response, settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)


def assert_cookie_flags(response, *names):
    for name in names:
        cookie = response.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


@override_settings(SESSION_RENEW_AFTER=-1)  # every request renews the session, so sets its cookie
@pytest.mark.parametrize("url, status", [
    ("/no/such/page/", 404),  # the error page (its logout form also sets the CSRF cookie)
    ("/accounts/audit/", 403),
    ("/sheets/second/1-1-1-01/pdf/", 200),  # a download
    ("/data/export/sheets/", 200),
])
def test_cookies_keep_their_flags_on_error_pages_and_downloads(demo_users, url, status):
    client = Client()
    client.force_login(demo_users["demo-staff-a" if status == 403 else "demo-joho"])
    response = client.get(url, secure=True)
    assert response.status_code == status
    names = [settings.SESSION_COOKIE_NAME] + ([settings.CSRF_COOKIE_NAME] if status == 404 else [])
    assert_cookie_flags(response, *names)


# ─── Nothing inline for the CSP to refuse ─────────────────────────────────

class InlineFinder(HTMLParser):
    """Inline scripts, event-handler attributes, javascript: URLs and style
    attributes (inline SVG included)."""

    def __init__(self):
        super().__init__()
        self.problems, self.in_script = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.in_script = "src" not in attrs
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")
            if name == "style":  # inline SVG too: the browser refuses it and says so in its console
                self.problems.append(f"<{tag} style={value!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")


def inline_problems(html):
    finder = InlineFinder()
    finder.feed(html)
    return finder.problems


def test_the_finder_finds_what_it_looks_for():
    html = '<p style="x"><script>alert(1)</script><a onclick="f()" href="javascript:f()">a</a><svg style="no"></svg>'
    assert len(inline_problems(html)) == 5


def test_no_page_has_inline_script_or_style(demo_users, seed):
    """Every GET URL pattern, as 情報推進課 (the widest rights) and as a superuser
    for the admin pages: the HTML needs nothing the CSP refuses."""
    office, admin = Client(), Client()
    office.force_login(demo_users["demo-joho"])
    admin.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "pw-only-for-tests"))
    checked = []
    for name, url in all_urls():
        client = admin if url.startswith("/admin/") else office
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked.append(url)
        problems = inline_problems(response.content.decode())
        if url.startswith("/admin/"):
            # Third-party admin templates (simple_history, import_export) carry a few
            # style attributes (a border, padding, bold) that the CSP drops: cosmetic.
            problems = [p for p in problems if " style=" not in p]
        assert problems == [], url
    for page in [reverse("login"), "/no/such/page/"]:
        assert inline_problems(Client().get(page).content.decode()) == [], page
    assert len(checked) > 20, checked


# ─── No mass assignment: every form lists its fields ───────────────────────

def project_form_classes():
    """Every form and formset class defined in our apps' modules."""
    import importlib
    import inspect
    import pkgutil

    from django import forms
    from django.apps import apps as django_apps

    found = set()
    for config in django_apps.get_app_configs():
        # Ours only: not the installed packages (a virtualenv may live inside the project folder).
        if not str(config.path).startswith(str(settings.BASE_DIR)) or "site-packages" in Path(config.path).parts:
            continue
        package = importlib.import_module(config.name)
        names = [config.name] + [
            info.name for info in pkgutil.walk_packages(package.__path__, prefix=f"{config.name}.")
            if not {"tests", "migrations", "management"} & set(info.name.split("."))
        ]
        for name in names:
            module = importlib.import_module(name)
            for value in vars(module).values():
                if inspect.isclass(value) and issubclass(value, (forms.BaseForm, forms.BaseFormSet)):
                    if value.__module__.split(".")[0] == config.name or issubclass(value, forms.BaseFormSet):
                        found.add(value)
    return found


def test_every_model_form_lists_its_fields():
    from django import forms

    model_forms = []
    for cls in project_form_classes():
        form = getattr(cls, "form", None) if issubclass(cls, forms.BaseFormSet) else cls
        if form is None:  # a formset base class imported from Django
            continue
        if not issubclass(form, forms.BaseModelForm) or form is forms.ModelForm:
            continue
        if form.__module__.split(".")[0] in ("django",):
            continue
        model_forms.append(form)
        meta = form._meta
        assert isinstance(meta.fields, (list, tuple)), f"{form.__module__}.{form.__name__}: fields = {meta.fields!r}"
        assert not meta.exclude, f"{form.__module__}.{form.__name__} uses exclude"
    # The walk found the sheet, report and meeting forms (it would pass on nothing otherwise).
    names = {form.__name__ for form in model_forms}
    assert {"SheetForm", "ReportForm", "MeetingForm", "MinutesForm"} <= names, names


def test_excel_export_download_has_headers(office_client):
    response = office_client.get(reverse("exchange:data_export", kwargs={"name": "sheets"}), secure=True)
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    assert "attachment" in response["Content-Disposition"]
    assert_security_headers(response)


# The same headers on the responses that do not reach the views: the HTTP→HTTPS redirect,
# a static file served by WhiteNoise, the 400 for a Host not in ALLOWED_HOSTS. (HSTS only
# over HTTPS, as browsers ignore it on plain HTTP.)
def assert_headers_outside_the_views(response, *, https):
    if https:
        assert_security_headers(response)
        return
    assert "Strict-Transport-Security" not in response
    response["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains; preload"
    assert_security_headers(response)


@override_settings(SECURE_SSL_REDIRECT=True)
def test_headers_on_the_https_redirect(client, db):
    response = client.get("/plans/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert_headers_outside_the_views(response, https=False)


def test_headers_on_a_static_file(client, db):
    response = client.get("/static/css/app.css", secure=True)
    assert response.status_code == 200
    assert_headers_outside_the_views(response, https=True)


@pytest.mark.parametrize("redirect", [True, False])
def test_headers_on_the_bad_host_answer(client, db, redirect):
    with override_settings(SECURE_SSL_REDIRECT=redirect):
        response = client.get("/plans/", HTTP_HOST="evil.example", secure=not redirect)
    assert response.status_code == 400
    assert_headers_outside_the_views(response, https=not redirect)


def test_headers_on_a_404_for_a_visitor(client, db):
    response = client.get("/static/no/such/file.css", secure=True)
    assert response.status_code in (302, 404)
    assert_headers_outside_the_views(response, https=True)

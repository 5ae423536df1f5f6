"""Shared fixtures: thin on purpose; data comes from factories or the seed loader."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.services import create_demo_users, load_organisation
from governance.meetings.seed import load_bodies
from plans.models import Plan
from plans.services import load_seed_plans
from projects.services import ensure_sheets


def load_seed():
    """The organisation, bodies, plans and sheets, as `load_plan` loads them."""
    load_organisation()
    load_bodies()
    load_seed_plans()
    for plan in Plan.objects.all():
        ensure_sheets(plan=plan)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the seed once into the test database: each test's transaction is rolled
    back, so every test starts from the seeded state. (pytest-django runs the
    transactional tests, which empty the database, after all the others.)"""
    with django_db_blocker.unblock():
        load_seed()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the data stamps change only when a
    transaction commits, which a test's own (rolled-back) transaction never does, so
    parts cached by one test would otherwise be found by the next."""
    from django.core.cache import cache

    from core import stamps

    cache.clear()
    # Areas bumped by an earlier test's rolled-back transaction stay pending for the next
    # commit (core.stamps: one needless miss in production); a test starts with none.
    stamps._pending.areas = set()


@pytest.fixture
def seed(db):
    """The organisation and the seed plans, loaded as `make run` loads them (the
    loaders are idempotent: cheap when the session already loaded them)."""
    load_seed()
    return {plan.code: plan for plan in Plan.objects.all()}


@pytest.fixture
def demo_users(seed):
    """The demo users of the README, by username."""
    create_demo_users()
    from accounts.models import User

    return {user.username: user for user in User.objects.filter(username__startswith="demo-")}


@pytest.fixture
def staff_client(client, demo_users):
    """A client signed in as department staff (demo-staff-a)."""
    client.force_login(demo_users["demo-staff-a"])
    return client


# ─── The URL walk (tests/test_access.py, tests/test_security.py) ───────────

# Sample values for each URL converter, so that every pattern can be requested.
SAMPLES = {"plan": "second", "number": "1", "path": "1-1-1", "code": "1-1-1-01", "kind": "annual",
           "dataset": "projects"}
# The public pages (publication, /open/) need no login; tests/publication checks that
# they are the only ones besides the login pages.
OPEN_PAGES = {"open:index", "open:plan_tree", "open:project_detail", "open:cycle_results", "open:cycle_results_pdf",
              "open:plan_book_pdf", "open:feed", "open:search",
              "open:data_catalogue", "open:data_schema", "open:data_csv", "open:data_json", "open:data_csvw",
              "open:plan_data_csv", "open:plan_data_json", "open:plan_data_csvw"}
# The read-only API (publication.api): its resources, schema and documentation page need
# no login (a Bearer token, when sent, widens what it reads); tests/publication/test_api.py.
API_PAGES = {f"api:{resource}-{kind}" for resource in ("plan", "item", "project", "indicator", "cycle", "report")
             for kind in ("list", "detail")} | {"api:index", "api:schema", "api:docs"}
PUBLIC = {"login", "admin:login"} | OPEN_PAGES | API_PAGES


def walk_patterns(resolvers, prefix="", namespace=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk_patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, prefix + str(entry.pattern)


def concrete_url(route):
    """Turn a route or regex into a URL with sample values."""
    import re

    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLES.get(m.group(1), "1"), route)
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLES.get(m.group(1), "1"), url)
    url = url.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + url


def all_urls():
    """(name, URL) of every named URL pattern but the public ones, with sample values."""
    urls = {(name, concrete_url(route)) for name, route in walk_patterns(get_resolver().url_patterns)}
    return sorted((item for item in urls if item[0] not in PUBLIC), key=lambda item: item[1])


def admin_form_data(response):
    """The admin change form's data as the browser would post it back (tests/projects)."""
    from tests.projects.conftest import form_data_from

    data = form_data_from(response)
    data.pop("draft", None)
    return data


@pytest.fixture
def run_worker_once():
    """Run `manage.py db_worker --batch` in this process, as `make run` starts it, and put
    back the signal handlers it installs (its SIGTERM handler would otherwise turn a later
    SIGTERM to the test process into a SystemExit inside whatever test runs then)."""
    import signal

    from django.core.management import call_command

    def run(**options):
        saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", **options)
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)
    return run

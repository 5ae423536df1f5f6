"""Browser tests: Debian's chromium, driven by Playwright, against pytest-django's live server.

There is no `playwright install` here: the tests launch /usr/bin/chromium directly, and
fail (not skip) when it is missing, so that CI cannot pass without running them.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test thread; Django would
# otherwise refuse ORM calls made from it (the seed loaders) with SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "demo"


def pytest_collection_modifyitems(items):
    """Every test in this folder drives the browser: mark it `browser`."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's chromium; never a browser downloaded by `playwright install`."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing or not executable: the browser tests need Debian's "
            "chromium (apt-get install chromium). They are not skipped on purpose.",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative URLs in page.goto() and expect(...).to_have_url() resolve to the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A member of staff's browser: Japanese, in Tokyo."""
    return {**browser_context_args, "locale": "ja-JP", "timezone_id": "Asia/Tokyo"}


@pytest.fixture
def seeded(live_server, transactional_db):
    """The organisation, the governance bodies, the seed plans with their 情報化事業シート
    and the demo users, as `make run` loads them.

    live_server needs a transactional database, which is emptied after each test,
    so the data are loaded again inside every test.
    """
    from accounts.services import create_demo_users, load_organisation
    from governance.meetings.seed import load_bodies
    from plans.services import load_seed_plans
    from projects.services import ensure_sheets

    load_organisation()
    load_bodies()  # 情報化戦略本部, 情報化推進検討会議 ...: their seats name sections
    plans = {plan.code: plan for plan in load_seed_plans()}
    for plan in plans.values():
        ensure_sheets(plan=plan)
    create_demo_users()
    return plans


@pytest.fixture
def login(page, seeded):
    """Sign in through the login form, as a person would; returns the page."""

    def _login(username="demo-staff-a", password=DEMO_PASSWORD, next_url="/plans/"):
        page.goto(f"/accounts/login/?next={next_url}")
        page.get_by_label("ユーザー名").fill(username)
        page.get_by_label("パスワード").fill(password)
        page.get_by_role("button", name="ログイン").click()
        return page

    return _login

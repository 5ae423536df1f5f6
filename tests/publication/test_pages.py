"""The public pages as a browser and a proxy see them: no login, GET only, cacheable
with a validator, the staff application's security headers, flat query counts."""

import re

import pytest
from django.test import Client
from django.urls import get_resolver

from governance.cycles.services import open_cycle
from governance.models import CycleKind
from projects.models import Indicator, IndicatorTarget, ProjectSheet, SheetStatus
from projects.services import ensure_sheets
from publication import services
from tests.conftest import PUBLIC, concrete_url, walk_patterns
from tests.factories import make_plan
from tests.governance.conftest import count_queries
from tests.publication.conftest import TWITTER, decide_all

PAGES = ["/open/", "/open/plans/second/", f"/open/projects/second/{TWITTER}/"]


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_are_cacheable_by_a_proxy_and_revalidated_with_an_etag(client, published, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert response.cookies == {}  # nothing a shared cache must not keep
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_a_public_page_gets_a_new_etag_when_what_it_shows_changes(client, published, ict):
    url = f"/open/projects/second/{TWITTER}/"
    before = client.get(url)["ETag"]
    services.withdraw_cycle(user=ict, cycle=published["cycle"], reason="数値の誤り")
    response = client.get(url, HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200 and response["ETag"] != before


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", PAGES)
def test_nothing_on_the_public_side_accepts_a_change(published, url, method):
    client = Client()  # without CSRF checks: the method alone is refused
    assert getattr(client, method)(url).status_code == 405
    assert client.head(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_carry_the_security_headers_of_the_application(client, published, url):
    response = client.get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_are_japanese_accessible_and_load_only_our_own_files(client, published, url):
    page = client.get(url).content.decode()
    assert '<html lang="ja">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert page.count("<h1") == 1
    assert "<script" not in page and "https://" not in page  # no CDN, nothing to run
    assert "ログアウト" not in page and "csrfmiddlewaretoken" not in page
    headers = re.findall(r"<th(?=[\s>])[^>]*>", page)
    assert [th for th in headers if 'scope="' not in th] == []


def test_only_the_open_pages_and_the_login_pages_need_no_login():
    resolver = get_resolver()
    open_views = {
        name for name, route in walk_patterns(resolver.url_patterns)
        if name and not getattr(resolver.resolve(concrete_url(route)).func, "login_required", True)
    }
    assert {n for n in open_views if not n.startswith("admin:")} == PUBLIC - {"admin:login"}
    # The admin marks its login page only; the rest is the admin's own sign-in (tests/test_access.py).
    assert {n for n in open_views if n.startswith("admin:")} <= {"admin:login"}


def test_a_plan_not_published_is_a_404_even_for_the_ict_office(client, second, demo_users):
    client.force_login(demo_users["demo-joho"])
    assert client.get("/open/plans/second/").status_code == 404
    assert client.get("/open/").status_code == 200


# ─── Query counts: flat with more projects ─────────────────────────────────

def published_generated(ict, *, code, projects):
    """A generated plan published, every sheet complete with an indicator, and a decided,
    published cycle."""
    plan = make_plan(code=code, projects=projects)
    ensure_sheets(plan=plan)
    for sheet in ProjectSheet.objects.filter(project__plan=plan):
        indicator = Indicator.objects.create(sheet=sheet, name="件数", unit="件")
        for year in plan.years:
            IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, value=10)
    ProjectSheet.objects.filter(project__plan=plan).update(status=SheetStatus.COMPLETE)
    services.publish_plan(user=ict, plan=plan)
    cycle = open_cycle(user=ict, plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2021, deadline=plan_deadline())
    decide_all(cycle)
    services.publish_cycle(user=ict, cycle=cycle)
    return plan


def plan_deadline():
    from datetime import date

    return date(2022, 5, 31)


def test_query_counts_of_the_public_pages_do_not_grow_with_the_plan(client, seed, ict):
    small = published_generated(ict, code="small", projects=6)
    large = published_generated(ict, code="large", projects=40)
    for url in ("/open/plans/{}/", "/open/projects/{}/1-1-1-01/", "/open/"):
        few, _ = count_queries(client, url.format(small.code))
        many, html = count_queries(client, url.format(large.code))
        assert many == few, url
        assert few <= 15, url
    assert html.count("生成計画") >= 2  # the index lists both plans

"""The API (/api/): anonymous callers read published data only; a token reads what its
user reads on the staff pages; tokens are hashed, revocable and audited; anonymous use
is rate-limited; read-only, paginated, filtered, with flat query counts."""

import json
import re

import pytest
from django.test import Client, override_settings

from accounts.models import AuditEntry, AuditKind
from governance.models import AnnualReport, ReportState, ReviewCycle
from plans.models import Plan
from projects.models import ProjectSheet
from publication import services as publishing
from publication.api import services
from publication.api.models import ApiToken
from tests.factories import make_plan
from tests.publication.conftest import PLANTED, TWITTER
from tests.publication.test_pages import published_generated

RESOURCES = ["plans", "items", "projects", "indicators", "cycles", "reports"]


def get_all(client, url, **headers):
    """Every record of a list, following the pages."""
    records = []
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        records += body["results"]
        url = body["next"]
    return records


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def token_of():
    def make(user, name="集計スクリプト"):
        return services.create_token(actor=user, owner=user, name=name)
    return make


# ─── Anonymous: published data only ────────────────────────────────────────

def test_anonymous_api_shows_only_published_data(client, published, monkeypatch):
    """The crawl: every page of every list and every record's own address."""
    from publication.api.throttling import AnonymousThrottle

    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "100000/min"})
    bodies = {}
    for resource in RESOURCES:
        url = f"/api/{resource}/?page_size=20"
        while url:
            response = client.get(url)
            assert response.status_code == 200, url
            bodies[url] = response.content.decode()
            for record in response.json()["results"]:
                detail = f"/api/{resource}/{record['code'] if resource == 'plans' else record['id']}/"
                answer = client.get(detail)
                assert answer.status_code == 200, detail
                bodies[detail] = answer.content.decode()
            url = response.json()["next"]
    bodies["/api/schema/"] = client.get("/api/schema/").content.decode()
    assert len(bodies) > 100
    # JSON keeps Japanese as it is (no \\u escapes), so the planted text would show as written.
    assert "\\u" not in bodies["/api/plans/?page_size=20"]
    leaks = [(url, name) for url, text in bodies.items() for name, planted in PLANTED.items() if planted in text]
    assert leaks == []
    assert [p["code"] for p in client.get("/api/plans/").json()["results"]] == ["second"]
    cycles = client.get("/api/cycles/").json()["results"]
    assert [(c["plan"], c["fiscal_year"]) for c in cycles] == [("second", 2016)]


def test_anonymous_reports_are_the_decided_reports_of_the_published_cycle(client, published):
    reports = get_all(client, "/api/reports/")
    expected = set(AnnualReport.objects.filter(cycle=published["cycle"]).values_list("pk", flat=True))
    assert {r["id"] for r in reports} == expected
    twitter = next(r for r in reports if r["project"] == TWITTER)
    assert twitter["decision"] == "continue" and twitter["progress"] == "on_plan"
    assert [(x["indicator_name"], x["unit"], x["actual"]) for x in twitter["results"]] == [("フォロワー数", "人", "1250.00")]
    assert "state" not in twitter and "evaluation" not in twitter and "note" not in twitter["results"][0]


def test_anonymous_projects_carry_the_complete_sheet_only(client, published):
    projects = {p["code"]: p for p in get_all(client, "/api/projects/?plan=second")}
    assert len(projects) == published["plan"].projects.count()
    sheet = projects[TWITTER]["sheet"]
    assert sheet["objective"] == "市の情報を即時に届ける"
    assert sheet["status"] == "complete"
    assert {"fiscal_year": 2016, "planned": "運用開始", "actual": "運用を開始した"} in sheet["schedule"]
    assert projects["1-1-1-03"]["sheet"] is None  # a draft: not public


def test_unpublished_things_are_404_for_anonymous_callers(client, published):
    hidden = AnnualReport.objects.filter(cycle=published["later"]).first()
    assert client.get(f"/api/reports/{hidden.pk}/").status_code == 404
    assert client.get("/api/plans/third/").status_code == 404
    assert client.get("/api/plans/first/").status_code == 404
    assert client.get(f"/api/cycles/{published['later'].pk}/").status_code == 404


def test_a_withdrawn_cycle_leaves_the_api_at_once(client, published, ict):
    assert client.get("/api/reports/").json()["count"] > 0
    publishing.withdraw_cycle(user=ict, cycle=published["cycle"], reason="数値の誤り")
    assert client.get("/api/reports/").json()["count"] == 0
    assert client.get("/api/cycles/").json()["count"] == 0


def test_published_answers_may_be_kept_by_a_proxy_but_a_tokens_never(client, published, demo_users, token_of):
    response = client.get("/api/plans/")
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Authorization" in response["Vary"]
    _, secret = token_of(demo_users["demo-staff-a"])
    response = client.get("/api/plans/", **bearer(secret))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]


# ─── Tokens: what the user reads on the staff pages ────────────────────────

ROW = re.compile(r'<a href="/reports/(\d+)/">[^<]*</a></td><td>[^<]*</td><td>([^<]+)</td></tr>')


def staff_page_reports(client, user):
    """{report id: state label} as the user reads them in the browser: every page of each
    cycle's report list (the cycle list links every cycle the user may open)."""
    client.force_login(user)
    cycles = re.findall(r'href="/cycles/(\d+)/"', client.get("/cycles/").content.decode())
    assert cycles
    seen = {}
    for pk in set(cycles):
        page = 1
        while True:
            html = client.get(f"/cycles/{pk}/?page={page}").content.decode()
            seen.update({int(report): state for report, state in ROW.findall(html)})
            if "次へ</a>" not in html:
                break
            page += 1
    return seen


def test_a_department_users_token_reads_what_that_user_reads_in_the_browser(published, demo_users, token_of):
    user = demo_users["demo-staff-a"]
    _, secret = token_of(user)
    api = Client()
    reports = get_all(api, "/api/reports/?page_size=200", **bearer(secret))
    browser = staff_page_reports(Client(), user)
    labels = dict(ReportState.choices)
    assert {r["id"]: labels[r["state"]] for r in reports} == browser
    assert len(browser) == AnnualReport.objects.count()  # every signed-in user reads every report
    # More than the public: the unpublished cycle, drafts, states and internal notes.
    assert any(r["state"] == ReportState.DRAFT for r in reports)
    twitter = next(r for r in reports if r["project"] == TWITTER and r["fiscal_year"] == 2016)
    assert twitter["evaluation_comment"] == PLANTED["evaluation_comment"]
    # Plans: the adopted ones, not the one in preparation (情報推進課 only).
    plans = {p["code"] for p in get_all(api, "/api/plans/", **bearer(secret))}
    assert plans == set(Plan.objects.filter(in_preparation=False).values_list("code", flat=True))
    assert "third" not in plans
    sheets = {p["id"] for p in get_all(api, "/api/projects/?page_size=200", **bearer(secret)) if p["sheet"]}
    assert sheets == set(ProjectSheet.objects.visible_to(user).values_list("project_id", flat=True))


def test_the_ict_office_token_also_reads_the_plan_in_preparation(published, ict, token_of):
    _, secret = token_of(ict)
    plans = {p["code"] for p in get_all(Client(), "/api/plans/", **bearer(secret))}
    assert "third" in plans


def test_a_revoked_token_gets_401(client, published, demo_users, token_of):
    user = demo_users["demo-staff-a"]
    token, secret = token_of(user)
    assert client.get("/api/reports/", **bearer(secret)).status_code == 200
    services.revoke_token(actor=user, token=token)
    response = client.get("/api/reports/", **bearer(secret))
    assert response.status_code == 401
    assert "API トークンが無効です" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_of_a_user_no_longer_active_gets_401(client, published, demo_users, token_of):
    user = demo_users["demo-staff-a"]
    _, secret = token_of(user)
    user.is_active = False
    user.save()
    assert client.get("/api/plans/", **bearer(secret)).status_code == 401


@pytest.mark.parametrize("header", ["Bearer akict_wrong", "Bearer", "Bearer a b", "Bearer notours"])
def test_a_wrong_token_gets_401_not_the_public_data(client, published, header):
    assert client.get("/api/plans/", HTTP_AUTHORIZATION=header).status_code == 401


def test_tokens_are_stored_hashed(db, demo_users, token_of):
    token, secret = token_of(demo_users["demo-staff-a"])
    assert secret.startswith("akict_") and len(secret) >= 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in json.dumps(stored, default=str)
    import hashlib
    assert stored["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert stored["prefix"] == secret[:10]


def test_token_use_is_in_the_audit_log_once_a_minute(client, published, demo_users, token_of):
    user = demo_users["demo-staff-a"]
    token, secret = token_of(user, name="週次集計")
    client.get("/api/plans/?plan=second", **bearer(secret))
    client.get("/api/reports/", **bearer(secret))
    entries = AuditEntry.objects.filter(kind=AuditKind.API_ACCESS)
    assert [(e.user, e.path) for e in entries] == [(user, "/api/plans/?plan=second")]
    assert f"#{token.pk}「週次集計」" in entries[0].detail
    token.refresh_from_db()
    assert token.last_used_at is not None
    # A minute later the next use is recorded again.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at.replace(year=2020))
    client.get("/api/cycles/", **bearer(secret))
    assert [e.path for e in AuditEntry.objects.filter(kind=AuditKind.API_ACCESS)] == ["/api/cycles/",
                                                                                     "/api/plans/?plan=second"]


# ─── Rate limit, methods ───────────────────────────────────────────────────

def test_anonymous_requests_beyond_the_limit_get_429_in_japanese(client, published, monkeypatch):
    # DRF reads the rates from settings into the throttle class once, at import: a settings
    # override would not reach them, so the test sets the class's rates (3 a minute).
    from django.core.cache import cache

    from publication.api.throttling import AnonymousThrottle

    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "1000/min"})
    cache.clear()
    codes = [client.get("/api/plans/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/reports/")
    assert response.status_code == 429
    assert "アクセスが集中しているため" in response.json()["detail"]
    assert 0 < int(response["Retry-After"]) <= 60
    # Another address is counted apart.
    assert client.get("/api/plans/", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_a_token_has_its_own_higher_limit(client, published, demo_users, token_of, monkeypatch):
    from django.core.cache import cache

    from publication.api.throttling import AnonymousThrottle, TokenThrottle

    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "1/min"})
    monkeypatch.setattr(TokenThrottle, "THROTTLE_RATES", {"user": "3/min"})
    cache.clear()
    _, secret = token_of(demo_users["demo-staff-a"])
    assert client.get("/api/plans/").status_code == 200
    assert client.get("/api/plans/").status_code == 429  # the address's anonymous limit
    codes = [client.get("/api/plans/", **bearer(secret)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # the token's own limit, not the address's


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_accepts_no_change(published, method, demo_users, token_of):
    """Read-only: a write method is refused by the CSRF check (403, as on every page of the
    application) and, past it, by the view (405); a token changes neither."""
    _, secret = token_of(demo_users["demo-joho"])
    checked, unchecked = Client(enforce_csrf_checks=True), Client()
    for url in ("/api/plans/", "/api/plans/second/", "/api/reports/", "/api/schema/"):
        assert getattr(checked, method)(url).status_code == 403
        assert getattr(checked, method)(url, **bearer(secret)).status_code == 403
        assert getattr(unchecked, method)(url, **bearer(secret)).status_code == 405
    assert checked.head("/api/plans/").status_code == 200
    assert checked.options("/api/plans/").status_code == 200


# ─── Pagination and filters ────────────────────────────────────────────────

def test_lists_are_paginated(client, published):
    total = published["plan"].projects.count()
    first = client.get("/api/projects/?page_size=10").json()
    assert first["count"] == total and len(first["results"]) == 10
    assert first["previous"] is None and "page=2" in first["next"]
    codes = [p["code"] for p in get_all(client, "/api/projects/?page_size=10")]
    assert len(codes) == len(set(codes)) == total
    assert codes == sorted(codes)
    assert len(client.get("/api/projects/").json()["results"]) == min(total, 50)  # the default page
    assert len(client.get("/api/projects/?page_size=1000").json()["results"]) == min(total, 200)
    assert client.get("/api/projects/?page=999").status_code == 404


def test_filter_by_plan(published, demo_users, token_of):
    other = make_plan(code="other", goals=1, policies=1, measures=2, projects=3)
    _, secret = token_of(demo_users["demo-staff-a"])
    api = Client()
    second = get_all(api, "/api/projects/?plan=second&page_size=200", **bearer(secret))
    others = get_all(api, "/api/projects/?plan=other&page_size=200", **bearer(secret))
    assert {p["plan"] for p in second} == {"second"} and len(second) == published["plan"].projects.count()
    assert {p["plan"] for p in others} == {"other"} and len(others) == 3
    items = get_all(api, "/api/items/?plan=other", **bearer(secret))
    assert {i["plan"] for i in items} == {"other"} and len(items) == 1 + 1 + 2
    assert Client().get("/api/projects/?plan=other").json()["count"] == 0  # not published


def test_filter_by_item_path_prefix_includes_reposts_and_sub_items(client, published):
    # Ⅰ-1-1 (path 1-1-1) holds 1-1-1-01 … of its own; 1-1 takes every measure under Ⅰ-1.
    under = {p["code"] for p in get_all(client, "/api/projects/?plan=second&item=1-1-1")}
    own = set(published["plan"].projects.filter(placements__item__path="1-1-1").values_list("code", flat=True))
    assert TWITTER in under and under == own
    wider = {p["code"] for p in get_all(client, "/api/projects/?plan=second&item=1-1")}
    assert under < wider
    assert all(any(pl["item_path"] == "1-1" or pl["item_path"].startswith("1-1-") for pl in p["placements"])
               for p in get_all(client, "/api/projects/?plan=second&item=1-1"))
    # "1-1" is a prefix of the path, not of the text: 1-10 is not under 1-1.
    items = {i["path"] for i in get_all(client, "/api/items/?plan=second&item=1-1")}
    assert "1-1" in items and all(p == "1-1" or p.startswith("1-1-") for p in items)
    assert client.get("/api/projects/?item=1-x").status_code == 400


def test_filter_by_fiscal_year(client, published, demo_users, token_of):
    _, secret = token_of(demo_users["demo-staff-a"])
    api = Client()
    reports_2017 = get_all(api, "/api/reports/?fiscal_year=2017&page_size=200", **bearer(secret))
    assert {r["fiscal_year"] for r in reports_2017} == {2017}
    assert len(reports_2017) == published["later"].reports.count()
    assert client.get("/api/reports/?fiscal_year=2017").json()["count"] == 0  # not published
    indicators = client.get(f"/api/indicators/?fiscal_year=2018&plan=second").json()["results"]
    twitter = [i for i in indicators if i["project"] == TWITTER]
    assert [i["targets"] for i in twitter] == [[{"fiscal_year": 2018, "value": "1000.00"}]]
    assert [p["code"] for p in client.get("/api/plans/?fiscal_year=2018").json()["results"]] == ["second"]
    assert client.get("/api/plans/?fiscal_year=2030").json()["count"] == 0
    response = client.get("/api/reports/?fiscal_year=平成28")
    assert response.status_code == 400
    assert "西暦" in response.json()["fiscal_year"][0]


def test_filter_by_section(client, published, demo_users, token_of):
    sheet = ProjectSheet.objects.get(project__plan=published["plan"], project__code=TWITTER)
    section = sheet.section.code if sheet.section else None
    if section is None:
        from accounts.models import Section

        sheet.section = Section.objects.get(code="joho-suishin")
        sheet.save()
        section = "joho-suishin"
    projects = get_all(client, f"/api/projects/?section={section}")
    assert TWITTER in {p["code"] for p in projects}
    assert {p["sheet"]["section"] for p in projects} == {section}
    _, secret = token_of(demo_users["demo-staff-a"])
    reports = get_all(Client(), f"/api/reports/?section={section}&page_size=200", **bearer(secret))
    expected = AnnualReport.objects.filter(sheet__section__code=section).count()
    assert len(reports) == expected > 0
    assert client.get("/api/indicators/?section=no-such-section").json()["count"] == 0


# ─── Query counts: flat with the data ──────────────────────────────────────

def test_query_counts_do_not_grow_with_the_data(seed, demo_users, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ict = demo_users["demo-joho"]
    small = published_generated(ict, code="small", projects=4)
    large = published_generated(ict, code="large", projects=30)
    _, secret = services.create_token(actor=ict, owner=ict, name="計測")
    for headers in ({}, bearer(secret)):
        client = Client()
        client.get("/api/plans/", **headers)  # the token's use of this minute is recorded first
        for resource in RESOURCES:
            counts = []
            for plan in (small, large):
                with CaptureQueriesContext(connection) as context:
                    response = client.get(f"/api/{resource}/?plan={plan.code}&page_size=200", **headers)
                assert response.status_code == 200
                counts.append(len(context.captured_queries))
            assert counts[0] == counts[1], (resource, headers, counts)
            assert counts[0] <= 12, (resource, counts)


# ─── The schema and the documentation page ─────────────────────────────────

def test_the_openapi_schema_is_public_and_japanese(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "昭島市 情報化推進計画 API"
    assert {f"/api/{r}/" for r in RESOURCES} <= set(schema["paths"])
    assert not any(path.startswith("/api/tokens") for path in schema["paths"])
    assert schema["paths"]["/api/reports/"]["get"]["summary"] == "実績報告(進行管理の結果)の一覧"
    params = {p["name"] for p in schema["paths"]["/api/reports/"]["get"]["parameters"]}
    assert {"plan", "fiscal_year", "item", "section", "page", "page_size"} <= params
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_the_documentation_page_loads_only_our_own_files(client, db):
    assert client.get("/api/")["Location"] == "/api/docs/"
    page = client.get("/api/docs/").content.decode()
    assert '<html lang="ja">' in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "https://" not in page and "<style" not in page
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []  # no inline script
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


# ─── The API トークン page ──────────────────────────────────────────────────

def test_a_user_makes_a_token_sees_it_once_and_revokes_it(client, db, demo_users):
    user = demo_users["demo-staff-a"]
    client.force_login(user)
    assert client.get("/api/tokens/").status_code == 200
    response = client.post("/api/tokens/create/", {"name": "週次集計"})
    assert response.status_code == 200
    secret = re.search(r'value="(akict_[^"]+)"', response.content.decode()).group(1)
    assert "一度だけ表示します" in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert (token.name, token.created_by) == ("週次集計", user)
    assert secret not in client.get("/api/tokens/").content.decode()  # never shown again
    assert Client().get("/api/plans/", **bearer(secret)).status_code == 200
    response = client.post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == user
    assert Client().get("/api/plans/", **bearer(secret)).status_code == 401
    kinds = list(AuditEntry.objects.filter(user=user).values_list("kind", flat=True))
    assert AuditKind.API_TOKEN_CREATED in kinds and AuditKind.API_TOKEN_REVOKED in kinds


def test_sending_the_same_form_again_makes_no_second_token(client, db, demo_users):
    client.force_login(demo_users["demo-staff-a"])
    once = re.search(r'name="once" value="([^"]+)"', client.get("/api/tokens/").content.decode()).group(1)
    assert client.post("/api/tokens/create/", {"name": "週次集計", "once": once}).status_code == 200
    again = client.post("/api/tokens/create/", {"name": "週次集計", "once": once}, follow=True)
    assert "トークンを作成済みです" in again.content.decode()
    assert ApiToken.objects.count() == 1


def test_a_token_needs_a_name(client, db, demo_users):
    client.force_login(demo_users["demo-staff-a"])
    response = client.post("/api/tokens/create/", {"name": "  "})
    assert response.status_code == 400
    assert "トークンの名前を入力してください" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_someone_elses_token_is_neither_listed_nor_revocable(client, db, demo_users, token_of):
    token, _ = token_of(demo_users["demo-staff-b"], name="環境課の集計")
    client.force_login(demo_users["demo-staff-a"])
    assert "環境課の集計" not in client.get("/api/tokens/").content.decode()
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    # Posting a user field does not make a token for someone else.
    client.post("/api/tokens/create/", {"name": "なりすまし", "user": demo_users["demo-staff-b"].pk})
    assert ApiToken.objects.get(name="なりすまし").user == demo_users["demo-staff-a"]


def test_the_ict_office_makes_and_revokes_tokens_for_anyone(client, db, demo_users, token_of):
    ict, staff = demo_users["demo-joho"], demo_users["demo-staff-b"]
    theirs, _ = token_of(staff, name="環境課の集計")
    client.force_login(ict)
    assert "環境課の集計" in client.get("/api/tokens/").content.decode()
    response = client.post("/api/tokens/create/", {"name": "代理で作成", "user": staff.pk})
    assert response.status_code == 200
    made = ApiToken.objects.get(name="代理で作成")
    assert (made.user, made.created_by) == (staff, ict)
    client.post(f"/api/tokens/{theirs.pk}/revoke/")
    theirs.refresh_from_db()
    assert theirs.revoked_by == ict
    with pytest.raises(services.TokenError):
        services.create_token(actor=staff, owner=ict, name="逆向き")


def test_the_token_page_needs_a_login(client, db):
    response = client.get("/api/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

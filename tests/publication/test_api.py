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
from tests.governance.conftest import count_queries
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

def test_anonymous_api_shows_only_published_data(client, published):
    bodies = {}
    for resource in RESOURCES:
        response = client.get(f"/api/{resource}/?page_size=200")
        assert response.status_code == 200, resource
        bodies[resource] = response.content.decode()
        body = response.json()
        for record in body["results"][:5]:
            key = record.get("code") if resource == "plans" else record["id"]
            detail = client.get(f"/api/{resource}/{key}/")
            assert detail.status_code == 200
            bodies[f"{resource}/{key}"] = detail.content.decode()
    leaks = [(url, name) for url, text in bodies.items() for name, planted in PLANTED.items()
             if planted in json.loads(json.dumps(text))]
    assert leaks == []
    # Not even as escaped JSON: the planted strings contain no characters JSON escapes.
    plans = [p["code"] for p in client.get("/api/plans/").json()["results"]]
    assert plans == ["second"]
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
    # Another address is counted apart; a token holder is not limited by the anonymous rate.
    assert client.get("/api/plans/", REMOTE_ADDR="192.0.2.7").status_code == 200


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

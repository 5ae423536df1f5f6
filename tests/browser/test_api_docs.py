"""The API's documentation page in a browser: Swagger UI from our own static files
(drf-spectacular-sidecar) renders the schema's Japanese titles under the application's
Content-Security-Policy, with no error in the console, no request to another host, and
「Try it out」 reads published data. Screenshot: /tmp/api-docs.png."""

from playwright.sync_api import expect


def test_the_api_documentation_page_renders_under_our_csp(page, seeded, live_server):
    errors, outside = [], []
    page.on("console", lambda message: message.type in ("error", "warning") and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: not request.url.startswith(live_server.url) and outside.append(request.url))
    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="昭島市 情報化推進計画 API")).to_be_visible()
    expect(page.get_by_text("実績報告(進行管理の結果)の一覧").first).to_be_visible()
    page.get_by_role("button", name="GET /api/plans/ 計画の一覧", exact=False).first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".response .response-col_status").first).to_have_text("200")
    page.screenshot(path="/tmp/api-docs.png", full_page=True)
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == []
    assert errors == []
    assert outside == []


def test_a_member_of_staff_makes_a_token_and_reads_the_api_with_it(page, seeded):
    from tests.browser.test_accessibility import sign_in

    sign_in(page, "demo-staff-a")
    page.get_by_role("link", name="API トークン").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API トークン")
    page.get_by_label("トークンの名前").fill("週次集計")
    page.get_by_role("button", name="作成する").click()
    expect(page.get_by_role("heading", name="トークン#1「週次集計」", exact=False)).to_be_visible()
    secret = page.get_by_label("トークン", exact=True).input_value()
    assert secret.startswith("akict_")
    page.screenshot(path="/tmp/api-token.png", full_page=True)
    api = page.request
    assert api.get("/api/plans/", headers={"Authorization": f"Bearer {secret}"}).json()["count"] >= 2
    page.reload()  # the browser sends the form again: no second token, the secret not shown again
    expect(page.get_by_text("トークンを作成済みです", exact=False)).to_be_visible()
    expect(page.get_by_text(secret)).to_have_count(0)
    page.get_by_role("button", name="失効させる").click()
    expect(page.get_by_text("失効させました")).to_be_visible()
    assert api.get("/api/plans/", headers={"Authorization": f"Bearer {secret}"}).status == 401

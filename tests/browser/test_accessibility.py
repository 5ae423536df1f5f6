"""Accessibility of the key pages, as JIS X 8341-3:2016 (WCAG 2.0 AA) and WCAG 2.2 AA ask of a
city's systems: axe-core finds no serious or critical violation, forms are labelled and their
errors announced, the skip link works, focus is visible and the sheet can be saved with the
keyboard alone.

axe-core is the copy bundled with axe-playwright-python (MPL-2.0). It is injected with
page.evaluate(), which the page's Content-Security-Policy does not govern, so the pages are
checked exactly as staff see them: no bypass_csp, which would also let inline styles apply that
the real page blocks and so change what the colour-contrast rule measures.

Pages: login, the start page, the plan tree and a goal, a sheet, the sheet edit form (as it
opens and again with validation errors), 実績報告(自課), the 情報推進課 cycle list and work
list, a report, and the dashboard with its charts.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo"
PLAN = "second"  # 第二期昭島市情報化推進計画, 平成28〜32年度 (2016-2020)
CODE = "1-2-1-01"  # 住民票等のコンビニエンスストア交付システム導入, given to 市民課 here
SHEET_URL = f"/sheets/{PLAN}/{CODE}/"
EDIT_URL = f"{SHEET_URL}edit/"

# WCAG 2.0, 2.1 and 2.2, levels A and AA, plus axe's best practices (headings, landmarks).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = {"serious", "critical"}
# Best-practice rules that are only "moderate" to axe but that we hold the pages to:
# one main landmark, all content in landmarks, an h1, headings that do not skip levels.
ALSO_FAILING_RULES = {"landmark-one-main", "region", "page-has-heading-one", "heading-order"}

axe = Axe()


def axe_violations(page):
    """The violations axe finds on the page as it is now that the test holds against it."""
    results = axe.run(page, options=AXE_OPTIONS).response
    # axe really ran its rules (a page that blocked it would report nothing at all).
    assert len(results["passes"]) + len(results["violations"]) > 20, results.get("testEngine")
    return [
        v for v in results["violations"]
        if v["impact"] in FAILING_IMPACTS or v["id"] in ALSO_FAILING_RULES
    ]


def describe(violations):
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"      {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"        {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"      … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


class AxeAudit:
    """Checks several pages and fails once, listing every problem of every page.

    Besides axe: the page is in Japanese (lang="ja"), has the header, main and footer
    landmarks and exactly one h1, and its title is its own (no two pages share one).
    """

    def __init__(self):
        self.found = {}
        self.problems = []
        self.titles = {}

    def check(self, page, label, *, same_page=False):
        """same_page: the page again in another state (e.g. with errors), whose title may repeat."""
        expect(page.locator("main")).to_be_visible()
        violations = axe_violations(page)
        if violations:
            self.found[f"{label} ({page.url})"] = violations
        lang = page.locator("html").get_attribute("lang")
        if lang != "ja":
            self.problems.append(f"{label}: <html lang> is {lang!r}, not 'ja'")
        for role in ("banner", "main", "contentinfo"):
            if page.get_by_role(role).count() != 1:
                self.problems.append(f"{label}: expected one {role} landmark")
        if page.locator("h1").count() != 1:
            self.problems.append(f"{label}: expected exactly one h1")
        title = page.title()
        if not same_page:
            if title in self.titles:
                self.problems.append(
                    f"{label}: title {title!r} is also the title of {self.titles[title]}")
            self.titles[title] = label

    def assert_clean(self):
        report = "\n".join(f"{label}:\n{describe(v)}" for label, v in self.found.items())
        if self.found:
            report = "axe-core found accessibility violations:\n" + report
        if self.problems:
            report += "\n" + "\n".join(self.problems)
        if report.strip():
            pytest.fail(report, pytrace=False)


# ─── Data ─────────────────────────────────────────────────────────────────


@pytest.fixture
def city(seeded):
    """市民課's sheet with an indicator, and the 平成28年度 cycle with reports in several states,
    so that the work lists, the report page and the dashboard's charts have something to show."""
    from accounts.models import Section, User
    from governance.cycles.services import open_cycle
    from governance.models import AnnualReport, CycleKind
    from plans.models import Plan
    from projects.models import Indicator, IndicatorTarget, ProjectSheet

    sections = {"1-2-1-01": "shimin", "1-3-1-01": "shimin", "1-2-1-02": "nozei",
                "3-1-1-01": "kankyo"}
    for code, section in sections.items():
        ProjectSheet.objects.filter(project__plan__code=PLAN, project__code=code).update(
            section=Section.objects.get(code=section))
    sheet = ProjectSheet.objects.get(project__plan__code=PLAN, project__code=CODE)
    indicator = Indicator.objects.create(sheet=sheet, position=1, kind="output",
                                         name="コンビニ交付の件数", unit="件", direction="up")
    for year in range(2016, 2021):
        IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year,
                                       value=Decimal(1000 + 200 * (year - 2016)))
    cycle = open_cycle(user=User.objects.get(username="demo-joho"),
                       plan=Plan.objects.get(code=PLAN), kind=CycleKind.ANNUAL,
                       fiscal_year=2016, deadline=date(2017, 5, 31))
    for code, state in {"1-2-1-02": "confirmed", "3-1-1-01": "submitted"}.items():
        AnnualReport.objects.filter(cycle=cycle, sheet__project__code=code).update(
            state=state, implementation_status="continuing", progress="on_plan",
            direction="continue", work_done="実施した")
    return {"cycle": cycle,
            "report": AnnualReport.objects.get(cycle=cycle, sheet__project__code=CODE)}


def sign_in(page, username):
    page.goto("/accounts/login/?next=/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    return page


# ─── axe-core on the key pages ────────────────────────────────────────────


def test_login_page_has_no_serious_violations_even_after_a_failed_login(page, seeded):
    audit = AxeAudit()
    page.goto("/accounts/login/")
    audit.check(page, "ログイン")
    page.get_by_label("ユーザー名").fill("demo-staff-a")
    page.get_by_label("パスワード").fill("wrong")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check(page, "ログイン(失敗)", same_page=True)
    audit.assert_clean()


def test_staff_pages_have_no_serious_violations(page, city):
    """市民課's member of staff: start page, plan tree, a goal, a sheet, its edit form (as it opens
    and with errors), 実績報告(自課) and a report."""
    audit = AxeAudit()
    sign_in(page, "demo-staff-a")
    audit.check(page, "ホーム(自課の事業)")
    for url, label in [
        ("/plans/", "計画体系"),
        (f"/plans/{PLAN}/items/1/", "目標"),
        (f"/plans/{PLAN}/items/2-3-1/", "情報化施策"),
        (SHEET_URL, "情報化事業シート"),
        ("/api/tokens/", "API トークン"),
        (EDIT_URL, "シートの編集"),
    ]:
        page.goto(url)
        audit.check(page, label)

    page.get_by_label("事業期間(開始年度)").fill("abc")
    page.get_by_role("group", name="新しい指標を追加").get_by_label("指標名").fill("交付件数")
    page.get_by_role("group", name="新しい指標を追加").get_by_label(
        "29年度の目標値", exact=True).fill("-5")
    page.get_by_role("button", name="下書き保存").click()
    expect(page.locator("[aria-invalid=true]")).to_have_count(2)
    audit.check(page, "シートの編集(入力の誤り)", same_page=True)

    page.get_by_role("link", name="実績報告(自課)").click()
    audit.check(page, "実績報告(自課)")
    page.goto(f"/reports/{city['report'].pk}/")
    audit.check(page, "実績報告")
    page.goto(f"/reports/{city['report'].pk}/edit/")
    audit.check(page, "実績の入力")
    page.get_by_label("コンビニ交付の件数の実績値(件)").fill("-1")
    page.get_by_role("button", name="保存する").click()
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    audit.check(page, "実績の入力(入力の誤り)", same_page=True)
    audit.assert_clean()


def test_office_and_executive_pages_have_no_serious_violations(page, city):
    """情報推進課's cycle list and work list, and the dashboard with its charts."""
    audit = AxeAudit()
    sign_in(page, "demo-joho")
    audit.check(page, "ホーム(進行管理)")
    page.goto(f"/cycles/{city['cycle'].pk}/")
    audit.check(page, "進行管理(課ごとの状況と実績報告)")
    page.goto(f"/cycles/{city['cycle'].pk}/summary/")
    audit.check(page, "集計表")
    page.goto("/dashboard/?year=2016")
    expect(page.locator("main svg").first).to_be_visible()
    audit.check(page, "ダッシュボード")
    audit.assert_clean()


def test_the_audit_catches_what_it_should_on_a_page_under_its_csp(page, transactional_db,
                                                                  live_server):
    """The harness itself: axe runs on a page served with the app's CSP and reports a serious
    violation (an image without alt text, pale text) planted in it."""
    response = page.goto("/accounts/login/")
    assert response.ok
    page.evaluate("""() => {
        const main = document.querySelector('main');
        const img = document.createElement('img');
        img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
        img.width = 20; img.height = 20;
        main.append(img);
        const pale = document.createElement('p');
        pale.textContent = '薄い文字';
        pale.style.color = '#ccc';
        main.append(pale);
    }""")
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "color-contrast"} <= found, found


def test_dashboard_charts_have_a_name_and_a_table_beside_them(page, city):
    """Each chart is an SVG named by its <title>, followed by a table with the same figures."""
    sign_in(page, "demo-exec")
    page.goto("/dashboard/?year=2016")
    charts = page.locator("main svg")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3
    for i in range(charts.count()):
        chart = charts.nth(i)
        title = chart.locator("xpath=./*[local-name()='title']")
        expect(title).to_have_count(1)
        assert title.text_content().strip()
        labelled_by = chart.get_attribute("aria-labelledby")
        assert labelled_by == title.get_attribute("id")
        # The figures are also in a table, after the chart and before the next section.
        table = chart.locator("xpath=following::table[1]")
        expect(table).to_be_visible()
        assert table.locator("th[scope=col]").count() >= 2


# ─── Errors announced ─────────────────────────────────────────────────────


def test_refused_sheet_says_so_in_the_title_and_ties_each_error_to_its_field(page, city):
    sign_in(page, "demo-staff-a")
    page.goto(EDIT_URL)
    expect(page).to_have_title(re.compile(r"^編集:"))
    page.get_by_label("事業期間(開始年度)").fill("abc")
    page.get_by_role("group", name="新しい指標を追加").get_by_label("指標名").fill("交付件数")
    page.get_by_role("group", name="新しい指標を追加").get_by_label(
        "29年度の目標値", exact=True).fill("-5")
    page.get_by_role("button", name="下書き保存").click()

    # The title is read first as the page loads; the summary is a status message.
    expect(page).to_have_title(re.compile(r"^エラー:編集:"))
    expect(page.get_by_role("status")).to_contain_text("入力内容に誤りがあります")
    invalid = page.locator("[aria-invalid=true]")
    expect(invalid).to_have_count(2)
    for i in range(2):
        field = invalid.nth(i)
        field_id = field.get_attribute("id")
        # Labelled, and described by its own error, which is an alert next to it.
        expect(page.locator(f"label[for='{field_id}']")).to_have_count(1)
        described_by = (field.get_attribute("aria-describedby") or "").split()
        assert f"{field_id}_error" in described_by, described_by
        error = page.locator(f"#{field_id}_error")
        expect(error).to_have_role("alert")
        expect(error).to_be_visible()
        expect(field).to_have_accessible_description(re.compile(re.escape(error.inner_text())))


# ─── Keyboard ─────────────────────────────────────────────────────────────


def focused(page):
    """What has the focus, and whether it shows: an outline or a box-shadow under :focus-visible."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
        return {
            tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
            text: (el.innerText || el.value || '').trim().slice(0, 40),
            focusVisible: el.matches(':focus-visible'),
            shows: outline || style.boxShadow !== 'none',
        };
    }""")


def test_skip_link_is_first_shows_when_focused_and_jumps_to_the_content(page, city):
    sign_in(page, "demo-staff-a")
    page.goto(SHEET_URL)
    skip = page.get_by_role("link", name="本文へ移動")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert focused(page)["shows"]
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab goes into the content, past the header's menu.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert page.evaluate("!document.querySelector('header').contains(document.activeElement)")


def test_sheet_is_edited_and_saved_with_the_keyboard_alone_and_focus_always_shows(page, city):
    """From the skip link, Tab through the edit form to 下書き保存, typing into 実施内容 on the
    way, and press Enter: the sheet is saved. Every stop shows where the focus is."""
    from projects.models import ProjectSheet

    sign_in(page, "demo-staff-a")
    page.goto(EDIT_URL)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # 本文へ移動
    expect(page.locator("main")).to_be_focused()

    activities = page.get_by_label("実施内容")
    save = page.get_by_role("button", name="下書き保存")
    stops, typed = [], False
    for _ in range(150):
        page.keyboard.press("Tab")
        now = focused(page)
        stops.append(now)
        assert now["focusVisible"] and now["shows"], f"focus does not show on {now}"
        if not typed and activities.evaluate("el => el === document.activeElement"):
            page.keyboard.type("キーボードだけで入力した内容")
            typed = True
        if save.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail(f"下書き保存 was not reached by Tab; the stops were {stops}")
    assert typed, "実施内容 was not reached by Tab before 下書き保存"
    assert len(stops) > 10  # went through the fields, not around them

    page.keyboard.press("Enter")
    # (The browser keeps the skip link's #main across the redirect.)
    expect(page).to_have_url(re.compile(re.escape(SHEET_URL) + r"(#main)?$"))
    expect(page.get_by_role("status")).to_be_visible()
    sheet = ProjectSheet.objects.get(project__plan__code=PLAN, project__code=CODE)
    assert sheet.activities == "キーボードだけで入力した内容"


# ─── Reflow (WCAG 1.4.10): 320 CSS px, as a 1280px screen at 400% zoom ────


OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
        // Data tables may scroll, inside their own box (.table-scroll).
        if (el.closest('.table-scroll')) continue;
        const right = el.getBoundingClientRect().right;
        const parent = el.parentElement.getBoundingClientRect().right;
        if (right > width + 1 && parent <= width + 1) {
            wide.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(right)}px)`);
        }
    }
    return {scrollWidth: document.documentElement.scrollWidth, width, wide};
}"""


@pytest.mark.browser_context_args(viewport={"width": 320, "height": 640})
def test_key_pages_reflow_to_320_css_pixels_without_scrolling_sideways(page, city):
    page.goto("/accounts/login/")
    pages = {"ログイン": page.evaluate(OVERFLOW)}
    sign_in(page, "demo-joho")  # 情報推進課: may edit every sheet, and has reports of its own
    for url, label in [
        ("/", "ホーム(進行管理)"),
        ("/plans/", "計画体系"),
        (SHEET_URL, "情報化事業シート"),
        (EDIT_URL, "シートの編集"),
        ("/cycles/mine/", "実績報告(自課)"),
        (f"/reports/{city['report'].pk}/", "実績報告"),
        (f"/cycles/{city['cycle'].pk}/", "進行管理"),
        (f"/cycles/{city['cycle'].pk}/summary/", "集計表"),
        ("/books/", "PDF の作成"),
        ("/dashboard/?year=2016", "ダッシュボード"),
        ("/api/tokens/", "API トークン"),
    ]:
        page.goto(url)
        expect(page.locator("main h1")).to_be_visible()
        pages[label] = page.evaluate(OVERFLOW)
    wide = {label: found for label, found in pages.items() if found["scrollWidth"] > found["width"]}
    assert not wide, f"pages wider than 320px: {wide}"

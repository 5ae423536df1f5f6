"""Browsing the plan as a member of staff would: sign in, read the tree, follow a 再掲.

Selectors are the ones a person (or a screen reader) uses: roles, accessible names,
labels and visible text. Assertions are Playwright's `expect`, which waits.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PLAN_NAME = "第二期昭島市情報化推進計画"
# 公共施設予約システムの利用促進: home entry under Ⅰ-2-2 (first project there), printed
# again 「(再掲)」 under Ⅰ-3-3 and Ⅲ-3-1.
RESERVATION = "公共施設予約システムの利用促進"
RESERVATION_URL = "/plans/second/projects/1-2-2-01/"


def url(live_server, path):
    return f"{live_server.url}{path}"


def projects_of(page, measure_code):
    """The list of projects printed under a measure of the tree (「Ⅲ-3-1 の主な事業や取り組み」)."""
    return page.get_by_role("list", name=f"{measure_code} の主な事業や取り組み", exact=True)


def entry(page, measure_code, project_name):
    return projects_of(page, measure_code).get_by_role("listitem").filter(
        has=page.get_by_role("link", name=project_name, exact=True)
    )


def test_anonymous_visitor_is_sent_to_a_japanese_login_form(page, live_server, seeded):
    page.goto("/plans/")

    expect(page).to_have_url(url(live_server, "/accounts/login/?next=/plans/"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1, name="ログイン")).to_be_visible()
    expect(page.get_by_label("ユーザー名")).to_be_visible()
    expect(page.get_by_label("パスワード")).to_be_visible()
    expect(page.get_by_label("パスワード")).to_have_attribute("type", "password")
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()
    # Signed out: no header menu.
    expect(page.get_by_role("button", name="ログアウト")).to_have_count(0)

    page.get_by_label("ユーザー名").fill("demo-staff-a")
    page.get_by_label("パスワード").fill("wrong-password")
    page.get_by_role("button", name="ログイン").click()

    expect(page.get_by_role("alert")).to_contain_text(
        re.compile(r"ユーザー名またはパスワードが違います")
    )
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", level=1, name="ログイン")).to_be_visible()
    expect(page.get_by_role("button", name="ログアウト")).to_have_count(0)

    # The form keeps `next`: the right password now leads to the page first asked for.
    page.get_by_label("パスワード").fill("demo")
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(url(live_server, "/plans/"))


@pytest.mark.browser_context_args(locale="en-US")
def test_login_error_is_japanese_whatever_the_browser_language(page, live_server, seeded):
    """The screens are Japanese only; Django's own messages must not follow Accept-Language."""
    page.goto("/accounts/login/?next=/plans/")
    page.get_by_label("ユーザー名").fill("demo-staff-a")
    page.get_by_label("パスワード").fill("wrong-password")
    page.get_by_role("button", name="ログイン").click()

    expect(page.get_by_role("alert")).to_contain_text(
        re.compile(r"ユーザー名またはパスワードが違います")
    )


def test_staff_member_signs_in_and_sees_the_plan_tree(page, live_server, seeded):
    # Straight to the login page, no `next`: department staff start on their
    # section's sheets (自課の事業), and the menu leads to the plan tree.
    page.goto("/accounts/login/")
    page.get_by_label("ユーザー名").fill("demo-staff-a")
    page.get_by_label("パスワード").fill("demo")
    page.get_by_role("button", name="ログイン").click()

    expect(page).to_have_url(url(live_server, "/sheets/"))
    expect(page.get_by_role("heading", level=1, name="自課の事業")).to_be_visible()
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="計画体系").click()
    expect(page).to_have_url(url(live_server, "/plans/"))
    expect(page.get_by_role("heading", level=1, name=PLAN_NAME)).to_be_visible()
    expect(page.get_by_role("region", name="情報化の基本理念")).to_contain_text(
        "アイシーティ(ICT)で期待に応えます"
    )
    tree = page.get_by_role("list", name="情報化施策体系", exact=True)
    for code, title in [
        ("Ⅰ", "市民ニーズに合った e(いい)行政サービスの提供"),
        ("Ⅱ", "市民から信頼される e(いい)行政運営の実現"),
        ("Ⅲ", "ともに支え合い 未来を育み 活気あふれる e(いい)まちづくりの推進"),
    ]:
        expect(
            tree.get_by_role("heading", level=2, name=re.compile(rf"^目標{code} "))
        ).to_contain_text(title)
    expect(tree.get_by_role("heading", level=2)).to_have_count(3)
    expect(page.get_by_role("link", name="計画体系")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()


def test_repost_entry_leads_to_the_one_project_page(page, live_server, login):
    login()
    expect(page.get_by_role("heading", level=1, name=PLAN_NAME)).to_be_visible()

    # 〔予定事業〕 is printed after the project not yet started.
    expect(
        entry(page, "Ⅰ-1-1", "動画制作・発信(市の魅力発信)").get_by_text("〔予定事業〕")
    ).to_be_visible()

    # Under Ⅲ-3-1 ICT活用による地域活性化の支援 the project is printed (再掲).
    expect(
        page.get_by_role("heading", level=4, name=re.compile(r"Ⅲ-3-1\s*ICT活用による地域活性化の支援"))
    ).to_be_visible()
    repost = entry(page, "Ⅲ-3-1", RESERVATION)
    expect(repost).to_have_count(1)
    expect(repost.get_by_text("(再掲)")).to_be_visible()
    # Its home entry is not marked (再掲); every entry links to the same page.
    home = entry(page, "Ⅰ-2-2", RESERVATION)
    expect(home.get_by_text("(再掲)")).to_have_count(0)
    for code in ("Ⅰ-2-2", "Ⅰ-3-3", "Ⅲ-3-1"):
        expect(entry(page, code, RESERVATION).get_by_role("link", name=RESERVATION)).to_have_attribute(
            "href", RESERVATION_URL
        )

    repost.get_by_role("link", name=RESERVATION, exact=True).click()

    expect(page).to_have_url(url(live_server, RESERVATION_URL))
    expect(page.get_by_role("heading", level=1, name=RESERVATION)).to_be_visible()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(4)  # the header and three placements

    def placement(code):
        return rows.filter(has=page.get_by_role("cell", name=code, exact=True))

    expect(placement("Ⅰ-2-2")).to_contain_text("主たる掲載")
    for code in ("Ⅰ-3-3", "Ⅲ-3-1"):
        expect(placement(code)).to_contain_text("(再掲)")
        expect(placement(code)).not_to_contain_text("主たる掲載")
    expect(placement("Ⅲ-3-1")).to_contain_text("ICT活用による地域活性化の支援")


def test_first_tab_focuses_the_skip_link(page, live_server, login):
    # Signed-in pages. (The login page is left out: Django's login form autofocuses
    # ユーザー名, so there the first Tab goes on to パスワード.)
    skip = page.get_by_role("link", name="本文へ移動")
    login()
    expect(page.get_by_role("heading", level=1, name=PLAN_NAME)).to_be_visible()

    for path in ("/plans/", RESERVATION_URL):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.keyboard.press("Tab")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()  # moved on screen when focused

    # Following it puts the keyboard in the main content.
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.get_by_role("main")).to_be_focused()


def test_tree_fits_a_phone_screen(page, live_server, login):
    page.set_viewport_size({"width": 375, "height": 667})
    login()
    expect(page.get_by_role("heading", level=1, name=PLAN_NAME)).to_be_visible()
    page.wait_for_load_state("load")

    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["inner"] == 375
    assert widths["scroll"] <= widths["inner"], f"horizontal scrollbar on a phone: {widths}"


def test_logout_returns_to_a_signed_out_state(page, live_server, login):
    login()
    expect(page.get_by_role("heading", level=1, name=PLAN_NAME)).to_be_visible()

    page.get_by_role("banner").get_by_role("button", name="ログアウト").click()

    # LOGOUT_REDIRECT_URL is the login page.
    expect(page).to_have_url(url(live_server, "/accounts/login/"))
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()
    expect(page.get_by_role("button", name="ログアウト")).to_have_count(0)
    expect(page.get_by_role("link", name="計画体系")).to_have_count(0)

    page.goto("/plans/")
    expect(page).to_have_url(url(live_server, "/accounts/login/?next=/plans/"))
    expect(page.get_by_role("heading", level=1, name="ログイン")).to_be_visible()


def test_pages_load_every_resource_they_ask_for(page, live_server, seeded):
    """No 404 behind the page (the browser asks for an icon, styles and scripts)."""
    failed = []
    page.on("response", lambda response: response.status >= 400 and failed.append((response.status, response.url)))
    # The icon is fetched outside the page's requests; a missing one shows as a console error.
    page.on("console", lambda message: message.type == "error" and failed.append(message.text))
    page.goto("/accounts/login/")
    page.get_by_label("ユーザー名").fill("demo-staff-a")
    page.get_by_label("パスワード").fill("demo")
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(re.compile(r"/sheets/|/plans/|/$"))
    page.goto("/plans/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    assert failed == []

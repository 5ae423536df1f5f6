"""「計画の選択」 in the browser: after the third plan is made current, 情報推進課 picks
the second plan on the cycle list, without any script, and opens its last 年次進行管理;
on a phone (390 px) every page with the choice fits the screen."""

import re

from playwright.sync_api import expect

from tests.factories import adopt_next_plan

PHONE = {"width": 390, "height": 844}
PAGES = ["/sheets/", "/cycles/", "/dashboard/", "/data/", "/books/", "/plans/"]


def test_the_ict_office_picks_the_outgoing_plan_and_opens_its_last_year(page, login):
    adopt_next_plan()
    login("demo-joho", next_url="/cycles/")
    choice = page.get_by_role("form", name="計画の選択")
    expect(choice.get_by_label("表示する計画")).to_have_value("third")
    choice.get_by_label("表示する計画").select_option("second")
    choice.get_by_role("button", name="表示").click()
    expect(page).to_have_url(re.compile(r"/cycles/\?plan=second$"))
    opening = page.get_by_role("form", name="第二期昭島市情報化推進計画の進行管理を開始する")
    opening.get_by_label("種類").select_option(label="年次進行管理")
    opening.get_by_label("対象年度").fill("令和2年度")
    opening.get_by_label("提出期限").fill("2021-05-31")
    opening.get_by_role("button", name="開始する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("令和2年度(2020年度) 年次進行管理")
    expect(page.get_by_text("第二期昭島市情報化推進計画 / 提出期限")).to_be_visible()


def test_on_a_phone_the_choice_fits_every_page(page, login):
    adopt_next_plan()
    login("demo-joho", next_url="/sheets/")
    page.set_viewport_size(PHONE)
    for url in PAGES:
        page.goto(f"{url}?plan=second")
        expect(page.get_by_label("表示する計画")).to_have_value("second")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
        page.screenshot(path=f"/tmp/plan-choice-{url.strip('/')}-phone.png")

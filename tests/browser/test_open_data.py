"""Open data in a browser, as a citizen on a phone: from /open/ to the catalogue, a
dataset's column page, and the CSV downloaded and read; each page fits the screen and
axe-core finds no serious or critical violation. Screenshots go to /tmp/open-data-*.png."""

import csv
import io

from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_open_pages import TWITTER, publish
from tests.browser.test_plan_book import PHONE, assert_fits


def test_a_citizen_finds_the_results_dataset_and_downloads_its_csv(page, seeded):
    publish()
    page.set_viewport_size(PHONE)
    page.goto("/open/")
    page.get_by_role("link", name="オープンデータの一覧").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("オープンデータ")
    page.screenshot(path="/tmp/open-data-catalogue-phone.png", full_page=True)
    assert describe(axe_violations(page)) == ""
    assert_fits(page)
    page.get_by_role("link", name="年度ごとの実績", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("年度ごとの実績")
    expect(page.get_by_role("row", name="implementation_status")).to_contain_text("実施状況")
    page.screenshot(path="/tmp/open-data-schema-phone.png", full_page=True)
    assert describe(axe_violations(page)) == ""
    assert_fits(page)
    with page.expect_download() as download:
        page.locator('a[href="/open/data/results.csv"]').click()
    assert download.value.suggested_filename == "results.csv"
    with open(download.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(io.StringIO(file.read())))
    twitter = next(row for row in rows if row["project_code"] == TWITTER)
    assert (twitter["fiscal_year"], twitter["progress"], twitter["decision"]) == ("2016", "○ 計画どおり", "拡充")

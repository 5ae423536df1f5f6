"""The open data files and pages as a browser, a proxy and a spreadsheet see them: no
login, cacheable, a BOM and a stable file name, the licence everywhere, nothing
unpublished in any file, and query counts flat with the data."""

import json
import shutil
import subprocess

import pytest
from django.test import Client
from django.utils import timezone

from publication.datasets import DATASETS
from tests.governance.conftest import count_queries
from tests.publication.conftest import TWITTER
from tests.publication.test_crawl import assert_nothing_planted, body_text, crawl
from tests.publication.test_pages import published_generated

ATTRIBUTION = "出典:昭島市 情報化推進計画 進行管理データ"
FILES = [f"/open/data/{base}{d.id}.{fmt}" for d in DATASETS.values() for base in ("", "plans/second/")
         for fmt in d.formats + ("csv-metadata.json",)]


def test_a_csv_is_utf8_with_a_bom_and_a_stable_file_name(client, published):
    response = client.get("/open/data/projects.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="projects.csv"'
    assert response.content.startswith(b"\xef\xbb\xbfplan_code,project_code,")
    assert b"\r\n" in response.content
    one_plan = client.get("/open/data/plans/second/projects.csv")
    assert one_plan["Content-Disposition"] == 'attachment; filename="second_projects.csv"'


def test_the_json_carries_the_metadata_and_the_licence(client, published):
    response = client.get("/open/data/plans/second/results.json")
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    assert {k: document[k] for k in ("dataset", "title", "plan", "publisher", "attribution", "updated")} == {
        "dataset": "results", "title": "年度ごとの実績", "plan": "second", "publisher": "昭島市",
        "attribution": ATTRIBUTION, "updated": timezone.localdate().isoformat()}
    assert document["license"]["id"] == "CC-BY-4.0"
    assert "政府標準利用規約(第2.0版)" in document["license"]["note"]
    assert document["csv"] == "/open/data/plans/second/results.csv"
    assert document["schema"] == "/open/data/plans/second/results.csv-metadata.json"


def test_the_csvw_metadata_describes_the_csv_it_sits_beside(client, published):
    metadata = json.loads(client.get("/open/data/projects.csv-metadata.json").content)
    assert metadata["url"] == "projects.csv"
    assert metadata["dc:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/deed.ja"}
    columns = {c["name"]: c for c in metadata["tableSchema"]["columns"]}
    header = client.get("/open/data/projects.csv").content.decode("utf-8-sig").splitlines()[0].split(",")
    assert list(columns) == header
    assert columns["project_code"]["dc:title"] == "事業コード"
    assert columns["reposted_item_paths"]["separator"] == ";"
    assert columns["is_planned"]["datatype"] == "boolean"
    assert metadata["tableSchema"]["primaryKey"] == ["plan_code", "project_code"]


def test_the_catalogue_lists_every_dataset_with_its_update_date_formats_and_licence(client, published):
    page = client.get("/open/data/").content.decode()
    for dataset in DATASETS.values():
        assert f'href="/open/data/{dataset.id}/"' in page and dataset.title in page
        assert f'href="/open/data/{dataset.id}.csv"' in page
        assert f'href="/open/data/plans/second/{dataset.id}.csv"' in page
    assert 'href="/open/data/results.json"' in page
    assert f'<time datetime="{timezone.localdate().isoformat()}">' in page
    assert "CC BY 4.0" in page and "政府標準利用規約(第2.0版)" in page and ATTRIBUTION in page
    assert 'href="/open/data/"' in client.get("/open/").content.decode()


def test_a_schema_page_explains_each_column_in_japanese(client, published):
    page = client.get("/open/data/results/").content.decode()
    assert "<h1>年度ごとの実績</h1>" in page
    for text in ("implementation_status", "実施状況", "「○ 計画どおり」", "「継続」", "日付(YYYY-MM-DD)",
                 "CC BY 4.0", ATTRIBUTION):
        assert text in page, text
    assert client.get("/open/data/nothing/").status_code == 404


@pytest.mark.parametrize("url", ["/open/data/", "/open/data/results/", "/open/data/results.csv",
                                 "/open/data/plans/second/results.json"])
def test_open_data_is_cacheable_by_a_proxy_read_only_and_needs_no_login(published, url):
    client = Client()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert response.cookies == {}
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.post(url).status_code == 405
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_crawl_reaches_every_download_and_finds_nothing_unpublished(published):
    client = Client(raise_request_exception=False)
    pages, statuses = crawl(client)
    assert set(FILES) <= set(pages)
    assert {u: status for u, status in statuses.items() if status != 200} == {}
    direct = [
        "/open/data/plans/third/projects.csv",  # in preparation
        "/open/data/plans/third/indicators.json",
        "/open/data/plans/first/results.csv",  # adopted but never published
        "/open/data/plans/nothing/projects.csv", "/open/data/nothing.csv", "/open/data/nothing.json",
        "/open/data/nothing.csv-metadata.json",
    ]
    for url in direct:
        response = client.get(url)
        assert response.status_code == 404, url
        pages[url] = body_text(response)
    assert_nothing_planted(pages)
    for url in FILES:  # nor any address of the plan in preparation or its project
        assert "/third/" not in pages[url] and published["third_project"].name not in pages[url], url


def test_query_counts_of_the_downloads_do_not_grow_with_the_data(client, seed, ict):
    small = published_generated(ict, code="small", projects=6)
    large = published_generated(ict, code="large", projects=40)
    urls = ["/open/data/", "/open/data/rs-indicators/"] + [
        f"/open/data/plans/{{}}/{d.id}.{fmt}" for d in DATASETS.values() for fmt in d.formats]
    for url in urls:
        few, _ = count_queries(client, url.format(small.code))
        many, _ = count_queries(client, url.format(large.code))
        assert many == few, url
        assert few <= 15, url
    both = client.get("/open/data/projects.csv").content.decode()  # the file of every published plan
    assert both.count("\r\nsmall,") == 6 and both.count("\r\nlarge,") == 40


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_csv_opens_in_libreoffice_with_its_japanese_and_its_codes_intact(client, published, tmp_path):
    for name in ("projects", "items", "indicator-results"):
        (tmp_path / f"{name}.csv").write_bytes(client.get(f"/open/data/{name}.csv").content)
    # The import dialog's choice for a file with a BOM: Unicode (UTF-8), comma, quote '"'.
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(tmp_path),
         *(str(tmp_path / f"{name}.csv") for name in ("projects", "items", "indicator-results"))],
        check=True, capture_output=True, timeout=180)
    from openpyxl import load_workbook

    def sheet(name):
        return list(load_workbook(tmp_path / f"{name}.xlsx").active.iter_rows(values_only=True))

    projects = sheet("projects")
    assert projects[0][:3] == ("plan_code", "project_code", "project_name")  # no stray BOM in A1
    twitter = next(row for row in projects if row[1] == TWITTER)  # a code stays text, not a date
    assert twitter[2] == "昭島市公式 Twitter(ツイッター)の利用促進"
    items = sheet("items")
    assert ("2-3-1", "Ⅱ-3-1") in {row[1:3] for row in items}  # not read as a date
    results = sheet("indicator-results")
    header, row = results[0], results[1]
    values = dict(zip(header, row))
    assert (values["fiscal_year"], values["actual_value"], values["achievement_rate"]) == (2016, 1250, 125)
    assert values["fiscal_year_label"] == "平成28年度"

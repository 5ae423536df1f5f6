"""Open data: each dataset's CSV and JSON hold the same rows, the values the public pages
show (the published fixture: Twitter with 1,000 followers as target every year, 1,250 in
FY2016, 125.0%), only what is published, and the files are what a reader's tools expect."""

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from governance.models import IndicatorResult
from plans.models import PlanEdit
from projects.models import AchievementMethod, ImprovementDirection, Indicator, IndicatorTarget, ProjectSheet
from publication import services
from publication.models import CyclePublication, PlanPublication
from publication.datasets import DATASETS
from tests.publication.conftest import MAIL, TWITTER

JSON_DATASETS = [d.id for d in DATASETS.values() if "json" in d.formats]
BOM = b"\xef\xbb\xbf"


def csv_rows(response):
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def json_document(response):
    assert response.status_code == 200
    return json.loads(response.content)


def rows_of(rows, **match):
    return [row for row in rows if all(row[key] == value for key, value in match.items())]


def as_csv_text(value):
    """How a JSON value reads in the CSV (the schema page's rules)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


@pytest.mark.parametrize("dataset", JSON_DATASETS)
@pytest.mark.parametrize("base", ["/open/data/", "/open/data/plans/second/"])
def test_the_csv_and_the_json_of_each_dataset_hold_the_same_rows(client, published, dataset, base):
    table = csv_rows(client.get(f"{base}{dataset}.csv"))
    document = json_document(client.get(f"{base}{dataset}.json"))
    names = [column["name"] for column in document["columns"]]
    header = next(csv.reader(io.StringIO(client.get(f"{base}{dataset}.csv").content.decode("utf-8-sig"))))
    assert header == names
    assert len(table) == len(document["rows"]) > 0
    for line, row in zip(table, document["rows"], strict=True):
        for name in names:
            value = row[name]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                assert Decimal(line[name]) == Decimal(str(value)), (dataset, name)
            else:
                assert line[name] == as_csv_text(value), (dataset, name)


def test_the_project_rows_say_what_the_project_pages_say(client, published):
    rows = csv_rows(client.get("/open/data/projects.csv"))
    assert len(rows) == published["plan"].projects.count()
    twitter = rows_of(rows, project_code=TWITTER)[0]
    assert twitter["plan_code"] == "second"
    assert twitter["project_name"] == "昭島市公式 Twitter(ツイッター)の利用促進"
    assert (twitter["home_item_path"], twitter["home_item_code"]) == ("1-1-1", "Ⅰ-1-1")
    assert (twitter["sheet_published"], twitter["objective"], twitter["activities"]) == (
        "true", "市の情報を即時に届ける", "公式アカウントで情報を発信する")
    assert twitter["page_url"].endswith(f"/open/projects/second/{TWITTER}/")
    page = client.get(f"/open/projects/second/{TWITTER}/").content.decode()
    assert twitter["project_name"] in page and twitter["objective"] in page
    # The mail service: a draft sheet (nothing of it yet) listed again under Ⅲ-1-1 (再掲).
    mail = rows_of(rows, project_code=MAIL)[0]
    assert (mail["sheet_published"], mail["objective"], mail["reposted_item_paths"]) == ("false", "", "3-1-1")
    mail_page = client.get(f"/open/projects/second/{MAIL}/").content.decode()
    assert "#item-3-1-1" in mail_page and "(再掲)" in mail_page


def test_the_items_are_the_tree_of_the_plan(client, published):
    rows = csv_rows(client.get("/open/data/plans/second/items.csv"))
    measure = rows_of(rows, item_path="2-3-1")[0]
    assert (measure["item_code"], measure["level_name"], measure["label"], measure["title"]) == (
        "Ⅱ-3-1", "情報化施策", "情報化施策Ⅱ-3-1", "情報セキュリティの強化")
    assert (measure["level_depth"], measure["parent_path"]) == ("3", "2-3")
    # Measure Ⅰ-3-3 as a whole is a 再掲 of Ⅰ-2-2 (plan p.16).
    assert rows_of(rows, item_path="1-3-3")[0]["reposted_from_path"] == "1-2-2"
    tree = client.get("/open/plans/second/").content.decode()
    assert all(f'id="item-{row["item_path"]}"' in tree for row in rows)


def test_the_results_hold_the_published_cycle_only(client, published):
    rows = csv_rows(client.get("/open/data/results.csv"))
    assert {row["fiscal_year"] for row in rows} == {"2016"}  # FY2017 is decided but not published
    twitter = rows_of(rows, project_code=TWITTER)[0]
    assert twitter == twitter | {
        "plan_code": "second", "fiscal_year": "2016", "fiscal_year_label": "平成28年度",
        "review_kind": "年次進行管理", "implementation_status": "継続", "progress": "○ 計画どおり",
        "direction": "継続", "decision": "継続", "published_on": timezone.localdate().isoformat(),
    }
    assert set(twitter) == {c.name for c in DATASETS["results"].columns}  # no comment, no reason, no person


def test_the_indicators_hold_a_target_for_every_year_of_the_plan(client, published):
    rows = rows_of(csv_rows(client.get("/open/data/indicators.csv")), project_code=TWITTER)
    assert [(r["fiscal_year"], r["fiscal_year_label"], r["target_value"]) for r in rows] == [
        ("2016", "平成28年度", "1000"), ("2017", "平成29年度", "1000"), ("2018", "平成30年度", "1000"),
        ("2019", "令和元年度", "1000"), ("2020", "令和2年度", "1000")]
    assert {(r["indicator_name"], r["unit"], r["indicator_kind"], r["direction"]) for r in rows} == {
        ("フォロワー数", "人", "活動指標", "上向き")}


@pytest.fixture
def more_indicators(published, twitter_sheet):
    """Two more indicators on Twitter's sheet with FY2016 actuals in the published cycle:
    問い合わせ件数 (smaller is better, measured from a baseline of 200 towards 100): 250 is
    (200 − 250) ÷ (200 − 100) = −50.0%; 満足度 without a target for FY2016."""
    report = published["cycle"].reports.get(sheet=twitter_sheet)
    calls = Indicator.objects.create(
        sheet=twitter_sheet, name="問い合わせ件数", unit="件", position=2, direction=ImprovementDirection.DOWN,
        achievement_method=AchievementMethod.PROGRESS, baseline_value=200, baseline_year=2015)
    IndicatorTarget.objects.create(indicator=calls, fiscal_year=2016, value=100)
    IndicatorResult.objects.create(report=report, indicator=calls, actual=250)
    satisfaction = Indicator.objects.create(sheet=twitter_sheet, name="満足度", unit="%", position=3)
    IndicatorResult.objects.create(report=report, indicator=satisfaction, actual=Decimal("80.5"))
    return calls, satisfaction


def test_the_indicator_results_carry_the_rate_of_governance_achievement(client, published, more_indicators):
    rows = rows_of(csv_rows(client.get("/open/data/indicator-results.csv")), project_code=TWITTER)
    picked = [(r["indicator_name"], r["fiscal_year"], r["target_value"], r["actual_value"], r["achievement_rate"],
               r["achievement_text"], r["achievement_method"]) for r in rows]
    assert picked == [
        ("フォロワー数", "2016", "1000", "1250", "125.0", "125.0%", "目標値に対する割合"),
        ("問い合わせ件数", "2016", "100", "250", "-50.0", "△50.0%", "基準値からの進捗"),
        ("満足度", "2016", "", "80.5", "", "算出不可(目標値が未設定)", "目標値に対する割合"),
    ]
    page = client.get(f"/open/projects/second/{TWITTER}/").content.decode()
    assert "125.0%" in page and "△50.0%" in page and "算出不可(目標値が未設定)" in page
    document = json_document(client.get("/open/data/indicator-results.json"))
    assert [(r["actual_value"], r["achievement_rate"]) for r in document["rows"]
            if r["project_code"] == TWITTER] == [(1250, 125.0), (250, -50.0), (80.5, None)]


# ─── The national 行政事業レビュー layout ─────────────────────────────────

RS_HEADER = [
    "計画コード", "事業コード", "事業名", "部", "課", "アクティビティ・アウトプット・アウトカムの番号", "種別",
    "アウトカムの期間", "成果目標の種類", "アクティビティ/活動目標/成果目標", "活動指標/成果指標", "単位",
    "改善の上向き/下向き", "成果実績及び目標値の根拠として用いた統計・データ名(出典)",
    "定性的なアウトカム目標を設定している理由", "定性的なアウトカムに関する成果実績", "基準値", "基準年度",
    "達成率の算定方法", "区分", "2016年度", "2017年度", "2018年度", "2019年度", "2020年度",
]


def test_the_rs_layout_has_four_rows_per_indicator_and_a_column_per_year(client, published, more_indicators):
    response = client.get("/open/data/plans/second/rs-indicators.csv")
    assert response.content.startswith(BOM)
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == RS_HEADER
    col = {name: index for index, name in enumerate(RS_HEADER)}
    twitter = [line for line in lines[1:] if line[col["事業コード"]] == TWITTER]
    assert len(twitter) == 3 * 4
    followers = twitter[:4]
    assert [line[col["区分"]] for line in followers] == ["1.目標年度", "2.目標値", "3.実績値", "4.達成率"]
    assert [line[col["2016年度"]] for line in followers] == ["2016", "1000", "1250", "125.0"]
    assert [line[col["2017年度"]] for line in followers] == ["2017", "1000", "", ""]
    assert {(line[col["種別"]], line[col["成果目標の種類"]], line[col["改善の上向き/下向き"]],
             line[col["活動指標/成果指標"]]) for line in followers} == {("アウトプット", "定量的", "上向き", "フォロワー数")}
    calls, satisfaction = twitter[4:8], twitter[8:]
    assert [line[col["2016年度"]] for line in calls] == ["2016", "100", "250", "-50.0"]
    assert (calls[0][col["基準値"]], calls[0][col["改善の上向き/下向き"]]) == ("200", "下向き")
    # A cell that cannot be a number keeps its words (as in the national files).
    assert [line[col["2016年度"]] for line in satisfaction] == ["", "", "80.5", "算出不可(目標値が未設定)"]


def test_the_rs_layout_is_a_download_of_its_own_with_a_schema(client, published):
    catalogue = client.get("/open/data/").content.decode()
    assert 'href="/open/data/rs-indicators.csv"' in catalogue
    assert 'href="/open/data/rs-indicators/"' in catalogue
    assert client.get("/open/data/rs-indicators.json").status_code == 404  # CSV only
    metadata = json_document(client.get("/open/data/rs-indicators.csv-metadata.json"))
    assert [c["titles"] for c in metadata["tableSchema"]["columns"]] == RS_HEADER


# ─── Withdrawing ─────────────────────────────────────────────────────────

def test_withdrawing_a_cycle_removes_its_rows_from_every_download_at_once(client, published, ict):
    before = client.get("/open/data/results.csv")
    services.withdraw_cycle(user=ict, cycle=published["cycle"], reason="数値の誤りが見つかったため")
    assert csv_rows(client.get("/open/data/results.csv")) == []
    assert json_document(client.get("/open/data/plans/second/results.json"))["rows"] == []
    assert csv_rows(client.get("/open/data/indicator-results.csv")) == []
    rs = csv_rows(client.get("/open/data/rs-indicators.csv"))
    assert [row["2016年度"] for row in rs if row["区分"] == "3.実績値"] == [""]
    # A proxy holding the old file revalidates and gets the new one.
    assert client.get("/open/data/results.csv", HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200
    # The targets stay: the plan is still published.
    assert len(rows_of(csv_rows(client.get("/open/data/indicators.csv")), project_code=TWITTER)) == 5


def test_withdrawing_the_plan_empties_the_files_and_its_own_addresses_are_gone(client, published, ict):
    services.withdraw_plan(user=ict, plan=published["plan"], reason="改訂版に差し替えるため")
    assert csv_rows(client.get("/open/data/projects.csv")) == []
    assert client.get("/open/data/plans/second/projects.csv").status_code == 404
    assert "第二期" not in client.get("/open/data/").content.decode()


# ─── Update dates ────────────────────────────────────────────────────────

def test_each_dataset_is_dated_by_the_last_change_of_what_it_holds(client, published, ict):
    PlanPublication.objects.update(published_on=date(2017, 6, 1))
    PlanEdit.objects.update(at=timezone.make_aware(datetime(2017, 5, 20, 12)))
    ProjectSheet.objects.update(updated_at=timezone.make_aware(datetime(2017, 7, 3, 12)))
    CyclePublication.objects.update(published_on=date(2017, 8, 10))

    def dates():
        page = client.get("/open/data/").content.decode()
        return {d: page.split(f'id="dataset-{d}"')[1].split('<time datetime="')[1][:10]
                for d in ("plans", "items", "projects", "indicators", "results", "indicator-results")}

    assert dates() == {"plans": "2017-06-01", "items": "2017-06-01", "projects": "2017-07-03",
                       "indicators": "2017-07-03", "results": "2017-08-10", "indicator-results": "2017-08-10"}
    assert json_document(client.get("/open/data/results.json"))["updated"] == "2017-08-10"
    services.withdraw_cycle(user=ict, cycle=published["cycle"], reason="数値の誤り")
    today = timezone.localdate().isoformat()
    assert dates() | {"results": today} == dates() and dates()["indicator-results"] == today


def test_the_plan_row_says_when_the_plan_was_adopted_as_the_plan_writes_it(client, published):
    """The seed plans record their 策定 as the book writes it (平成28年(2016年)5月, no day):
    the plans dataset carries that text beside the (empty) date."""
    plan = published["plan"]
    row = rows_of(csv_rows(client.get("/open/data/plans.csv")), plan_code="second")[0]
    assert row["adopted"] == plan.published and plan.published.startswith("平成28年")

"""The one fiscal-year formatter, at the era boundary and in the plan's own forms."""

from datetime import date

import pytest

from core import fiscal
from core.templatetags.fiscal_years import fy, fy_short

pytestmark = pytest.mark.db_agnostic  # a pure formatter

HEISEI = fiscal.ERAS_BY_NAME["平成"]


@pytest.mark.parametrize(
    ("year", "label"),
    [
        (2016, "平成28年度(2016年度)"),
        (2018, "平成30年度(2018年度)"),
        # FY2019 began under 平成 but is named by the new era (national convention).
        (2019, "令和元年度(2019年度)"),
        (2020, "令和2年度(2020年度)"),
        (1989, "平成元年度(1989年度)"),
        (1988, "昭和63年度(1988年度)"),
    ],
)
def test_long_label_names_the_fiscal_year_by_its_era(year, label):
    assert fiscal.fy_label(year) == label


@pytest.mark.parametrize(
    ("year", "short"),
    [(2016, "28年度"), (2018, "30年度"), (2019, "31年度"), (2020, "32年度")],
)
def test_short_form_in_the_plans_era_matches_the_printed_columns(year, short):
    # The sheet of 図3-2 heads its columns 28年度 … 32年度.
    assert fiscal.fy_short(year, HEISEI) == short


def test_short_form_without_an_era_uses_the_years_own_era():
    assert fiscal.fy_short(2019) == "元年度"
    assert fiscal.fy_short(2020) == "2年度"


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("平成32年度", 2020),
        ("平成31年度", 2019),
        ("令和元年度", 2019),
        ("令和2年度", 2020),
        ("平成28年度(2016年度)", 2016),
        ("令和元年度(2019年度)", 2019),
        ("2020", 2020),
        ("2020年度", 2020),
        ("2020年度", 2020),
        ("H32", 2020),
        ("r2", 2020),
        (" 平成 28 年度 ", 2016),
    ],
)
def test_input_accepts_the_forms_people_write(text, year):
    assert fiscal.parse_fiscal_year(text) == year


@pytest.mark.parametrize(
    "text",
    ["", "32年度", "平成年度", "平成0年度", "平成99年度", "昭和80年度", "令和2年度(2021年度)", "二〇二〇", "1800", "abc"],
)
def test_input_refuses_anything_else_with_a_japanese_message(text):
    with pytest.raises(ValueError, match="年度"):
        fiscal.parse_fiscal_year(text)


def test_range_leaves_an_open_end_open():
    assert fiscal.fy_range(2016, 2020) == "平成28年度(2016年度)〜令和2年度(2020年度)"
    assert fiscal.fy_range(2016, None) == "平成28年度(2016年度)〜"


def test_template_filters_use_the_same_formatter():
    assert fy(2019) == "令和元年度(2019年度)"
    assert fy_short(2020, HEISEI) == "32年度"
    assert fy(None) == ""


@pytest.mark.parametrize("era", [None, *fiscal.ERAS], ids=lambda era: era.name if era else "current")
def test_every_label_reads_back_as_its_year(era):
    """What the application writes (pages, Excel) it can read again: a year the
    plan's era cannot name (平成129年度) is written in the era in force."""
    for year in range(1926, 2201):
        assert fiscal.parse_fiscal_year(fiscal.fy_label(year, era)) == year


def test_a_plan_in_heisei_writes_far_years_in_reiwa():
    heisei = fiscal.ERAS_BY_NAME["平成"]
    assert fiscal.fy_label(2020, heisei) == "平成32年度(2020年度)"
    assert fiscal.fy_label(2117, heisei) == "令和99年度(2117年度)"


@pytest.mark.parametrize("day, label", [
    (date(2016, 5, 1), "平成28年(2016年)5月1日"),
    (date(2019, 4, 30), "平成31年(2019年)4月30日"),  # the last day of 平成
    (date(2019, 5, 1), "令和元年(2019年)5月1日"),
    (date(2021, 3, 25), "令和3年(2021年)3月25日"),
])
def test_a_date_is_written_as_the_city_writes_it(day, label):
    assert fiscal.day_label(day) == label
    assert fiscal.month_label(day) == label.rsplit("月", 1)[0] + "月"


def test_span_names_the_era_once_and_both_eras_across_a_change():
    """A review's years in its title (governance.ReviewCycle): 「平成28〜29年度」; FY2019 is 令和元年度."""
    assert fiscal.fy_span(2016, 2017) == "平成28〜29年度"
    assert fiscal.fy_span(2018, 2019) == "平成30年度〜令和元年度"
    assert fiscal.fy_span(2019, 2020) == "令和元〜2年度"
    assert fiscal.fy_span(2021, 2021) == "令和3年度"

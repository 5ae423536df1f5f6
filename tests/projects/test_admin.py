"""The admin of a sheet's parts, as 情報推進課 reads it: each row names its sheet
(事業コード and 事業名), years filter, values without trailing zeros."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Indicator, IndicatorTarget, ScheduleEntry


@pytest.fixture
def targets(shimin_sheet, kankyo_sheet):
    """The same indicator name on two sheets, a target per year: rows that look alike."""
    for sheet in (shimin_sheet, kankyo_sheet):
        indicator = Indicator.objects.create(sheet=sheet, name="取組の実施件数", unit="件", position=1)
        for year, value in zip(range(2016, 2021), ("10", "12.5", "14", "16", "18")):
            IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, value=Decimal(value))
    return IndicatorTarget.objects.filter(indicator__name="取組の実施件数")


def result_rows(response):
    """The change list's rows, as text per cell."""
    html = response.content.decode()
    body = re.search(r'<table id="result_list">.*?<tbody>(.*?)</tbody>', html, re.DOTALL).group(1)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)
    ]


@pytest.fixture
def office(client, demo_users):
    client.force_login(demo_users["demo-joho"])
    return client


def test_target_list_names_the_sheet_of_every_row(office, targets, shimin_sheet, kankyo_sheet):
    response = office.get(reverse("admin:projects_indicatortarget_changelist"), {"q": "取組の実施件数"})
    rows = result_rows(response)
    assert len(rows) == 10
    codes = {shimin_sheet.project.code: shimin_sheet.project.name, kankyo_sheet.project.code: kankyo_sheet.project.name}
    for row in rows:
        assert any(cell in codes for cell in row), row
        code = next(cell for cell in row if cell in codes)
        assert codes[code] in row
    values = sorted({row[-1] for row in rows})
    assert values == ["10", "12.5", "14", "16", "18"]  # not 10.00


def test_target_list_filters_by_year_and_searches_by_code(office, targets, shimin_sheet):
    changelist = reverse("admin:projects_indicatortarget_changelist")
    rows = result_rows(office.get(changelist, {"q": "取組の実施件数", "fiscal_year": "2016"}))
    assert len(rows) == 2 and all("10" in row for row in rows)
    rows = result_rows(office.get(changelist, {"q": shimin_sheet.project.code}))
    assert len(rows) == 5 and all(shimin_sheet.project.code in row for row in rows)
    page = office.get(changelist).content.decode()
    assert "平成28年度" in page  # the filter's years as people name them


def test_target_change_page_shows_its_sheet_and_a_plain_value(office, targets, shimin_sheet):
    target = targets.get(indicator__sheet=shimin_sheet, fiscal_year=2017)
    page = office.get(reverse("admin:projects_indicatortarget_change", args=[target.pk])).content.decode()
    assert shimin_sheet.project.code in page and shimin_sheet.project.name in page
    assert 'value="12.5"' in page and "12.50" not in page


@pytest.mark.parametrize("model", [Indicator, ScheduleEntry])
def test_indicator_and_schedule_lists_name_the_sheet(office, targets, shimin_sheet, model):
    opts = model._meta
    rows = result_rows(office.get(reverse(f"admin:projects_{opts.model_name}_changelist"),
                                  {"q": shimin_sheet.project.code}))
    assert rows and all(shimin_sheet.project.code in row and shimin_sheet.project.name in row for row in rows)
    obj = model.objects.filter(sheet=shimin_sheet).first()
    page = office.get(reverse(f"admin:projects_{opts.model_name}_change", args=[obj.pk])).content.decode()
    assert shimin_sheet.project.code in page and shimin_sheet.project.name in page

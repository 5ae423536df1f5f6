"""A report's edit form posted with tampered fields is refused with a 400 and a
Japanese message, and nothing is written."""

import pytest
from django.core import serializers

from governance.models import AnnualReport, IndicatorResult
from projects.models import Indicator, IndicatorTarget


def digest():
    """Every report and result as stored, to compare before and after a request."""
    return serializers.serialize("json", [*AnnualReport.objects.order_by("pk"),
                                          *IndicatorResult.objects.order_by("pk")])


@pytest.fixture
def edit(staff_client, shimin_report):
    """The edit form's URL and the data a browser would post, filled in."""
    url = f"/reports/{shimin_report.pk}/edit/"
    formset = staff_client.get(url).context["formset"]
    data = {"seen_version": shimin_report.version, "report-implementation_status": "continuing",
            "report-progress": "on_plan", "report-direction": "continue", "report-work_done": "周知した",
            **{formset.management_form[k].html_name: v for k, v in formset.management_form.initial.items()}}
    for i, result_form in enumerate(formset.forms):
        data[f"results-{i}-id"] = result_form.instance.pk
        data[f"results-{i}-actual"] = "950"
    return url, data


@pytest.fixture
def added_indicator(shimin_report):
    indicator = Indicator.objects.create(sheet=shimin_report.sheet, name="利用者数", unit="人", position=2)
    IndicatorTarget.objects.create(indicator=indicator, fiscal_year=2016, value=300)
    return indicator


def other_report_result(shimin_report):
    return IndicatorResult.objects.exclude(report=shimin_report).first()


def assert_refused(response, before):
    assert response.status_code == 400
    assert "送信された内容が正しくありません" in response.text
    assert digest() == before


def test_the_untampered_form_saves(staff_client, edit):
    url, data = edit
    assert staff_client.post(url, data).status_code == 302


@pytest.mark.parametrize("value", ["abc", "", "1.5", "99999999999999999999999"])
def test_a_seen_version_that_is_not_a_number_is_a_400(staff_client, edit, value):
    url, data = edit
    before = digest()
    assert_refused(staff_client.post(url, {**data, "seen_version": value}), before)


def test_a_missing_seen_version_is_a_400(staff_client, edit):
    url, data = edit
    data.pop("seen_version")
    before = digest()
    assert_refused(staff_client.post(url, data), before)


def test_a_result_row_of_another_report_is_a_400(staff_client, edit, shimin_report):
    url, data = edit
    other = other_report_result(shimin_report)
    assert other is not None
    before = digest()
    assert_refused(staff_client.post(url, {**data, "results-0-id": other.pk}), before)


@pytest.mark.parametrize("value", ["abc", "", "0", "-1"])
def test_a_result_row_id_that_is_no_row_is_a_400(staff_client, edit, value):
    url, data = edit
    before = digest()
    assert_refused(staff_client.post(url, {**data, "results-0-id": value}), before)


def test_more_initial_rows_than_the_report_has_is_a_400(staff_client, edit, shimin_report):
    url, data = edit
    rows = IndicatorResult.objects.filter(report=shimin_report).count()
    data.update({"results-INITIAL_FORMS": str(rows + 1), "results-TOTAL_FORMS": str(rows + 1),
                 f"results-{rows}-id": data["results-0-id"], f"results-{rows}-actual": "1"})
    before = digest()
    assert_refused(staff_client.post(url, data), before)


def test_an_existing_row_posted_as_a_new_one_is_a_400(staff_client, edit, shimin_report, added_indicator):
    """Fewer initial rows than posted: the surplus row (an existing id) would become the
    added indicator's new result with the other row's values."""
    url, data = edit
    data.update({"results-INITIAL_FORMS": "0", "results-TOTAL_FORMS": "1"})
    before = digest()
    assert_refused(staff_client.post(url, data), before)

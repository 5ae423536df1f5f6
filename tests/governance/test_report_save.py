"""The one write of a report's content (governance.cycles.services.save_reports):
plain data in, validation before any write, one version and one history row per
report with who and how, and a query count that does not grow with the rows."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.cycles.services import ReportChanges, StaleReportError, save_report
from governance.models import IndicatorResult
from projects.models import Indicator
from projects.revisions import Via
from tests.governance.conftest import fill


def add_indicators(report, count):
    indicators = Indicator.objects.bulk_create(
        Indicator(sheet=report.sheet, name=f"指標{n}", unit="件", position=10 + n) for n in range(count))
    IndicatorResult.objects.bulk_create(IndicatorResult(report=report, indicator=i) for i in indicators)


def changes_for(report, actual):
    return ReportChanges(fields={"work_done": f"実施 {actual}"},
                         results={r.indicator_id: {"actual": Decimal(actual), "note": ""} for r in report.results.all()})


def queries_of_save(user, report, actual):
    report.refresh_from_db()
    changes = changes_for(report, actual)
    with CaptureQueriesContext(connection) as queries:
        save_report(user=user, report=report, seen_version=report.version, changes=changes)
    return len(queries)


def test_a_save_costs_the_same_queries_for_one_result_row_or_many(demo_users, shimin_report):
    user = demo_users["demo-staff-a"]
    queries_of_save(user, shimin_report, 1)  # the first reads the user's roles once
    small = queries_of_save(user, shimin_report, 2)
    add_indicators(shimin_report, 12)
    assert queries_of_save(user, shimin_report, 3) == small


def test_a_save_writes_one_version_and_history_rows_marked_with_who_and_how(demo_users, shimin_report):
    user = demo_users["demo-staff-a"]
    version, rows = shimin_report.version, shimin_report.history.count()
    save_report(user=user, report=shimin_report, seen_version=version, changes=changes_for(shimin_report, 7))
    shimin_report.refresh_from_db()
    assert shimin_report.version == version + 1
    assert shimin_report.history.count() == rows + 1
    newest = shimin_report.history.first()
    assert (newest.history_user, newest.history_change_reason, newest.version) == (user, Via.PAGE, version + 1)
    result = shimin_report.results.get()
    assert (result.actual, result.history.first().history_user) == (7, user)


def test_an_invalid_or_stale_save_writes_nothing(demo_users, shimin_report):
    user = demo_users["demo-staff-a"]
    version, rows = shimin_report.version, shimin_report.history.count()
    with pytest.raises(ValidationError):
        save_report(user=user, report=shimin_report, seen_version=version, changes=changes_for(shimin_report, -1))
    with pytest.raises(StaleReportError):
        save_report(user=user, report=shimin_report, seen_version=version - 1, changes=changes_for(shimin_report, 3))
    shimin_report.refresh_from_db()
    assert (shimin_report.version, shimin_report.history.count()) == (version, rows)
    assert shimin_report.results.get().actual is None


def test_the_edit_form_shows_an_actual_as_typed_without_trailing_zeros(client, demo_users, shimin_report):
    fill(shimin_report, actual=Decimal(7))
    client.force_login(demo_users["demo-staff-a"])
    page = client.get(reverse("governance:report_edit", kwargs={"pk": shimin_report.pk})).content.decode()
    assert 'value="7"' in page and 'value="7.00"' not in page

"""An import costs a fixed number of queries, not one or more per row, and still
records every change in the history and refuses a report saved under it."""

import io
from datetime import date

import pytest

from accounts.models import Section
from exchange import services
from exchange.files import SheetSpec, read_upload, write_xlsx
from governance.cycles.services import open_cycle
from governance.models import AnnualReport, CycleKind, IndicatorResult
from governance.resources import ResultResource
from projects.models import Indicator, ProjectSheet
from projects.resources import ScheduleResource
from tests.exchange.conftest import digest

PER_SHEET = 5


@pytest.fixture
def many_results(demo_users, plan):
    """市民課 owns every sheet of the plan, each with PER_SHEET indicators, and a cycle is open."""
    shimin = Section.objects.get(code="shimin")
    sheets = list(ProjectSheet.objects.filter(project__plan=plan))
    ProjectSheet.objects.filter(pk__in=[s.pk for s in sheets]).update(section=shimin)
    Indicator.objects.bulk_create(
        Indicator(sheet=sheet, name=f"指標{n}", unit="件", position=n) for sheet in sheets for n in range(1, PER_SHEET + 1)
    )
    return open_cycle(user=demo_users["demo-joho"], plan=plan, kind=CycleKind.ANNUAL,
                      fiscal_year=2016, deadline=date(2017, 5, 31))


def results_file(user, cycle, rows, add):
    """The first `rows` rows of the 指標の実績 export, each 実績値 raised by `add`."""
    resource = ResultResource(user=user, cycle=cycle)
    dataset = resource.export(queryset=resource.export_queryset())
    dataset = dataset.subset(rows=range(rows)) if rows < len(dataset) else dataset
    column = dataset.headers.index("実績値")
    for index, values in enumerate(dataset):
        values = list(values)
        values[column] = (values[column] or 0) + add
        dataset[index] = values
    dataset.title = resource.title
    return read_upload(io.BytesIO(write_xlsx([SheetSpec(title=resource.title, dataset=dataset)])), "results.xlsx")


# The most statements of an import of one batch of rows (at the small size).
IMPORT_MOST = 40


def import_file(user, plan, upload):
    outcome = services.run_import(upload, user=user, plan=plan, commit=True)
    assert outcome.applied, outcome.errors
    return outcome


def test_queries_do_not_grow_with_rows_and_reports(demo_users, plan, many_results, django_assert_max_num_queries):
    user = demo_users["demo-staff-a"]
    total = IndicatorResult.objects.filter(report__cycle=many_results).count()
    assert total >= 150  # enough sheets of the plan are in the cycle for the comparison to mean something

    with django_assert_max_num_queries(IMPORT_MOST) as queries:
        outcome = import_file(user, plan, results_file(user, many_results, 20, 1))
    small = len(queries)
    assert outcome.changed_rows == 20
    with django_assert_max_num_queries(small + 6) as queries:  # see below for the 6
        outcome = import_file(user, plan, results_file(user, many_results, total, 2))
    large = len(queries)
    assert outcome.changed_rows == total
    # Both files are one batch (ExchangeResource.Meta.batch_size): the same statements,
    # except that on SQLite Django splits a long INSERT of history rows at the
    # database's parameter limit (a few more statements for 10× the rows), and the
    # first import reads the user's roles once.
    assert large < total / 5  # the write costs 1 statement per batch, not per row


def test_schedule_import_queries_do_not_grow_with_rows_and_sheets(demo_users, plan, many_results,
                                                                  django_assert_max_num_queries):
    user = demo_users["demo-staff-a"]

    def schedule_file(rows, text):
        resource = ScheduleResource(user=user, plan=plan)
        dataset = resource.export(queryset=resource.export_queryset())
        dataset = dataset.subset(rows=range(rows)) if rows < len(dataset) else dataset
        column = dataset.headers.index("実績")
        for index, values in enumerate(dataset):
            values = list(values)
            values[column] = text
            dataset[index] = values
        dataset.title = resource.title
        return read_upload(io.BytesIO(write_xlsx([SheetSpec(title=resource.title, dataset=dataset)])), "s.xlsx")

    total = len(ScheduleResource(user=user, plan=plan).export_queryset())
    assert total >= 150
    with django_assert_max_num_queries(IMPORT_MOST) as queries:
        outcome = import_file(user, plan, schedule_file(10, "実施"))
    small = len(queries)
    assert outcome.changed_rows == 10
    with django_assert_max_num_queries(small + 6) as queries:
        outcome = import_file(user, plan, schedule_file(total, "完了"))
    large = len(queries)
    assert outcome.changed_rows == total
    assert large < total / 5


def test_every_imported_change_has_its_history_and_one_version_bump_per_report(demo_users, plan, many_results):
    user = demo_users["demo-staff-a"]
    reports = {r.pk: (r.version, r.history.count()) for r in AnnualReport.objects.filter(cycle=many_results)}
    outcome = import_file(user, plan, results_file(user, many_results, 60, 7))
    changed = IndicatorResult.objects.filter(report__cycle=many_results, actual=7)
    assert changed.count() == 60
    for result in changed:
        newest = result.history.first()
        assert (newest.history_user, newest.history_type, newest.actual) == (user, "~", 7)
    touched = set(changed.values_list("report_id", flat=True))
    for report in AnnualReport.objects.filter(pk__in=reports):
        version, rows = reports[report.pk]
        if report.pk in touched:
            assert report.version == version + 1
            newest = report.history.first()
            assert (newest.history_user, newest.version) == (user, report.version)
            assert report.history.count() == rows + 1  # one row per report, however many results
        else:
            assert (report.version, report.history.count()) == (version, rows)


def test_report_saved_during_the_import_fails_the_whole_import(demo_users, plan, many_results, monkeypatch):
    user = demo_users["demo-staff-a"]
    upload = results_file(user, many_results, 30, 1)
    write = ResultResource.write

    def someone_saves_first(resource, results):
        AnnualReport.objects.filter(pk=results[-1].report_id).update(version=9)  # after the rows were checked
        write(resource, results)

    monkeypatch.setattr(ResultResource, "write", someone_saves_first)
    before = digest()
    outcome = services.run_import(upload, user=user, plan=plan, commit=True)
    assert not outcome.applied
    assert [e.message for e in outcome.errors] == [
        "取り込みの途中で他の利用者が実績報告を更新しました。もう一度取り込んでください。"]
    assert digest() == before

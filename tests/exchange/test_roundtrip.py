"""Export then import of the same file changes nothing, for every resource, in
xlsx and in CSV: no row is saved, no history row is written."""

import io

import pytest

from exchange import services
from exchange.files import read_upload, write_csv, write_xlsx
from governance.models import AnnualReport
from tests.exchange.conftest import SHIMIN_CODES, digest


@pytest.fixture
def filled(cycle):
    """A report with values in every vocabulary, so the round trip reads labels back."""
    report = AnnualReport.objects.get(cycle=cycle, sheet__project__code=SHIMIN_CODES[0])
    report.implementation_status, report.progress, report.direction = "continuing", "behind", "continue"
    report.work_done = "=SUM(A1) と書いた職員\n2行目"
    report.save()
    report.results.update(actual=950.5, note="-3 件の減")
    return report


@pytest.mark.parametrize("name", services.IMPORTABLE)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(demo_users, plan, filled, name, fmt):
    office = demo_users["demo-joho"]
    specs = services.export_specs(name, user=office, plan=plan)
    assert len(specs[0].dataset) > 0
    data = write_xlsx(specs) if fmt == "xlsx" else write_csv(specs[0].dataset)
    upload = read_upload(io.BytesIO(data), f"export.{fmt}")
    before = digest()
    outcome = services.run_import(upload, user=office, plan=plan, commit=True, resource_name=name)
    assert outcome.errors == [] and outcome.changes == []
    assert outcome.unchanged == len(specs[0].dataset)
    assert digest() == before


def test_section_template_round_trip_for_department_staff(demo_users, plan, filled):
    user = demo_users["demo-staff-a"]
    data = write_xlsx(services.section_template(user=user, plan=plan))
    before = digest()
    outcome = services.run_import(read_upload(io.BytesIO(data), "t.xlsx"), user=user, plan=plan, commit=True)
    assert outcome.ok and outcome.changes == []
    assert digest() == before


def test_template_holds_only_the_sections_own_projects(demo_users, plan, cycle):
    user = demo_users["demo-staff-a"]
    specs = {s.title: s for s in services.section_template(user=user, plan=plan)}
    assert sorted(specs["シート"].dataset["事業コード"]) == SHIMIN_CODES
    assert sorted(set(specs["実績報告"].dataset["事業コード"])) == SHIMIN_CODES
    assert {"事業コード", "事業名", "版"} <= specs["シート"].locked
    assert "版" in specs["指標の実績"].hidden
    assert specs["実績報告"].choices["進捗度"][0] == "○ 計画どおり"
    assert "実施状況" not in specs["実績報告"].locked

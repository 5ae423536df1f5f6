"""Fixtures of the Excel tests: 市民課's sheets with indicators, an open cycle,
and helpers that export, edit and read workbooks the way a user would."""

import hashlib
import io
from datetime import date

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Section
from exchange import services
from exchange.files import read_upload, write_xlsx
from governance.cycles.services import open_cycle
from governance.models import CycleKind
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry

SHIMIN_CODES = ["1-2-1-02", "1-2-1-03"]
KANKYO_CODE = "1-1-1-01"


@pytest.fixture
def plan(seed):
    return seed["second"]


@pytest.fixture
def shimin_sheets(demo_users, plan):
    """Two sheets of 市民課 (demo-staff-a) and one of 環境課 (demo-staff-b), each
    with an indicator, a target per plan year and a planned schedule."""
    shimin = Section.objects.get(code="shimin")
    kankyo = Section.objects.get(code="kankyo")
    sheets = []
    for code, section in [*((c, shimin) for c in SHIMIN_CODES), (KANKYO_CODE, kankyo)]:
        sheet = ProjectSheet.objects.get(project__plan=plan, project__code=code)
        sheet.section = section
        sheet.save()
        indicator = Indicator.objects.create(sheet=sheet, name="収納件数", unit="件", position=1)
        for year in plan.years:
            IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, value=1000)
        ScheduleEntry.objects.filter(sheet=sheet).update(planned="周知")
        sheets.append(sheet)
    return sheets


@pytest.fixture
def cycle(demo_users, shimin_sheets, plan):
    return open_cycle(user=demo_users["demo-joho"], plan=plan, kind=CycleKind.ANNUAL,
                      fiscal_year=2016, deadline=date(2017, 5, 31))


def template_bytes(user, plan, section=None):
    return write_xlsx(services.section_template(user=user, plan=plan, section=section))


def upload_of(data: bytes, name="template.xlsx"):
    return read_upload(io.BytesIO(data), name)


TABLES = [
    "projects.ProjectSheet", "projects.Indicator", "projects.IndicatorTarget", "projects.ScheduleEntry",
    "projects.HistoricalProjectSheet", "projects.HistoricalIndicator", "projects.HistoricalIndicatorTarget",
    "projects.HistoricalScheduleEntry", "governance.AnnualReport", "governance.IndicatorResult",
    "governance.HistoricalAnnualReport", "governance.HistoricalIndicatorResult", "plans.Project",
]


def digest():
    """A digest of every table an import could touch, to compare before and after."""
    h = hashlib.sha256()
    for label in TABLES:
        model = apps.get_model(label)
        h.update(serializers.serialize("json", model.objects.order_by("pk")).encode())
    return h.hexdigest()


def edit_xlsx(data: bytes, title: str, key: dict, values: dict) -> bytes:
    """Change cells of the row whose columns match `key`, as a user does in Excel."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    sheet = book[title]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if all(str(row[headers.index(k)].value) == str(v) for k, v in key.items()):
            for name, value in values.items():
                row[headers.index(name)].value = value
            break
    else:
        raise AssertionError(f"no row {key} in {title}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def post_file(client, data, name="t.xlsx", resource=""):
    return client.post(reverse("exchange:import_upload"),
                       {"file": SimpleUploadedFile(name, data), "resource": resource})

"""Excel in and out for a plan that is no longer current (issue #16): the data page's
「計画の選択」 decides which plan a section's workbook comes from and which plan an
upload goes into, so the second plan's last year can still be reported offline after
the third plan is made current."""

from datetime import date

import pytest
from django.urls import reverse

from governance.cycles.services import open_cycle
from governance.models import AnnualReport, CycleKind
from projects.models import ScheduleEntry
from tests.exchange.conftest import SHIMIN_CODES, digest, edit_xlsx
from tests.factories import adopt_next_plan

CODE = SHIMIN_CODES[0]


@pytest.fixture
def last_year(demo_users, plan, shimin_sheets):
    """The second plan's FY2020 cycle, opened before the third plan became current."""
    cycle = open_cycle(user=demo_users["demo-joho"], plan=plan, kind=CycleKind.ANNUAL, fiscal_year=2020,
                       deadline=date(2021, 5, 31))
    adopt_next_plan()
    return cycle


def workbook(client, plan_code):
    response = client.get(reverse("exchange:template_download"), {"plan": plan_code})
    assert response.status_code == 200
    data = edit_xlsx(response.content, "実績報告", {"事業コード": CODE}, {"実施した内容": "令和2年度に周知した"})
    return edit_xlsx(data, "スケジュール", {"事業コード": CODE, "年度": "平成32年度(2020年度)"}, {"実績": "周知した"})


def upload(client, data, query):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"{reverse('exchange:import_upload')}?{query}",
                           {"file": SimpleUploadedFile("t.xlsx", data), "resource": ""})
    assert response.status_code == 302
    return client.get(reverse("exchange:import_preview"))


def test_the_outgoing_plans_workbook_goes_back_into_that_plan(staff_client, plan, last_year):
    data = workbook(staff_client, "second")
    preview = upload(staff_client, data, "plan=second")
    assert preview.status_code == 200 and "取り込み先:第二期昭島市情報化推進計画" in preview.content.decode()
    token = staff_client.session["exchange_upload"]["token"]
    assert staff_client.post(reverse("exchange:import_preview"), {"token": token}).status_code == 302
    report = AnnualReport.objects.get(cycle=last_year, sheet__project__code=CODE)
    assert report.work_done == "令和2年度に周知した"
    assert ScheduleEntry.objects.get(sheet__project__plan=plan, sheet__project__code=CODE,
                                     fiscal_year=2020).actual == "周知した"


def test_without_a_choice_the_upload_goes_into_the_current_plan_and_nothing_is_written(staff_client, last_year):
    """The third plan has no project 1-2-1-02: every row of the second plan's file is refused."""
    data = workbook(staff_client, "second")
    before = digest()
    preview = upload(staff_client, data, "")
    assert preview.status_code == 200 and "取り込み先:第三期昭島市情報化推進計画" in preview.content.decode()
    assert preview.context["outcome"].errors
    token = staff_client.session["exchange_upload"]["token"]
    assert staff_client.post(reverse("exchange:import_preview"), {"token": token}).status_code == 400
    assert digest() == before


def test_the_import_page_says_where_the_file_goes_and_goes_back_to_the_same_plan(staff_client, last_year):
    html = staff_client.get(reverse("exchange:import_upload"), {"plan": "second"}).content.decode()
    assert "取り込み先の計画:<strong>第二期昭島市情報化推進計画" in html
    assert f'href="{reverse("exchange:data_index")}?plan=second"' in html


def test_the_commands_take_the_outgoing_plan_by_its_code(plan, last_year, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    out = tmp_path / "schedule.xlsx"
    call_command("export_data", "schedule", "--output", str(out), "--user", "demo-staff-a", "--plan", "second")
    out.write_bytes(edit_xlsx(out.read_bytes(), "スケジュール", {"事業コード": CODE, "年度": "平成32年度(2020年度)"},
                              {"実績": "コマンドで"}))
    stdout = StringIO()
    call_command("import_data", "schedule", str(out), "--user", "demo-staff-a", "--plan", "second", stdout=stdout)
    assert "変更 1 行" in stdout.getvalue()
    assert ScheduleEntry.objects.get(sheet__project__plan=plan, sheet__project__code=CODE,
                                     fiscal_year=2020).actual == "コマンドで"

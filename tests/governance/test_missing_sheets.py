"""Every project has its sheet, and a cycle never silently skips one that has none."""

from datetime import date

import pytest
from django.urls import reverse

from governance.models import CycleKind
from plans import structure
from plans.models import PlanItem, Project
from projects.authoring import add_project
from projects.models import ProjectSheet, ScheduleEntry


@pytest.fixture
def joho_client(client, demo_users):
    client.force_login(demo_users["demo-joho"])
    return client


def test_a_project_added_through_the_authoring_service_has_its_sheet_with_a_row_per_plan_year(seed):
    item = PlanItem.objects.get(plan__code="second", code="Ⅰ-1-2")
    project = add_project(item, name="新しい事業")
    # Home Ⅰ-1-2 already lists two projects of its own: the third gets serial 03.
    assert project.code == "1-1-2-03"
    sheet = ProjectSheet.objects.get(project=project)
    assert list(ScheduleEntry.objects.filter(sheet=sheet).order_by("fiscal_year")
                .values_list("fiscal_year", flat=True)) == [2016, 2017, 2018, 2019, 2020]


def test_every_seed_project_has_a_sheet(seed):
    assert not Project.objects.filter(plan__code="second", sheet__isnull=True).exists()


def test_cycle_page_warns_about_and_lists_projects_without_a_sheet(joho_client, seed):
    item = PlanItem.objects.get(plan__code="second", code="Ⅰ-1-2")
    # A project made by the plan service alone, as an older import would have left it.
    bare = structure.create_project(item, name="シートのない事業")
    text = joho_client.get(reverse("governance:cycle_list")).text
    assert "情報化事業シートがない事業が 1 件あります。" in text
    assert "1-1-2-03" in text and "シートのない事業" in text

    response = joho_client.post(reverse("governance:create_missing_sheets"), follow=True)
    assert "1 件の事業に情報化事業シートを作成しました。" in response.text
    assert ProjectSheet.objects.filter(project=bare).exists()
    assert "情報化事業シートがない事業" not in joho_client.get(reverse("governance:cycle_list")).text


def test_opening_a_cycle_says_how_many_projects_got_no_report_for_want_of_a_sheet(joho_client, seed):
    item = PlanItem.objects.get(plan__code="second", code="Ⅰ-1-2")
    structure.create_project(item, name="シートのない事業")
    structure.create_project(item, name="もう一つシートのない事業")
    response = joho_client.post(reverse("governance:cycle_open"), {
        "kind": CycleKind.ANNUAL, "fiscal_year": "2016", "deadline": "2017-05-31",
    }, follow=True)
    assert response.status_code == 200
    assert "情報化事業シートがない事業が 2 件あり、その実績報告は作成していません。" in response.text


def test_only_the_ict_office_creates_missing_sheets(client, demo_users):
    client.force_login(demo_users["demo-staff-a"])
    assert client.post(reverse("governance:create_missing_sheets")).status_code == 403

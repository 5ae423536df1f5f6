"""The admin: every model registered, in Japanese, usable by 情報推進課."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.conftest import admin_form_data

OUR_APPS = {"accounts", "plans", "projects", "governance"}


def our_models():
    # History tables are shown through each model's 「履歴」 page, not on their own.
    return [
        m for m in apps.get_models()
        if m._meta.app_label in OUR_APPS and not hasattr(m, "instance_type")
    ]


def test_every_model_of_our_apps_is_in_the_admin():
    models = our_models()
    assert models
    missing = [m.__name__ for m in models if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.parametrize(
    "model", our_models(), ids=lambda m: m.__name__
)
def test_admin_lists_search_and_add_pages_work_for_ict_office(client, demo_users, model):
    client.force_login(demo_users["demo-joho"])
    opts = model._meta
    if not demo_users["demo-joho"].has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        pytest.skip("not part of 情報推進課's master data")
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = client.get(changelist, {"q": "情報"})
    assert response.status_code == 200
    # Japanese labels: the verbose names are not the English class names.
    assert opts.verbose_name != opts.model_name
    first = model.objects.first()
    if first is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
        assert client.get(change).status_code == 200


def test_department_staff_cannot_use_the_admin(client, demo_users):
    client.force_login(demo_users["demo-staff-a"])
    response = client.get(reverse("admin:plans_project_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_sheet_changed_in_the_admin_is_a_new_version_and_stales_open_edit_forms(client, demo_users):
    from django.contrib.auth import get_user_model

    from projects.models import ProjectSheet
    from tests.projects.conftest import edit_url, form_data

    sheet = ProjectSheet.objects.get(project__plan__code="second", project__code="2-3-1-01")  # 情報推進課's
    office = client.__class__()
    office.force_login(demo_users["demo-joho"])
    opened = form_data(office, sheet, **{"sheet-activities": "編集画面の入力", "draft": "1"})
    root = get_user_model().objects.create_superuser("root", "r@example.com", "pw-only-for-tests")
    client.force_login(root)
    url = reverse("admin:projects_projectsheet_change", args=[sheet.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="legal_basis"' in page.text  # a superuser may change it
    data = {**admin_form_data(page), "legal_basis": "管理画面での変更", "_save": "保存"}
    assert client.post(url, data).status_code == 302
    sheet.refresh_from_db()
    assert (sheet.legal_basis, sheet.version, sheet.updated_by) == ("管理画面での変更", 2, root)
    assert sheet.history.first().version == 2  # the 履歴 names the version
    assert office.post(edit_url(sheet), opened).status_code == 409  # refused, not overwritten
    sheet.refresh_from_db()
    assert sheet.legal_basis == "管理画面での変更"


def test_an_agenda_item_and_a_report_are_named_by_their_project(demo_users):
    from datetime import date

    from governance.cycles.services import open_cycle
    from governance.models import AgendaItem, Body, BodyKind, CycleKind, Meeting
    from plans.models import Plan

    cycle = open_cycle(user=demo_users["demo-joho"], plan=Plan.objects.get(code="second"), kind=CycleKind.ANNUAL,
                       fiscal_year=2016, deadline=date(2017, 5, 31))
    report = cycle.reports.select_related("sheet__project").first()
    assert str(report).startswith(f"{report.sheet.project.code} {report.sheet.project.name}")
    meeting = Meeting.objects.create(body=Body.objects.get(kind=BodyKind.COMMITTEE), cycle=cycle,
                                     title="検討会議", held_on=date(2017, 6, 1), prepared_by=demo_users["demo-joho"])
    item = AgendaItem.objects.create(meeting=meeting, report=report, position=1)
    assert str(item) == f"議題1 {report.sheet.project.name}"


@pytest.mark.parametrize("model_name", ["annualreport", "indicatorresult"])
def test_a_reports_content_cannot_be_changed_in_the_admin_even_by_a_superuser(client, demo_users, model_name):
    """The report's content has one write path (governance.cycles.services), which checks
    state, section and version: the admin shows it and its history, and refuses changes."""
    from datetime import date

    from accounts.models import User
    from governance.cycles.services import open_cycle
    from governance.models import AnnualReport, CycleKind, IndicatorResult
    from plans.models import Plan

    cycle = open_cycle(user=demo_users["demo-joho"], plan=Plan.objects.get(code="second"),
                       kind=CycleKind.ANNUAL, fiscal_year=2016, deadline=date(2017, 5, 31))
    model = {"annualreport": AnnualReport, "indicatorresult": IndicatorResult}[model_name]
    row = model.objects.filter(**({"cycle": cycle} if model is AnnualReport else {"report__cycle": cycle})).first()
    if row is None:
        from projects.models import Indicator

        report = cycle.reports.first()
        indicator = Indicator.objects.create(sheet=report.sheet, name="件数", unit="件", position=1)
        row = IndicatorResult.objects.create(report=report, indicator=indicator)
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-for-tests-only"))
    url = reverse(f"admin:governance_{model_name}_change", args=[row.pk])
    assert client.get(url).status_code == 200  # shown, read-only
    before = list(model.objects.filter(pk=row.pk).values())
    response = client.post(url, {"work_done": "管理画面で書き換え", "actual": "999"})
    assert response.status_code == 403
    assert list(model.objects.filter(pk=row.pk).values()) == before
    assert client.get(reverse(f"admin:governance_{model_name}_add")).status_code == 403

import pytest

from accounts.models import Section
from plans.models import MasterPlanCode
from projects.models import ProjectSheet


@pytest.fixture
def shimin_sheet(demo_users):
    """A seed sheet given to 市民部市民課 (demo-staff-a's and demo-kacho's section)."""
    sheet = ProjectSheet.objects.get(project__plan__code="second", project__code="1-2-1-02")
    sheet.section = Section.objects.get(code="shimin")
    sheet.save()
    return sheet


@pytest.fixture
def kankyo_sheet(demo_users):
    """A seed sheet given to 環境部環境課 (demo-staff-b's section)."""
    sheet = ProjectSheet.objects.get(project__plan__code="second", project__code="3-1-1-01")
    sheet.section = Section.objects.get(code="kankyo")
    sheet.save()
    return sheet


@pytest.fixture
def master_code(db):
    return MasterPlanCode.objects.create(code="T-1", title="テスト施策")


def edit_url(sheet):
    return f"/sheets/{sheet.project.plan.code}/{sheet.project.code}/edit/"


def form_data(client, sheet, **changes):
    """The edit form's data as the browser would post it unchanged, plus `changes`."""
    response = client.get(edit_url(sheet))
    assert response.status_code == 200
    edit = response.context["edit"]
    data = {"seen_version": response.context["seen_version"]}
    for form_or_set in (edit.sheet_form, edit.indicator_formset, edit.schedule_formset):
        forms = [form_or_set] if not hasattr(form_or_set, "forms") else [
            form_or_set.management_form, *form_or_set.forms
        ]
        for form in forms:
            for bound in form:
                value = bound.value()
                if value is None or value is False:
                    continue
                data[bound.html_name] = value
                if bound.field.show_hidden_initial:  # rendered beside it, as a browser posts
                    data[bound.html_initial_name] = value
    data.update(changes)
    return data

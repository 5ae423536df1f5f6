import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Section
from plans.models import MasterPlanCode
from projects.forms import IndicatorFormSet, ScheduleFormSet, SheetEdit, SheetForm
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry


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


def form_data_from(response):
    """The data a browser would post back from a re-rendered form, unchanged."""
    import re
    from html import unescape

    text = response.text
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', text):
        data[name] = unescape(value)
    for attrs in re.findall(r"<input([^>]*)>", text):
        name = re.search(r'name="([^"]+)"', attrs)
        if name and 'type="checkbox"' in attrs:
            data.pop(name.group(1), None)
            if " checked" in attrs:
                data[name.group(1)] = "on"
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', text, re.S):
        data[name] = unescape(value)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', text, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    data.pop("csrfmiddlewaretoken", None)
    data["draft"] = "1"
    return data


def edit_for(sheet, **changes):
    """The sheet and a bound, valid SheetEdit that changes `changes`, as a service call takes it."""
    sheet = ProjectSheet.objects.with_details().get(pk=sheet.pk)
    base = SheetForm(instance=sheet, prefix="sheet")
    data = {}
    for bound in base:
        value = bound.value()
        if value not in (None, False):
            data[bound.html_name] = value
            data[bound.html_initial_name] = value
    for prefix in ("indicators", "schedule"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    plan = sheet.project.plan
    edit = SheetEdit(
        sheet_form=SheetForm(data, instance=sheet, prefix="sheet"),
        indicator_formset=IndicatorFormSet(
            data, instance=sheet, prefix="indicators", queryset=Indicator.objects.none(),
            form_kwargs={"years": plan.years, "era": plan.era},
        ),
        schedule_formset=ScheduleFormSet(data, instance=sheet, prefix="schedule"),
    )
    assert edit.sheet_form.is_valid(), edit.sheet_form.errors
    assert edit.indicator_formset.is_valid() and edit.schedule_formset.is_valid()
    return sheet, edit


def count_queries(client, url):
    """The queries of one GET that must answer 200 (for comparisons between two requests;
    a budget is better checked with pytest-django's django_assert_max_num_queries)."""
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


# A new indicator of the edit form, as a browser posts it.
INDICATOR = {
    "indicators-0-name": "予約システムの利用件数",
    "indicators-0-unit": "件",
    "indicators-0-kind": "output",
    "indicators-0-direction": "up",
    "indicators-0-target_2017": "120",
}


def table_digest():
    """Every row of the sheet tables and their history, to prove nothing changed."""
    models = [ProjectSheet, Indicator, IndicatorTarget, ScheduleEntry]
    models += [m.history.model for m in models]
    return {m.__name__: sorted(map(repr, m.objects.values_list())) for m in models}

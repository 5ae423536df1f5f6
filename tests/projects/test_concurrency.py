"""Two saves of the same sheet at the same moment: exactly one wins, nothing is lost.

Runs with real transactions and two threads (two database connections), on
SQLite (IMMEDIATE transactions) and on PostgreSQL in CI.
"""

import threading

import pytest
from django.db import connections

from accounts.services import create_demo_users, load_organisation
from plans.services import load_seed_plans
from projects.forms import IndicatorFormSet, ScheduleFormSet, SheetEdit, SheetForm
from projects.models import Indicator, ProjectSheet
from projects.services import StaleSheetError, Via, ensure_sheets, save_sheet


def edit_for(sheet, **changes):
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


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_one_wins_and_one_is_refused():
    load_organisation()
    for plan in load_seed_plans():
        ensure_sheets(plan=plan)
    users = {u.username: u for u in create_demo_users()}
    sheet = ProjectSheet.objects.get(project__code="2-3-1-01")
    barrier = threading.Barrier(2)
    outcomes = {}

    def save(username, text):
        try:
            mine, edit = edit_for(sheet, **{"sheet-activities": text})
            barrier.wait(timeout=10)
            save_sheet(user=users[username], sheet=mine, seen_version=1, changes=edit.changes(complete=False),
                       via=Via.PAGE)
            outcomes[username] = "saved"
        except StaleSheetError:
            outcomes[username] = "refused"
        except Exception as error:  # reported by the assertion below
            outcomes[username] = repr(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=("demo-joho", "事務局の内容")),
        threading.Thread(target=save, args=("demo-bucho", "部長の内容")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["refused", "saved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    sheet.refresh_from_db()
    assert sheet.version == 2
    assert sheet.updated_by.username == winner
    assert sheet.activities == {"demo-joho": "事務局の内容", "demo-bucho": "部長の内容"}[winner]
    assert sheet.history.filter(version=2).count() == 1

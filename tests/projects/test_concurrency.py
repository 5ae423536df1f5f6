"""Two saves of the same sheet at the same moment: exactly one wins, nothing is lost.

Runs with real transactions and two threads (two database connections), on
SQLite (IMMEDIATE transactions) and on PostgreSQL in CI.
"""

import threading

import pytest
from django.db import connections

from accounts.services import create_demo_users, load_organisation
from plans.services import load_seed_plans
from projects.models import ProjectSheet
from projects.services import StaleSheetError, Via, ensure_sheets, save_sheet
from tests.projects.conftest import edit_for


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

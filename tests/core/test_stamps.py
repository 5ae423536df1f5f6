"""Two departments' writes do not wait for each other because of the data stamps
(core.stamps): the stamps change after the commit, holding no lock during the
transaction. Real transactions, two threads (two connections), on PostgreSQL; the
rest of core.stamps is tested through the pages, in tests/governance/test_page_cache.py."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections, transaction

from accounts.models import Section
from accounts.services import create_demo_users, load_organisation
from core import stamps
from governance.models import AnnualReport, ReviewCycle
from plans.services import load_seed_plans
from projects.models import Indicator, IndicatorTarget, ProjectSheet
from projects.services import ensure_sheets

HOLD = 2.0  # seconds the first department keeps its transaction open
BOUND = 0.5  # seconds the second one's writes may take meanwhile


def sheets_of_two_sections():
    """Two sheets of different sections, each with a target and a report."""
    load_organisation()
    for plan in load_seed_plans():
        ensure_sheets(plan=plan)
    joho = next(u for u in create_demo_users() if u.username == "demo-joho")
    first, second = (ProjectSheet.objects.select_related("project__plan").get(
        project__plan__code="second", project__code=code) for code in ("1-2-1-02", "3-1-1-01"))
    for sheet, section in ((first, "shimin"), (second, "kankyo")):
        sheet.section = Section.objects.get(code=section)
        sheet.save()
    cycle = ReviewCycle.objects.create(plan=first.project.plan, fiscal_year=first.project.plan.start_year,
                                       deadline=date(first.project.plan.start_year + 1, 5, 31), opened_by=joho)
    for sheet in (first, second):
        indicator = Indicator.objects.create(sheet=sheet, name="利用件数")
        IndicatorTarget.objects.create(indicator=indicator, fiscal_year=cycle.fiscal_year, value=10)
        AnnualReport.objects.create(cycle=cycle, sheet=sheet, section_id=sheet.section_id)
    return first, second


def write(sheet, text):
    """What a department's save writes: its sheet, a target, its report (save() each,
    so the stamps' receivers run as on every write)."""
    sheet = ProjectSheet.objects.get(pk=sheet.pk)
    sheet.activities = text
    sheet.save()
    target = IndicatorTarget.objects.get(indicator__sheet=sheet)
    target.value += 1
    target.save()
    report = AnnualReport.objects.get(sheet=sheet)
    report.work_done = text
    report.save()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite runs one write transaction at a time by design, so a second writer "
                           "always waits for the first; row locks exist on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_write_held_open_does_not_delay_another_sections_write():
    first, second = sheets_of_two_sections()
    before = stamps.current("plans", "work")
    written = threading.Event()
    outcome = {}

    def first_department():
        try:
            with transaction.atomic():
                write(first, "市民課の保存")
                written.set()
                time.sleep(HOLD)  # kept open while the other department saves
        except Exception as error:  # noqa: BLE001 (reported by the assertions below)
            outcome["first"] = repr(error)
        finally:
            written.set()
            connections.close_all()

    def second_department():
        try:
            written.wait(timeout=30)
            start = time.monotonic()
            with transaction.atomic():
                write(second, "環境政策課の保存")
            outcome["second"] = time.monotonic() - start
        except Exception as error:  # noqa: BLE001
            outcome["second"] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first_department), threading.Thread(target=second_department)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert "first" not in outcome, outcome
    assert isinstance(outcome["second"], float), outcome
    assert outcome["second"] < BOUND, f"the second department waited {outcome['second']:.2f} s"
    after = stamps.current("plans", "work")
    assert after.split("-")[1] != before.split("-")[1]  # both commits bumped "work" after all
    assert ProjectSheet.objects.get(pk=first.pk).activities == "市民課の保存"
    assert ProjectSheet.objects.get(pk=second.pk).activities == "環境政策課の保存"

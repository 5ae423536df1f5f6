"""Cached parts of pages (core.stamps): a commit that wrote a watched model changes
its area's stamp, after the commit and never during the transaction; a cached page
shows a write right after it; a cached page costs fewer queries, as many whatever the
size of the data. The report page shows when a report last changed instead of its
lock counter.

A test runs in a transaction that is rolled back at its end: the commits are played
by django_capture_on_commit_callbacks(execute=True), as in the mail tests."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import stamps
from governance.cycles.services import submit_report
from plans.models import Project
from projects.models import IndicatorTarget
from tests.governance.conftest import fill
from tests.governance.conftest import count_queries, generated_cycle


def test_each_kind_of_write_changes_its_area_after_the_commit(
        cycle, shimin_report, django_capture_on_commit_callbacks):
    before = stamps.current("plans", "work")
    sheet = shimin_report.sheet
    with django_capture_on_commit_callbacks(execute=True):
        sheet.objective = "目標を書き直した"  # shown by no cached part
        sheet.save()
    assert stamps.current("plans", "work") == before
    with django_capture_on_commit_callbacks(execute=True):
        target = IndicatorTarget.objects.filter(indicator__sheet=sheet).first()
        target.value += 1  # the dashboard's achievement counts it
        target.save()
        assert stamps.current("plans", "work") == before  # not before the commit
    after_target = stamps.current("plans", "work")
    assert after_target.split("-")[0] == before.split("-")[0] and after_target != before
    with django_capture_on_commit_callbacks(execute=True):
        project = Project.objects.get(pk=sheet.project_id)
        project.name = "名前を変えた事業"
        project.save()
    assert stamps.current("plans", "work").split("-")[0] != after_target.split("-")[0]


def test_a_transaction_bumps_each_area_once(shimin_report, django_capture_on_commit_callbacks):
    before = stamps.current("work")
    with django_capture_on_commit_callbacks(execute=True):
        fill(shimin_report)  # a report and its indicator results: many saves
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        fill(shimin_report)
    bumps = [q["sql"] for q in captured if 'UPDATE "core_datastamp"' in q["sql"]]
    assert len(bumps) == 1 and stamps.current("work") != before


def test_a_rolled_back_write_leaves_the_stamp(shimin_report, django_capture_on_commit_callbacks):
    before = stamps.current("work")
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        fill(shimin_report)
        raise RuntimeError
    assert callbacks == [] and stamps.current("work") == before
    with django_capture_on_commit_callbacks(execute=True):
        fill(shimin_report)
    assert stamps.current("work") != before


def test_an_unknown_area_is_refused():
    with pytest.raises(ValueError):
        stamps.bump("plan")


def board_cell(html, label):
    return f'aria-label="{label}"' in html


def test_cycle_page_shows_a_report_move_right_after_it(client, cycle, shimin_report, demo_users,
                                                      django_capture_on_commit_callbacks):
    client.force_login(demo_users["demo-joho"])
    url = cycle.get_absolute_url()
    for _ in range(2):  # the second from the cache
        html = client.get(url).text
        assert board_cell(html, "市民部市民課 作成中 2件") and "提出済 1件" not in html
    with django_capture_on_commit_callbacks(execute=True):
        submit_report(user=demo_users["demo-staff-a"], report=fill(shimin_report))
    html = client.get(url).text
    assert board_cell(html, "市民部市民課 作成中 1件") and board_cell(html, "市民部市民課 提出済 1件")
    listed = client.get(url + "?state=submitted").text
    assert shimin_report.sheet.project.name in listed


def without_csrf(html):
    """The page without its forms' CSRF tokens, which Django masks afresh in every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_cached_cycle_page_costs_fewer_queries_as_many_for_any_size(client, demo_users):
    joho = demo_users["demo-joho"]
    counts = []
    for code, size in (("small", 50), ("large", 500)):
        url = reverse("governance:cycle_detail", kwargs={"pk": generated_cycle(joho, code=code, projects=size).pk})
        client.force_login(joho)
        missed, first = count_queries(client, url)
        hit, again = count_queries(client, url)
        assert without_csrf(again[again.index("<h2>課ごとの状況"):]) == without_csrf(first[first.index("<h2>課ごとの状況"):])
        counts.append((missed, hit))
    assert counts[0] == counts[1] and counts[0][1] < counts[0][0]


def test_report_page_shows_when_it_last_changed_not_a_lock_counter(client, shimin_report, demo_users):
    client.force_login(demo_users["demo-joho"])
    html = client.get(shimin_report.get_absolute_url()).text
    assert "最終更新" in html and "版</p>" not in html

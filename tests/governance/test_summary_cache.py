"""The 集計表 page caches its tables under the data stamps (core.stamps): a report
move or a change to the plan shows right after its commit, and a cached page costs fewer
queries, as many whatever the size of the cycle."""

import re

from django.urls import reverse

from governance.cycles.services import return_report, submit_report
from governance.vocab import Progress
from plans import structure
from plans.models import PlanItem
from tests.governance.conftest import count_queries, fill, generated_cycle


def on_plan_in_the_whole_plan(html):
    """The count of ○ 計画どおり in the 進捗度 table of the whole plan (its first table)."""
    counts = re.findall(rf'<th scope="row">{Progress.ON_PLAN.label}</th><td class="num">(\d+)</td>', html)
    return int(counts[0])


def test_summary_page_shows_a_report_move_right_after_it(client, cycle, shimin_report, demo_users,
                                                        django_capture_on_commit_callbacks):
    client.force_login(demo_users["demo-joho"])
    url = reverse("governance:cycle_summary", kwargs={"pk": cycle.pk})
    first = client.get(url).text
    assert on_plan_in_the_whole_plan(first) == 0
    again = client.get(url).text  # the second from the cache
    assert again[again.index("<h1>"):] == first[first.index("<h1>"):]

    with django_capture_on_commit_callbacks(execute=True):
        submitted = submit_report(user=demo_users["demo-staff-a"], report=fill(shimin_report, progress="on_plan"))
    assert on_plan_in_the_whole_plan(client.get(url).text) == 1
    assert on_plan_in_the_whole_plan(client.get(url).text) == 1  # cached again, with the new figure

    with django_capture_on_commit_callbacks(execute=True):
        return_report(user=demo_users["demo-joho"], report=submitted, reason="数値を確認してください")
    assert on_plan_in_the_whole_plan(client.get(url).text) == 0


def test_summary_page_shows_a_renamed_goal_right_after_it(client, cycle, shimin_report, demo_users,
                                                          django_capture_on_commit_callbacks):
    submit_report(user=demo_users["demo-staff-a"], report=fill(shimin_report))
    client.force_login(demo_users["demo-joho"])
    url = reverse("governance:cycle_summary", kwargs={"pk": cycle.pk})
    client.get(url)
    home = shimin_report.sheet.project.placements.get(is_home=True).item
    goal = PlanItem.objects.get(plan=home.plan, path=home.path.split("-")[0])
    with django_capture_on_commit_callbacks(execute=True):
        structure.edit_item(goal, title="書き直した目標の名前", subtitle=goal.subtitle, text=goal.text)
    assert f"目標{goal.code} 書き直した目標の名前</caption>" in client.get(url).text


def test_cached_summary_page_costs_fewer_queries_as_many_for_any_size(client, demo_users):
    joho = demo_users["demo-joho"]
    counts = []
    for code, size in (("small", 50), ("large", 500)):
        url = reverse("governance:cycle_summary", kwargs={"pk": generated_cycle(joho, code=code, projects=size).pk})
        client.force_login(joho)
        missed, first = count_queries(client, url)
        hit, again = count_queries(client, url)
        assert again[again.index("<h1>"):] == first[first.index("<h1>"):]
        assert "<caption>計画全体</caption>" in again
        counts.append((missed, hit))
    assert counts[0] == counts[1] and counts[0][1] < counts[0][0]

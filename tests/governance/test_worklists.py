"""Work lists at scale and the summary tables against hand counts.

The pages of the cycle must not issue one query per report: their query count is
the same with 50 reports as with 500. The summary tables (表4-2, 4-3, 4-4 by the
plan's levels above its last, 目標 and 基本方針 here, and by department) must agree
with counts made by hand.
"""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from governance.cycles.tables import summary_tables
from governance.models import AnnualReport, ReportState
from governance.vocab import Direction, ImplementationStatus, Progress
from plans.models import Placement, PlanItem
from tests.governance.conftest import generated_cycle

# The most queries of one page of a cycle (a cache miss).
PAGE_MOST = 25


# ─── Constant query counts ────────────────────────────────────────────────

@pytest.mark.parametrize("view", ["cycle_detail", "cycle_summary"])
def test_cycle_pages_keep_a_constant_number_of_queries(client, demo_users, view,
                                                       django_assert_max_num_queries, django_assert_num_queries):
    joho = demo_users["demo-joho"]
    small = generated_cycle(joho, code="small", projects=50)
    large = generated_cycle(joho, code="large", projects=500)
    client.force_login(joho)
    client.get(reverse("governance:cycle_list"))  # warm up (not this page: its parts are cached)

    small_url = reverse(f"governance:{view}", kwargs={"pk": small.pk})
    large_url = reverse(f"governance:{view}", kwargs={"pk": large.pk})
    with django_assert_max_num_queries(PAGE_MOST, info=f"{view} with 50 reports") as queries:
        few_html = client.get(small_url).text
    few = len(queries)
    with django_assert_num_queries(few, info=f"{view} with 500 reports"):
        many_html = client.get(large_url).text
    if view == "cycle_detail":
        # The page lists a page of 50 reports and counts all of them.
        # The list shows 50 reports a page, with the total.
        assert many_html.count('href="/reports/') == 50 and "(500 件)" in many_html
        assert few_html.count('href="/reports/') == 50


def test_cycle_detail_with_a_state_filter_keeps_a_constant_number_of_queries(
    client, demo_users, django_assert_max_num_queries, django_assert_num_queries
):
    joho = demo_users["demo-joho"]
    small = generated_cycle(joho, code="small", projects=50)
    large = generated_cycle(joho, code="large", projects=500)
    client.force_login(joho)
    url = reverse("governance:cycle_detail", kwargs={"pk": small.pk}) + "?state=submitted"
    client.get(reverse("governance:cycle_list"))  # warm up (not this page: its parts are cached)
    with django_assert_max_num_queries(PAGE_MOST) as queries:
        assert client.get(url).status_code == 200
    few = len(queries)
    with django_assert_num_queries(few):
        html = client.get(reverse("governance:cycle_detail", kwargs={"pk": large.pk}) + "?state=submitted").text
    submitted = large.reports.filter(state="submitted").count()
    assert submitted > 50
    assert html.count('href="/reports/') == 50 and f"({submitted} 件)" in html


def test_my_reports_keeps_a_constant_number_of_queries(client, demo_users,
                                                       django_assert_max_num_queries, django_assert_num_queries):
    """The department's list (市民課): 10 of 50 reports, then 110 of 550 in two open cycles."""
    joho, staff = demo_users["demo-joho"], demo_users["demo-staff-a"]
    generated_cycle(joho, code="small", projects=50)
    client.force_login(staff)
    url = reverse("governance:my_reports")
    client.get(url)
    cache.clear()  # the lists are cached (core.stamps): count a miss at both sizes
    with django_assert_max_num_queries(PAGE_MOST, info="/cycles/mine/ with 10 reports") as queries:
        few_html = client.get(url).text
    few = len(queries)

    generated_cycle(joho, code="large", projects=500)
    cache.clear()
    with django_assert_num_queries(few, info="/cycles/mine/ with 110 reports"):
        many_html = client.get(url).text
    with django_assert_max_num_queries(few - 1, info="/cycles/mine/ from the cache"):
        hit_html = client.get(url).text
    shimin = AnnualReport.objects.filter(section__code="shimin").count()
    assert shimin == 110
    assert many_html.count('href="/reports/') == shimin == hit_html.count('href="/reports/')
    assert few_html.count('href="/reports/') == 10


# ─── Summary tables against hand counts ───────────────────────────────────

REPORTED = {s for s in ReportState if s not in (ReportState.DRAFT, ReportState.RETURNED)}
FIELDS = {"implementation_status": ImplementationStatus, "progress": Progress, "direction": Direction}


def hand_counts(cycle):
    """What a person counting the reports would write down, per vocabulary and group."""
    reports = [r for r in cycle.reports.select_related("section__department", "sheet__project")
               if r.state in REPORTED]
    homes = {p.project_id: p.item for p in
             Placement.objects.filter(project__plan=cycle.plan, is_home=True).select_related("item")}
    items = {item.path: item for item in PlanItem.objects.filter(plan=cycle.plan)}
    counts = {}
    for field in FIELDS:
        groups = {"計画全体": Counter()}
        for report in reports:
            value = getattr(report, field)
            goal_number, policy_number, _ = homes[report.sheet.project_id].path.split("-")
            goal, policy = items[goal_number], items[f"{goal_number}-{policy_number}"]
            labels = [
                "計画全体",
                f"目標{goal.code} {goal.title}",
                f"{goal.code}-{policy_number} {policy.title}",
                report.section.department.name,
            ]
            for label in labels:
                groups.setdefault(label, Counter())[value] += 1
        counts[field] = groups
    return counts, len(reports)


def test_summary_tables_agree_with_hand_counts(demo_users):
    cycle = generated_cycle(demo_users["demo-joho"], code="tally", projects=40, goals=2, policies=2,
                            measures=2)
    # Reposts are there, some under another goal: a project must still count once, at home.
    assert Placement.objects.filter(project__plan=cycle.plan, is_home=False).exists()
    expected, reported = hand_counts(cycle)
    assert 0 < reported < 40  # drafts and returned reports are left out

    tables = summary_tables(cycle)
    assert [t.field for t in tables] == list(FIELDS)
    for summary in tables:
        vocabulary = FIELDS[summary.field]
        labels = [label for label, _ in summary.groups]
        assert len(labels) == len(set(labels)), f"{summary.title}: a group is listed twice"
        got = {label: {row.key: row.count for row in rows} for label, rows in summary.groups}
        want = {label: {value: c[value] for value in vocabulary.values}
                for label, c in expected[summary.field].items()}
        assert got == want, summary.title
        for label, rows in summary.groups:
            assert [row.key for row in rows] == list(vocabulary.values)
            assert sum(row.share for row in rows) == Decimal("100.0"), (summary.title, label)
        assert sum(got["計画全体"].values()) == reported
        # Each grouping covers every reported project exactly once.
        departments = {"市民部", "環境部", "企画部", "総務部"}
        assert sum(sum(got[d].values()) for d in departments if d in got) == reported
        goals = [label for label in got if label.startswith("目標")]
        assert len(goals) == 2
        assert sum(sum(got[g].values()) for g in goals) == reported


def test_summary_page_prints_the_hand_counts(client, demo_users):
    cycle = generated_cycle(demo_users["demo-joho"], code="tally", projects=40, goals=2, policies=2,
                            measures=2)
    expected, _ = hand_counts(cycle)
    client.force_login(demo_users["demo-advisor"])  # the CIO補佐官 reads everything
    html = client.get(reverse("governance:cycle_summary", kwargs={"pk": cycle.pk})).content.decode()
    for label, counts in expected["implementation_status"].items():
        assert f"<caption>{label}</caption>" in html
    whole = expected["progress"]["計画全体"]
    on_plan = whole[Progress.ON_PLAN]
    assert f'<th scope="row">○ 計画どおり</th><td class="num">{on_plan}</td>' in html


def test_board_counts_lead_to_the_sections_reports(client, demo_users):
    joho = demo_users["demo-joho"]
    cycle = generated_cycle(joho, code="small", projects=50)
    client.force_login(joho)
    url = reverse("governance:cycle_detail", kwargs={"pk": cycle.pk})
    section_id, state = cycle.reports.exclude(section__isnull=True).values_list("section_id", "state").first()
    expected = cycle.reports.filter(section_id=section_id, state=state).count()
    assert f'href="?section={section_id}&amp;state={state}#reports"' in client.get(url).text
    listed = client.get(url, {"section": section_id, "state": state}).context["reports"]
    assert len(listed) == expected
    assert all(r.section_id == section_id and r.state == state for r in listed)

"""「計画の選択」 (plans.choice): every page that shows one plan's data shows the plan of
`?plan=` and keeps it in its links; the choice is offered only when there is one to
make; a plan in preparation is neither offered to nor reachable by a department.

The second plan (平成28〜令和2年度) and a third plan (令和3〜7年度, current) are both
adopted; each page is asked for each and must show that plan's data, not the other's.
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.cycles.services import open_cycle
from governance.models import CycleKind
from plans import structure
from plans.models import Plan, Project
from tests.factories import adopt_next_plan

SECOND_PROJECT = "公共施設予約システムの利用促進"  # 計画書 Ⅰ-2-2 (再掲 Ⅰ-3-3, Ⅲ-3-1)
THIRD_PROJECT = "第三期テスト事業"
SECOND_ITEM = "市民から信頼される"  # 目標Ⅱ of the second plan (p.12), in the dashboard's item list
THIRD_ITEM = "第三期テスト施策"

PAGES = {
    "sheets": reverse("projects:sheet_list"),  # asked for every 課 (PARAMS): 情報推進課 starts on its own
    "cycles": reverse("governance:cycle_list"),
    "dashboard": reverse("governance:dashboard"),
    "data": reverse("exchange:data_index"),
    "books": reverse("governance:book_list"),
    "plan tree": reverse("plans:plan_tree_current"),
}
PARAMS = {"sheets": {"section": "all"}}


@pytest.fixture
def plans(demo_users):
    """The second plan with its FY2020 cycle, and the third plan, current."""
    second = Plan.objects.get(code="second")
    open_cycle(user=demo_users["demo-joho"], plan=second, kind=CycleKind.ANNUAL, fiscal_year=2020,
               deadline=date(2021, 5, 31))
    third = adopt_next_plan(project_name=THIRD_PROJECT)
    return {"second": second, "third": third}


def test_the_second_plans_project_is_the_one_named_here(plans):
    assert Project.objects.filter(plan__code="second", name=SECOND_PROJECT).exists()
    assert plans["second"].items.filter(title__startswith=SECOND_ITEM).exists()


def marks(page, plan):
    """What of `plan` each page shows: a project, an item, or the plan named in a sentence
    only the shown plan gets (the choice itself names every plan)."""
    period = f"{plan.name}({plan.period_label})"
    project, item = (SECOND_PROJECT, SECOND_ITEM) if plan.code == "second" else (THIRD_PROJECT, THIRD_ITEM)
    return {
        "sheets": project,
        "cycles": f"{period}の、",
        "dashboard": item,
        "data": f"{plan.name} の内容です",
        "books": f'<input type="hidden" name="plan" value="{plan.code}">',
        "plan tree": project,
    }[page]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("shown, other", [("second", "third"), ("third", "second")])
def test_each_page_shows_the_chosen_plan(client, demo_users, plans, page, shown, other):
    client.force_login(demo_users["demo-joho"])
    response = client.get(PAGES[page], {"plan": shown, **PARAMS.get(page, {})}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert marks(page, plans[shown]) in html
    assert marks(page, plans[other]) not in html
    assert f'<option value="{shown}" selected>' in html


@pytest.mark.parametrize("page", PAGES)
def test_without_a_choice_each_page_shows_the_current_plan(client, demo_users, plans, page):
    client.force_login(demo_users["demo-joho"])
    html = client.get(PAGES[page], PARAMS.get(page), follow=True).content.decode()
    assert marks(page, plans["third"]) in html and '<option value="third" selected>' in html


def test_the_links_keep_the_chosen_plan(client, demo_users, plans):
    client.force_login(demo_users["demo-joho"])
    cycle = plans["second"].cycles.get()
    data = client.get(PAGES["data"], {"plan": "second"}).content.decode()
    assert "/data/export/sheets/?plan=second&amp;format=xlsx" in data
    assert f"/data/export/reports/?plan=second&amp;cycle={cycle.pk}" in data
    assert "/data/import/?plan=second" in data
    assert '<input type="hidden" name="plan" value="second">' in data  # the section template's form
    assert f'action="{reverse("governance:cycle_open")}?plan=second"' in client.get(
        PAGES["cycles"], {"plan": "second"}).content.decode()
    dashboard = client.get(PAGES["dashboard"], {"plan": "second", "year": 2020}).content.decode()
    assert "?plan=second&amp;year=2020&amp;by=decision" in dashboard
    # The sheet list's filter is one form with the choice in it: choosing a 課 stays on the plan.
    sheets = client.get(PAGES["sheets"], {"plan": "second", "section": "shimin"})
    assert sheets.context["plan"] == plans["second"] and sheets.context["wanted"] == "shimin"


def test_the_choice_keeps_the_pages_other_filters_but_not_its_page_number(rf, demo_users, plans):
    from django.template.loader import render_to_string

    from plans.choice import plan_choice

    request = rf.get("/cycles/", {"plan": "second", "state": "draft", "page": "3"})
    request.user = demo_users["demo-joho"]
    html = render_to_string("includes/_plan_choice.html", {"choice": plan_choice(request), "request": request})
    assert '<input type="hidden" name="state" value="draft">' in html
    assert 'name="page"' not in html and '<input type="hidden" name="plan"' not in html


def test_an_unknown_plan_is_a_404_on_every_page(client, demo_users, plans):
    client.force_login(demo_users["demo-joho"])
    for page, url in PAGES.items():
        assert client.get(url, {"plan": "no-such-plan"}).status_code == 404, page


@pytest.fixture
def draft(plans):
    return structure.create_plan(levels=[structure.LevelSpec("施策")], code="draft", name="第四期昭島市情報化推進計画",
                                 start_year=2026, end_year=2030)


def test_a_plan_in_preparation_is_offered_to_the_ict_office_only(client, demo_users, draft):
    client.force_login(demo_users["demo-staff-a"])
    for page, url in PAGES.items():
        html = client.get(url).content.decode()
        assert 'value="draft"' not in html and "第四期" not in html, page
        assert client.get(url, {"plan": "draft"}).status_code == 404, page
    client.force_login(demo_users["demo-joho"])
    for page, url in PAGES.items():
        html = client.get(url).content.decode()
        assert '<option value="draft">第四期昭島市情報化推進計画(2026〜2030年度)[策定中]</option>' in html, page


def test_the_choice_is_absent_when_one_plan_is_visible(client, demo_users, seed):
    """The seed's first plan (平成22〜26年度) is put back in preparation: a department then
    sees the second plan only, and no choice; 情報推進課 still sees both."""
    Plan.objects.filter(code="first").update(in_preparation=True)
    client.force_login(demo_users["demo-staff-a"])
    for page, url in PAGES.items():
        html = client.get(url).content.decode()
        assert 'id="plan-choice"' not in html, page
    client.force_login(demo_users["demo-joho"])
    assert 'id="plan-choice"' in client.get(PAGES["sheets"]).content.decode()


def sheet_list_queries(client, code):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PAGES["sheets"], {"plan": code})
    assert response.status_code == 200 and response.context["plan"].code == code
    return len(captured.captured_queries)


def test_the_sheet_lists_queries_do_not_grow_with_the_number_of_plans(client, demo_users, plans):
    client.force_login(demo_users["demo-joho"])
    sheet_list_queries(client, "second")  # warm up (session, content types)
    before = sheet_list_queries(client, "second")
    for n in range(5):
        structure.create_plan(levels=[structure.LevelSpec("施策")], in_preparation=n % 2 == 0, code=f"more{n}",
                              name=f"追加の計画{n}", start_year=2031 + 5 * n, end_year=2035 + 5 * n)
    assert sheet_list_queries(client, "second") == before

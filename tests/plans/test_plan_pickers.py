"""「計画の選択」 on every page that shows one plan's data tells plans apart: each
option reads 「name(period)」, the current plan is marked [現行], a plan in
preparation [策定中], and two plans of one name show their codes. Each page starts
on the current plan, not the newest one."""

import re

import pytest
from django.urls import reverse

from plans import structure
from plans.models import Plan

PICKERS = {
    "plan tree": reverse("plans:plan_tree_current"),
    "sheets": reverse("projects:sheet_list"),
    "cycles": reverse("governance:cycle_list"),  # the choice of the opening form: 情報推進課 only
    "dashboard": reverse("governance:dashboard"),
    "data": reverse("exchange:data_index"),
    "books": reverse("governance:book_list"),
}
FOR_EVERYONE = [page for page in PICKERS if page != "cycles"]
SECOND = "第二期昭島市情報化推進計画(2016〜2020年度)"


@pytest.fixture
def draft(seed):
    """The second plan imported again under a new code: same name, in preparation."""
    second = seed["second"]
    levels = [structure.LevelSpec(level.name, level.numbering, has_text=level.has_text) for level in second.level_list]
    return structure.create_plan(levels=levels, code="draft", name=second.name, start_year=second.start_year,
                                 end_year=second.end_year)


def options(client, page) -> list[tuple[str, bool, str]]:
    """(value, selected, label) of each option of the page's plan picker."""
    response = client.get(PICKERS[page])
    assert response.status_code == 200
    select = re.search(r'<select id="plan-choice"[^>]*>(.*?)</select>', response.text, re.S).group(1)
    return [(value, bool(selected), label.strip())
            for value, selected, label in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)]


@pytest.mark.parametrize("page", PICKERS)
def test_plans_of_one_name_are_told_apart_by_state_and_code(client, demo_users, draft, page):
    client.force_login(demo_users["demo-joho"])
    found = {value: label for value, _, label in options(client, page)}
    assert found["draft"] == f"{SECOND}[策定中]・計画コード draft"
    assert found["second"] == f"{SECOND}[現行]・計画コード second"
    first = Plan.objects.get(code="first")
    assert found["first"].startswith(f"{first.name}(") and "計画コード" not in found["first"]
    assert "[策定中]" not in found["first"]


@pytest.mark.parametrize("page", FOR_EVERYONE)
def test_a_plan_whose_name_is_its_own_shows_no_code(client, demo_users, draft, page):
    """Departments never see a plan in preparation: their second plan reads as before."""
    client.force_login(demo_users["demo-staff-a"])
    found = {value: label for value, _, label in options(client, page)}
    assert "draft" not in found
    assert found["second"] == f"{SECOND}[現行]"


@pytest.mark.parametrize("page", PICKERS)
def test_the_picker_starts_on_the_current_plan(client, demo_users, draft, page):
    client.force_login(demo_users["demo-joho"])
    assert [value for value, selected, _ in options(client, page) if selected] == [Plan.objects.current().code]


def test_three_plans_of_one_name_show_each_code_once(client, demo_users, draft, seed):
    second = seed["second"]
    structure.create_plan(levels=[structure.LevelSpec("施策")], code="draft2", name=second.name, start_year=2021,
                          end_year=2025)
    client.force_login(demo_users["demo-joho"])
    found = {value: label for value, _, label in options(client, "books")}
    assert found["draft2"] == "第二期昭島市情報化推進計画(2021〜2025年度)[策定中]・計画コード draft2"
    assert found["second"] == f"{SECOND}[現行]・計画コード second"

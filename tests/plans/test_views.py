"""The plan pages: what a signed-in user sees, and their cost in SQL queries."""

import pytest
import tinyhtml5
from django.urls import reverse

from plans import structure
from plans.models import Plan, PlanItem, Project
from tests.factories import UserFactory, make_plan

# The most queries a page of the plan may make (the session's and the user's included, and
# the header's count of unread お知らせ, follows).
PAGE_MOST = 17


@pytest.fixture
def user_client(client, db):
    client.force_login(UserFactory())
    return client


def test_tree_query_count_does_not_grow_with_projects(user_client, django_assert_max_num_queries,
                                                     django_assert_num_queries):
    small = make_plan(code="small", projects=50)
    large = make_plan(code="large", projects=500)
    assert large.projects.count() == 500
    small_url, large_url = small.get_absolute_url(), large.get_absolute_url()
    with django_assert_max_num_queries(PAGE_MOST) as queries:
        assert user_client.get(small_url).status_code == 200
    first = len(queries)
    with django_assert_num_queries(first):
        assert user_client.get(large_url).status_code == 200
    # Shown again: the tree comes from the cache, in fewer queries, as many for both.
    with django_assert_max_num_queries(first - 1) as queries:
        assert user_client.get(small_url).status_code == 200
    cached = len(queries)
    with django_assert_num_queries(cached):
        assert user_client.get(large_url).status_code == 200


def admin_form_data(response):
    """The values an admin change form would post as it stands."""
    xhtml = "{http://www.w3.org/1999/xhtml}"
    form = next(f for f in tinyhtml5.parse(response.content.decode()).iter(f"{xhtml}form")
                if f.get("id", "").endswith("_form"))
    data = {}
    for element in form.iter():
        name, tag = element.get("name"), str(element.tag).removeprefix(xhtml)
        if not name:
            continue
        if tag == "input" and element.get("type", "text") in ("checkbox", "radio"):
            if element.get("checked") is not None:
                data[name] = element.get("value", "on")
        elif tag == "input" and element.get("type", "text") not in ("submit", "button", "file"):
            data[name] = element.get("value", "")
        elif tag == "textarea":
            data[name] = element.text or ""
        elif tag == "select":
            chosen = [o.get("value") for o in element.iter(f"{xhtml}option") if o.get("selected") is not None]
            if chosen:
                data[name] = chosen[0]
    return data


def test_cached_tree_changes_right_after_a_plan_edit(client, db, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    plan = make_plan(code="cached", goals=1, policies=1, measures=1, projects=3, reposts=False)
    project = Project.objects.filter(plan=plan).order_by("code").first()
    old_name = project.name
    client.get(plan.get_absolute_url())
    assert old_name in client.get(plan.get_absolute_url()).text  # from the cache
    with django_capture_on_commit_callbacks(execute=True):  # the commit, then the stamp (core.stamps)
        structure.edit_project(project, name="名前を変えた事業", is_planned=False, since_year=None,
                               security_kind="")
    text = client.get(plan.get_absolute_url()).text
    assert "名前を変えた事業" in text and f">{old_name}<" not in text


@pytest.mark.parametrize("page", ["goal", "policy", "measure", "project"])
def test_detail_pages_query_count_does_not_grow_with_projects(user_client, page, django_assert_max_num_queries):
    most = PAGE_MOST  # at the small size; then as many as that at the large one
    for code, size in (("small", 50), ("large", 500)):
        plan = make_plan(code=code, goals=1, policies=1, measures=2, projects=size)
        measure = PlanItem.objects.get(plan=plan, path="1-1-1")
        target = {
            "goal": measure.parent.parent,
            "policy": measure.parent,
            "measure": measure,
            "project": Project.objects.filter(plan=plan, placements__is_home=False).first(),
        }[page]
        url = target.get_absolute_url()
        with django_assert_max_num_queries(most) as queries:
            assert user_client.get(url).status_code == 200
        most = len(queries)


def test_tree_shows_the_current_plan_with_its_philosophy(staff_client):
    response = staff_client.get(reverse("plans:plan_tree_current"))
    assert response.context["plan"].code == "second"
    text = response.text
    assert "アイシーティ(ICT)で期待に応えます" in text
    assert "平成28年度(2016年度)〜令和2年度(2020年度)" in text
    for heading in ("目標Ⅰ", "目標Ⅱ", "目標Ⅲ", "Ⅱ-3-1", "Ⅲ-3-1"):
        assert heading in text


def test_tree_marks_reposts_and_links_them_to_the_one_project(staff_client):
    project = Project.objects.get(plan__code="second", name="公共施設予約システムの利用促進")
    response = staff_client.get(reverse("plans:plan_tree_current"))
    # Listed three times (Ⅰ-2-2, Ⅰ-3-3, Ⅲ-3-1), every link to the same page.
    assert response.text.count(f'href="{project.get_absolute_url()}"') == 3
    assert response.text.count("(再掲)") >= 7  # 6 reposted entries and the measure Ⅰ-3-3


def test_project_page_lists_home_and_reposted_placements(staff_client):
    project = Project.objects.get(plan__code="second", name="公共施設予約システムの利用促進")
    response = staff_client.get(project.get_absolute_url())
    placements = list(response.context["project"].placements.all())
    assert [p.item.code for p in placements] == ["Ⅰ-2-2", "Ⅰ-3-3", "Ⅲ-3-1"]
    assert [p.is_home for p in placements] == [True, False, False]


def test_security_projects_are_grouped_by_kind_of_measure(staff_client):
    measure = PlanItem.objects.get(plan__code="second", code="Ⅱ-3-1")
    text = staff_client.get(measure.get_absolute_url()).text
    kinds = ["〔組織的・人的対策〕", "〔技術的対策〕", "〔物理的対策〕"]
    positions = [text.index(kind) for kind in kinds]
    assert positions == sorted(positions)
    assert text.index("庁内ネットワークの再構築") > positions[1]


def test_measure_that_is_a_repost_links_to_its_original(staff_client):
    measure = PlanItem.objects.get(plan__code="second", code="Ⅰ-3-3")
    text = staff_client.get(measure.get_absolute_url()).text
    assert "Ⅰ-2-2 電子行政サービスの拡充</a> の再掲です" in text


def test_plan_picker_switches_to_another_plan(staff_client):
    response = staff_client.get(reverse("plans:plan_tree_current"), {"plan": "first"})
    assert response.status_code == 302
    assert response["Location"] == Plan.objects.get(code="first").get_absolute_url()
    first = staff_client.get(response["Location"])
    assert "昭島市情報化推進計画" in first.text
    assert "この計画には施策体系が登録されていません" in first.text
    # Its shape and counts as the second plan's text states them (pp.11, 32).
    assert "目標 3、基本方針 9、基本施策 16、情報化施策 27、事業 55" in first.text


@pytest.mark.parametrize(
    "url",
    [
        "/plans/nothing/",
        "/plans/second/items/9/",
        "/plans/second/items/1-9/",
        "/plans/second/items/x-1/",
        "/plans/second/items/²-1-1/",
        "/plans/second/items/1-1-1-1/",
        "/plans/second/projects/9-9-9-99/",
        "/plans/first/projects/1-1-1-01/",
    ],
)
def test_unknown_codes_are_not_found(staff_client, url):
    assert staff_client.get(url).status_code == 404


@pytest.mark.parametrize("old, new", [
    ("/plans/second/goals/2/", "/plans/second/items/2/"),
    ("/plans/second/policies/2-3/", "/plans/second/items/2-3/"),
    ("/plans/second/measures/2-3-1/", "/plans/second/items/2-3-1/"),
])
def test_former_addresses_of_goals_policies_and_measures_lead_to_the_item(staff_client, old, new):
    response = staff_client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)
    assert staff_client.get(new).status_code == 200


def test_item_pages_name_their_level_as_the_plan_prints_it(staff_client):
    goal = staff_client.get("/plans/second/items/2/").text
    assert "目標Ⅱ 市民から信頼される e(いい)行政運営の実現" in goal
    assert "基本方針と情報化施策" in goal
    policy = staff_client.get("/plans/second/items/2-3/").text
    assert "基本方針(目標Ⅱ 市民から信頼される e(いい)行政運営の実現)" in policy
    measure = staff_client.get("/plans/second/items/2-3-1/").text
    assert "情報化施策の内容" in measure and "主な事業や取り組み" in measure
    # Breadcrumbs: the plan, the goal and the policy above the measure.
    assert measure.index("Ⅱ 市民から信頼される") < measure.index("Ⅱ-3 安全・安心な e 行政運営の推進") < measure.index("<h1")


def test_user_text_is_escaped_on_the_pages(staff_client):
    project = Project.objects.get(plan__code="second", code="1-1-1-01")
    project.name = '<script>alert("x")</script>'
    project.save()
    text = staff_client.get(project.get_absolute_url()).text
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert" in text


def test_tree_lists_a_few_projects_per_measure_and_links_to_the_rest(user_client):
    plan = make_plan(code="wide", goals=1, policies=1, measures=1, projects=40, reposts=False)
    measure = PlanItem.objects.get(plan=plan, path="1-1-1")
    text = user_client.get(plan.get_absolute_url()).text
    assert text.count("/plans/wide/projects/") == 12
    assert f'<a href="{measure.get_absolute_url()}">ほか 28 件の事業を見る</a>' in text
    # The measure's own page lists every one.
    assert user_client.get(measure.get_absolute_url()).text.count("/plans/wide/projects/") == 40


def test_the_printed_plan_is_listed_whole_on_the_tree(staff_client):
    text = staff_client.get(reverse("plans:plan_tree_current")).text
    assert "件の事業を見る" not in text
    assert text.count("/plans/second/projects/") == 52  # every placement, 再掲 included


SHAPES = {
    # One level (施策 → 事業), the second plan's three, and five (the most a plan may have).
    "one": dict(fanout=(4,), levels=["施策"]),
    "three": dict(fanout=(2, 2, 2)),
    "five": dict(fanout=(2, 1, 2, 1, 2), levels=["基本目標", "基本方針", "基本施策", "施策", "取組"]),
}


@pytest.mark.parametrize("page", ["tree", "top item", "leaf item"])
def test_pages_query_count_does_not_grow_with_depth(user_client, page, django_assert_num_queries):
    counts = {}
    for name, shape in SHAPES.items():
        plan = make_plan(code=f"depth-{name}", projects=20, **shape)
        leaf = plan.items.order_by("-sort_key").first()
        url = {"tree": plan.get_absolute_url(),
               "top item": plan.items.get(path="1").get_absolute_url(),
               "leaf item": leaf.get_absolute_url()}[page]
        with django_assert_num_queries(PAGE_MOST, exact=False) as queries:
            assert user_client.get(url).status_code == 200
        counts[name] = len(queries)
    # Three levels and five: the same count. One level is a page without anything above
    # or below it (no breadcrumb query, or the top item is the leaf): never more.
    assert counts["three"] == counts["five"] and counts["one"] <= counts["three"], counts


def test_a_five_level_plan_shows_its_level_names_and_codes(user_client):
    plan = make_plan(code="five", projects=4, reposts=True, **SHAPES["five"])
    text = user_client.get(plan.get_absolute_url()).text
    assert "基本理念 → 基本目標 → 基本方針 → 基本施策 → 施策 → 取組 → 事業" in text
    # The first item of each level (numbered in Arabic numerals here): 基本目標1, then
    # codes joined by hyphens.
    assert "基本目標1 基本目標1" in text
    for code in ("1-1", "1-1-1", "1-1-1-1", "1-1-1-1-1", "1-1-1-1-2"):
        assert f'<span class="code-label">{code}</span>' in text
    # 事業コード: the home item's numbers and a serial.
    assert plan.projects.order_by("code").first().code == "1-1-1-1-1-01"
    leaf = user_client.get("/plans/five/items/1-1-1-1-1/").text
    assert "取組の内容" not in leaf  # the generated items carry no text
    assert "主な事業や取り組み" in leaf

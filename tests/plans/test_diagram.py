"""The 施策体系 diagram (plans.diagram, 図2-3): every item named, at any depth, text escaped."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans import diagram, structure
from plans.models import Plan, PlanItem
from tests.factories import PlanFactory, make_levels, make_plan

SVG = "{http://www.w3.org/2000/svg}"


def texts(markup: str) -> list[str]:
    """Each <text> of the SVG with its lines joined (titles are wrapped over several <tspan>)."""
    root = ET.fromstring(str(markup))
    return ["".join(text.itertext()) for text in root.iter(f"{SVG}text")]


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.django_db
def test_the_second_plan_diagram_names_every_item_of_the_tree(seed):
    plan = Plan.objects.get(code="second")
    shown = [squash(text) for text in texts(diagram.svg(plan))]
    items = list(PlanItem.objects.filter(plan=plan).order_by("sort_key"))
    # 目標 3, 基本方針 9 and 情報化施策 20 (Ⅰ: 7, Ⅱ: 6, Ⅲ: 7) as chapter 2 prints them (pp.15-24).
    assert [plan.levels.get(depth=d).items.count() for d in (1, 2, 3)] == [3, 9, 20]
    for item in items:
        assert any(text.startswith(squash(f"{item.code}{item.title}")) for text in shown), item
    assert squash("Ⅰ-3-3電子行政サービスの拡充(再掲)") in shown
    assert squash(plan.philosophy) in squash("".join(shown))
    assert shown[:4] == ["基本理念", "目標", "基本方針", "情報化施策"]


@pytest.mark.django_db
def test_a_three_level_plan_of_other_names_is_drawn_in_three_columns():
    plan = make_plan(code="three", fanout=(2, 2, 2), projects=0, levels=["基本目標", "施策", "取組"])
    markup = diagram.svg(plan)
    shown = texts(markup)
    assert shown[:4] == ["基本理念", "基本目標", "施策", "取組"]
    codes = {text.split(" ")[0] for text in shown[5:]}
    assert codes == set(PlanItem.objects.filter(plan=plan).values_list("code", flat=True))
    assert len(codes) == 2 + 4 + 8
    root = ET.fromstring(str(markup))
    assert len(root.findall(f"{SVG}path")) == 14  # one connector into every item


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [1, 5])
def test_one_to_five_levels(depth):
    plan = make_plan(code=f"d{depth}", fanout=(2,) * depth, projects=0)
    shown = texts(diagram.svg(plan))
    assert len(shown) == 1 + depth + 1 + sum(2 ** d for d in range(1, depth + 1))


@pytest.mark.django_db
def test_titles_are_escaped_and_long_ones_wrapped():
    plan = PlanFactory(code="esc", philosophy="理念 <b>")
    make_levels(plan, ["目標"])
    long_title = "とても長い名称の目標で、一行には収まりきらないので折り返して表示されることを確かめる" * 2 + " </text><script>"
    structure.add_item(plan, parent=None, title=long_title)
    markup = str(diagram.svg(plan))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "<b>" not in markup
    root = ET.fromstring(markup)
    item_text = [t for t in root.iter(f"{SVG}text") if t.get("data-code") == "1"][0]
    assert len(list(item_text)) > 1  # wrapped over several lines
    assert "".join(item_text.itertext()).replace(" ", "") == f"1 {long_title}".replace(" ", "")


@pytest.mark.django_db
def test_the_diagram_takes_one_query_for_the_items_whatever_the_size():
    small = make_plan(code="small", fanout=(1, 1, 1), projects=0)
    big = make_plan(code="bigger", fanout=(3, 3, 4), projects=0)
    counts = []
    for plan in (small, big):
        plan = Plan.objects.get(pk=plan.pk)
        with CaptureQueriesContext(connection) as captured:
            diagram.svg(plan)
        counts.append(len(captured))
    assert counts[0] == counts[1] == 2  # the levels and the items


def test_wrap_counts_full_width_characters_as_one_and_ascii_as_about_half():
    assert diagram.wrap("あいうえおかきくけこ", 4) == ["あいうえ", "おかきく", "けこ"]
    assert diagram.wrap("ICTガバナンス", 3) == ["ICTガ", "バナン", "ス"]  # 0.55 × 3 + 1 = 2.65

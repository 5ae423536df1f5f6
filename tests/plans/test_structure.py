"""plans.structure: the one write path of a plan's shape. Expected codes are worked
out by hand from the rule (level numbering, joined by hyphens; 事業コード = home
item's numbers + serial)."""

import re

import pytest

from plans import structure
from plans.models import Numbering, Placement, PlanItem, Project
from plans.structure import LevelSpec, StructureError
from tests.factories import PlanFactory


def tree(plan):
    return [(i.code, i.title) for i in PlanItem.objects.filter(plan=plan).order_by("sort_key")]


def codes(plan):
    return dict(Project.objects.filter(plan=plan).values_list("name", "code"))


@pytest.fixture
def plan(db):
    plan = PlanFactory(code="t")
    structure.set_levels(plan, [LevelSpec("基本目標", Numbering.ROMAN), LevelSpec("施策")])
    a = structure.add_item(plan, parent=None, title="A")
    b = structure.add_item(plan, parent=None, title="B")
    for parent, titles in ((a, ["A1", "A2"]), (b, ["B1"])):
        for title in titles:
            structure.add_item(plan, parent=parent, title=title)
    return plan


def item(plan, title):
    return PlanItem.objects.get(plan=plan, title=title)


def test_items_are_numbered_in_order_with_codes_per_level(plan):
    assert tree(plan) == [("Ⅰ", "A"), ("Ⅰ-1", "A1"), ("Ⅰ-2", "A2"), ("Ⅱ", "B"), ("Ⅱ-1", "B1")]


def test_an_item_added_at_a_position_pushes_its_younger_siblings(plan):
    structure.add_item(plan, parent=item(plan, "A"), title="A0", position=1)
    assert tree(plan)[:4] == [("Ⅰ", "A"), ("Ⅰ-1", "A0"), ("Ⅰ-2", "A1"), ("Ⅰ-3", "A2")]


def test_project_codes_follow_the_home_item_and_are_re_prefixed_when_it_moves(plan):
    for name in ("p1", "p2"):
        structure.create_project(item(plan, "A2"), name=name)
    structure.create_project(item(plan, "B1"), name="q1")
    assert codes(plan) == {"p1": "1-2-01", "p2": "1-2-02", "q1": "2-1-01"}
    # A2 moves under B, after B1: it becomes Ⅱ-2; its projects keep their serials.
    structure.move_item(item(plan, "A2"), parent=item(plan, "B"), position=2)
    assert tree(plan) == [("Ⅰ", "A"), ("Ⅰ-1", "A1"), ("Ⅱ", "B"), ("Ⅱ-1", "B1"), ("Ⅱ-2", "A2")]
    assert codes(plan) == {"p1": "2-2-01", "p2": "2-2-02", "q1": "2-1-01"}
    # Swapping the two goals swaps every code below them, through the unique constraints.
    structure.move_item(item(plan, "B"), parent=None, position=1)
    assert tree(plan) == [("Ⅰ", "B"), ("Ⅰ-1", "B1"), ("Ⅰ-2", "A2"), ("Ⅱ", "A"), ("Ⅱ-1", "A1")]
    assert codes(plan) == {"p1": "1-2-01", "p2": "1-2-02", "q1": "1-1-01"}


@pytest.mark.parametrize("parent, message", [
    ("A1", "自分自身やその下位の項目の下へは移動できません"),
    ("A", "自分自身やその下位の項目の下へは移動できません"),
])
def test_an_item_cannot_move_under_itself(plan, parent, message):
    before = tree(plan)
    with pytest.raises(StructureError, match=message):
        structure.move_item(item(plan, "A"), parent=item(plan, parent), position=1)
    assert tree(plan) == before


def test_an_item_moves_only_under_the_level_above_its_own(plan):
    with pytest.raises(StructureError, match="「施策」の項目は「基本目標」の項目の下へだけ移動できます"):
        structure.move_item(item(plan, "A1"), parent=None, position=1)


def test_deleting_an_item_with_children_or_projects_is_refused_and_changes_nothing(plan):
    structure.create_project(item(plan, "B1"), name="q1")
    before = tree(plan)
    with pytest.raises(StructureError, match="下位の項目があるため削除できません"):
        structure.delete_item(item(plan, "A"))
    with pytest.raises(StructureError, match="事業が掲載されているため削除できません"):
        structure.delete_item(item(plan, "B1"))
    assert tree(plan) == before
    structure.delete_item(item(plan, "A1"))
    assert tree(plan) == [("Ⅰ", "A"), ("Ⅰ-1", "A2"), ("Ⅱ", "B"), ("Ⅱ-1", "B1")]


def test_projects_go_under_the_last_level_only(plan):
    with pytest.raises(StructureError, match="最下層"):
        structure.create_project(item(plan, "A"), name="x")
    with pytest.raises(StructureError, match="この下には項目ではなく事業を登録してください"):
        structure.add_item(plan, parent=item(plan, "A1"), title="x")


def test_a_repost_listing_moves_and_the_old_item_closes_its_gap(plan):
    p1 = structure.create_project(item(plan, "A1"), name="p1")
    p2 = structure.create_project(item(plan, "A1"), name="p2")
    structure.create_project(item(plan, "A1"), name="p3")
    # p1 (first in A1, not last) moves with its home to B1: A1 renumbers, p1 takes B1's code.
    structure.move_placement(Placement.objects.get(project=p1, item=item(plan, "A1")), item=item(plan, "B1"),
                             position=1)
    assert list(item(plan, "A1").placements.order_by("position").values_list("project__name", "position")) == [
        ("p2", 1), ("p3", 2)]
    assert codes(plan)["p1"] == "2-1-01"
    structure.place_project(p2, item(plan, "B1"), position=1)
    assert list(item(plan, "B1").placements.order_by("position").values_list("project__name", "is_home")) == [
        ("p2", False), ("p1", True)]
    with pytest.raises(StructureError, match="既に"):
        structure.place_project(p2, item(plan, "B1"))
    with pytest.raises(StructureError, match="主たる掲載は外せません"):
        structure.unplace_project(Placement.objects.get(project=p2, is_home=True))
    structure.unplace_project(Placement.objects.get(project=p2, is_home=False))
    assert list(item(plan, "B1").placements.values_list("project__name", "position")) == [("p1", 1)]


def test_an_item_that_is_a_repost_must_come_from_the_same_level_and_plan(plan):
    structure.edit_item(item(plan, "B1"), title="B1", reposted_from=item(plan, "A1"))
    assert item(plan, "B1").reposted_from == item(plan, "A1")
    with pytest.raises(StructureError, match="同じ階層"):
        structure.edit_item(item(plan, "A2"), title="A2", reposted_from=item(plan, "A"))
    with pytest.raises(StructureError, match="自分自身"):
        structure.edit_item(item(plan, "A2"), title="A2", reposted_from=item(plan, "A2"))


@pytest.mark.parametrize("levels, message", [
    ([], "階層の数は 1 から 5 までです(指定は 0)"),
    ([LevelSpec(f"L{n}") for n in range(6)], "階層の数は 1 から 5 までです(指定は 6)"),
    ([LevelSpec("施策"), LevelSpec("施策")], "階層名「施策」が重複しています"),
    ([LevelSpec(" ")], "階層名を入力してください"),
])
def test_bad_levels_are_refused(db, levels, message):
    with pytest.raises(StructureError, match=re.escape(message)):
        structure.create_plan(code="bad", name="x", start_year=2021, end_year=2025, levels=levels)
    assert not structure.Plan.objects.filter(code="bad").exists()


def test_the_level_count_is_fixed_once_a_plan_has_items(plan):
    with pytest.raises(StructureError, match="項目が登録されている計画の階層の数は変えられません"):
        structure.set_levels(plan, [LevelSpec("目標")])
    # Renaming and renumbering in place is fine: codes follow the new numbering.
    structure.set_levels(plan, [LevelSpec("目標", Numbering.ARABIC), LevelSpec("施策")])
    assert tree(plan)[:2] == [("1", "A"), ("1-1", "A1")]

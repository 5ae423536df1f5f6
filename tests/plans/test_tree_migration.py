"""The second plan's goals, policies and measures move into the item tree without loss."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("plans", "0004_project_code_three_digit_serial")]
AFTER = [("plans", "0005_plan_tree")]


@pytest.mark.django_db(transaction=True)
def test_goals_policies_and_measures_become_items_with_their_codes_texts_reposts_and_placements():
    call_command("flush", interactive=False, verbosity=0)  # the old tables cannot hold the new rows
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Plan, Goal = old.get_model("plans", "Plan"), old.get_model("plans", "Goal")
    Policy, Measure = old.get_model("plans", "Policy"), old.get_model("plans", "Measure")
    Project, Placement = old.get_model("plans", "Project"), old.get_model("plans", "Placement")
    plan = Plan.objects.create(code="second", name="第二期", start_year=2016, end_year=2020)
    Plan.objects.create(code="first", name="第一期", start_year=2010, end_year=2014)
    goal = Goal.objects.create(plan=plan, number=1, title="目標の名称", subtitle="顧客としての市民", description="目標の説明")
    policy = Policy.objects.create(goal=goal, number=2, title="基本方針の名称")
    original = Measure.objects.create(policy=policy, number=2, title="電子行政サービスの拡充", description="施策の説明")
    repost = Measure.objects.create(policy=policy, number=3, title="電子行政サービスの拡充", reposted_from=original)
    project = Project.objects.create(plan=plan, code="1-2-2-01", name="公共施設予約システムの利用促進")
    Placement.objects.create(project=project, measure=original, position=1, is_home=True)
    Placement.objects.create(project=project, measure=repost, position=4, is_home=False)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    PlanItem, PlanLevel = new.get_model("plans", "PlanItem"), new.get_model("plans", "PlanLevel")
    NewPlacement = new.get_model("plans", "Placement")
    items = {item.code: item for item in PlanItem.objects.filter(plan__code="second")}
    assert [(i.code, i.path, i.title, i.subtitle, i.text) for i in sorted(items.values(), key=lambda i: i.sort_key)] == [
        ("Ⅰ", "1", "目標の名称", "顧客としての市民", "目標の説明"),
        ("Ⅰ-2", "1-2", "基本方針の名称", "", ""),
        ("Ⅰ-2-2", "1-2-2", "電子行政サービスの拡充", "", "施策の説明"),
        ("Ⅰ-2-3", "1-2-3", "電子行政サービスの拡充", "", ""),
    ]
    assert items["Ⅰ-2-3"].reposted_from_id == items["Ⅰ-2-2"].pk
    assert items["Ⅰ-2-2"].parent_id == items["Ⅰ-2"].pk and items["Ⅰ-2"].parent_id == items["Ⅰ"].pk
    assert sorted(NewPlacement.objects.values_list("item__code", "position", "is_home")) == [
        ("Ⅰ-2-2", 1, True), ("Ⅰ-2-3", 4, False)
    ]
    assert list(PlanLevel.objects.filter(plan__code="second").values_list("name", "numbering", "has_text")) == [
        ("目標", "roman", True), ("基本方針", "arabic", False), ("情報化施策", "arabic", True)
    ]
    # The first plan, which had no items, takes the six-level shape of p.11 with p.32's counts.
    assert list(PlanLevel.objects.filter(plan__code="first").values_list("name", "stated_count")) == [
        ("目標", 3), ("基本方針", 9), ("基本施策", 16), ("情報化施策", 27)
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

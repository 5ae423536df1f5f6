"""計画の管理: the dispatcher (projects.authoring.apply / undo), the plan editing
pages and who may use them.

Every operation is checked with its inverse: after 「元に戻す」 the tree is exactly
as before (items' paths, codes and titles, every listing in order, every 事業コード,
every sheet). Every refusal is a Japanese message with nothing changed."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans import structure
from plans.models import Placement, Plan, PlanEdit, PlanItem, Project
from projects import authoring
from projects.models import ProjectSheet
from tests.factories import make_plan

LEVELS = [structure.LevelSpec("基本目標", "roman"), structure.LevelSpec("施策"), structure.LevelSpec("取組", has_text=True)]


# ─── Helpers ─────────────────────────────────────────────────────────────────

def tree_state(plan):
    """Everything an operation may change, in order."""
    items = list(PlanItem.objects.filter(plan=plan).order_by("sort_key").values_list(
        "pk", "path", "code", "title", "subtitle", "text", "parent_id", "reposted_from_id", "level_id"))
    listings = list(Placement.objects.filter(item__plan=plan).order_by("item__sort_key", "position").values_list(
        "item__path", "position", "project_id", "project__code", "is_home"))
    projects = list(Project.objects.filter(plan=plan).order_by("pk").values_list(
        "pk", "code", "name", "is_planned", "since_year", "security_kind"))
    sheets = sorted(ProjectSheet.objects.filter(project__plan=plan).values_list("project_id", "version"))
    return items, listings, projects, sheets


def item(plan, path):
    return PlanItem.objects.get(plan=plan, path=path)


def project(plan, name):
    return Project.objects.get(plan=plan, name=name)


@pytest.fixture
def joho(demo_users):
    return demo_users["demo-joho"]


@pytest.fixture
def plan(joho):
    """A three-level plan (基本目標 Ⅰ, Ⅱ → 施策 → 取組) built through the dispatcher:
    two items at each level below Ⅰ, three projects, one listed again (再掲)."""
    plan = authoring.create_plan(joho, levels=LEVELS, code="dx", name="昭島市DX推進計画",
                                 start_year=2024, end_year=2028)

    def add(parent, title):
        return PlanItem.objects.get(pk=authoring.apply(plan, joho, {
            "op": "add_item", "parent": parent.pk if parent else None, "title": title}).inverse["item"])

    for goal_title in ("市民サービス", "行政運営"):
        goal = add(None, goal_title)
        for n in (1, 2):
            policy = add(goal, f"{goal_title}の施策{n}")
            for m in (1, 2):
                add(policy, f"{goal_title}の取組{n}-{m}")
    for name, path in (("電子申請", "1-1-1"), ("窓口予約", "1-1-1"), ("庁内LAN更新", "2-1-1")):
        authoring.apply(plan, joho, {"op": "add_project", "item": item(plan, path).pk, "name": name})
    authoring.apply(plan, joho, {"op": "place_project", "project": project(plan, "電子申請").pk,
                                 "item": item(plan, "2-2-2").pk})
    return plan


# ─── Each operation and its inverse ──────────────────────────────────────────

OPERATIONS = {
    "add a top item": lambda p: {"op": "add_item", "parent": None, "title": "地域社会"},
    "add an item first among its siblings": lambda p: {
        "op": "add_item", "parent": item(p, "1").pk, "title": "新しい施策", "position": 1},
    "add a leaf with text": lambda p: {
        "op": "add_item", "parent": item(p, "2-2").pk, "title": "新しい取組", "text": "説明の段落"},
    "rename an item": lambda p: {"op": "edit_item", "item": item(p, "1-2").pk, "title": "改めた名称",
                                 "subtitle": "副題", "text": ""},
    "mark an item as a 再掲": lambda p: {"op": "edit_item", "item": item(p, "2-2-1").pk, "title": "行政運営の取組2-1",
                                        "reposted_from": item(p, "1-1-1").pk},
    "move an item up": lambda p: {"op": "move_item", "item": item(p, "1-2").pk, "parent": item(p, "1").pk,
                                  "position": 1},
    "move an item with projects under another parent": lambda p: {
        "op": "move_item", "item": item(p, "1-1-1").pk, "parent": item(p, "2-2").pk, "position": 1},
    "move a top item down": lambda p: {"op": "move_item", "item": item(p, "1").pk, "parent": None, "position": 2},
    "delete an empty leaf": lambda p: {"op": "delete_item", "item": item(p, "1-2-1").pk},
    "add a project": lambda p: {"op": "add_project", "item": item(p, "1-2-2").pk, "name": "オープンデータ",
                                "is_planned": True, "since_year": 2023, "security_kind": ""},
    "edit a project": lambda p: {"op": "edit_project", "project": project(p, "窓口予約").pk, "name": "窓口予約システム",
                                 "is_planned": True, "since_year": 2022, "security_kind": "technical"},
    "delete a project listed twice": lambda p: {"op": "delete_project", "project": project(p, "電子申請").pk},
    "delete the last project of an item": lambda p: {"op": "delete_project", "project": project(p, "窓口予約").pk},
    "list a project again (再掲)": lambda p: {"op": "place_project", "project": project(p, "庁内LAN更新").pk,
                                              "item": item(p, "1-1-1").pk, "position": 1},
    "remove a 再掲": lambda p: {"op": "unplace_project", "project": project(p, "電子申請").pk,
                               "item": item(p, "2-2-2").pk},
    "reorder projects": lambda p: {"op": "move_placement", "project": project(p, "窓口予約").pk,
                                   "item": item(p, "1-1-1").pk, "position": 1},
    "move a 再掲 to another item": lambda p: {"op": "move_placement", "project": project(p, "電子申請").pk,
                                             "item": item(p, "2-2-2").pk, "to_item": item(p, "1-2-1").pk},
}
# A project's home moves: 窓口予約 1-1-1-02 takes the next serial of 2-1-2, and its
# undo gives the old 事業コード back.
HOME_MOVE = pytest.param(
    lambda p: {"op": "move_placement", "project": project(p, "窓口予約").pk, "item": item(p, "1-1-1").pk,
               "to_item": item(p, "2-1-2").pk},
    id="move a project's home (its last serial)",
)


@pytest.mark.parametrize("make_op", [*(pytest.param(op, id=name) for name, op in OPERATIONS.items()), HOME_MOVE])
def test_each_change_is_recorded_and_its_undo_restores_the_exact_tree(plan, joho, make_op):
    before = tree_state(plan)
    edits = PlanEdit.objects.filter(plan=plan).count()

    edit = authoring.apply(plan, joho, make_op(plan))

    assert tree_state(plan) != before
    assert edit.user == joho and edit.via == "画面" and edit.summary and edit.inverse["op"]
    assert authoring.undoable_edit(plan) == edit

    undo = authoring.undo(plan, joho, edit.pk)

    assert tree_state(plan) == before
    edit.refresh_from_db()
    assert edit.undone_at is not None
    assert undo.summary == f"元に戻す:{edit.summary}" and undo.inverse == {"undoes": edit.pk}
    assert PlanEdit.objects.filter(plan=plan).count() == edits + 2


def test_summaries_say_what_changed_with_the_codes(plan, joho):
    rename = authoring.apply(plan, joho, {"op": "edit_item", "item": item(plan, "2-1").pk, "title": "新名称"})
    move = authoring.apply(plan, joho, {"op": "move_item", "item": item(plan, "2-1").pk,
                                        "parent": item(plan, "1").pk})
    repost = authoring.apply(plan, joho, {"op": "place_project", "project": project(plan, "庁内LAN更新").pk,
                                          "item": item(plan, "1-1-2").pk})
    assert rename.summary == "Ⅱ-1 の名称を変更"
    assert move.summary == "Ⅱ-1「新名称」をⅠの下へ移動(Ⅰ-3 へ)"
    assert repost.summary == "事業「庁内LAN更新」(1-3-1-01)を Ⅰ-1-2 に再掲"


def test_undo_goes_back_step_by_step(plan, joho):
    states = [tree_state(plan)]
    for make_op in (OPERATIONS["add a top item"], OPERATIONS["move a 再掲 to another item"],
                    OPERATIONS["delete a project listed twice"], OPERATIONS["move an item up"],
                    OPERATIONS["move an item with projects under another parent"]):
        authoring.apply(plan, joho, make_op(plan))
        states.append(tree_state(plan))

    for state in reversed(states[:-1]):
        authoring.undo(plan, joho, authoring.undoable_edit(plan).pk)
        assert tree_state(plan) == state


def test_undo_reaches_back_to_the_plan_as_created_and_no_further(plan, joho):
    while (edit := authoring.undoable_edit(plan)).inverse:
        authoring.undo(plan, joho, edit.pk)

    items, _, projects, sheets = tree_state(plan)
    assert items == [] and projects == [] and sheets == []
    assert edit.summary == "計画「昭島市DX推進計画」を作成(階層:基本目標・施策・取組)"
    with pytest.raises(authoring.StructureError, match="元に戻せない変更です"):
        authoring.undo(plan, joho, edit.pk)


def test_a_deleted_item_and_project_come_back_with_their_keys_so_older_undos_still_work(plan, joho):
    leaf = item(plan, "2-1-1")
    lan = project(plan, "庁内LAN更新")
    before = tree_state(plan)
    rename = authoring.apply(plan, joho, {"op": "edit_item", "item": leaf.pk, "title": "改名"})
    authoring.apply(plan, joho, {"op": "delete_project", "project": lan.pk})
    delete = authoring.apply(plan, joho, {"op": "delete_item", "item": leaf.pk})

    authoring.undo(plan, joho, delete.pk)
    assert item(plan, "2-1-1").pk == leaf.pk
    authoring.undo(plan, joho, authoring.undoable_edit(plan).pk)
    assert project(plan, "庁内LAN更新").pk == lan.pk and project(plan, "庁内LAN更新").code == "2-1-1-01"
    authoring.undo(plan, joho, rename.pk)
    assert tree_state(plan) == before


def test_undo_takes_back_only_the_latest_change(plan, joho):
    first = authoring.apply(plan, joho, OPERATIONS["add a top item"](plan))
    authoring.apply(plan, joho, OPERATIONS["rename an item"](plan))
    state = tree_state(plan)

    with pytest.raises(authoring.StructureError, match="この変更の後にほかの変更が行われたため"):
        authoring.undo(plan, joho, first.pk)
    assert tree_state(plan) == state


def test_moving_a_home_listing_back_gives_the_project_a_code_of_its_home_again(plan, joho):
    """Moving a project's home renumbers its 事業コード; undoing it puts it back under
    its old item, with that item's next serial (plans.structure.move_placement has no
    way to give back the old serial when it was not the last one)."""
    first = project(plan, "電子申請")
    assert first.code == "1-1-1-01"
    edit = authoring.apply(plan, joho, {"op": "move_placement", "project": first.pk, "item": item(plan, "1-1-1").pk,
                                        "to_item": item(plan, "1-2-2").pk})
    assert "事業コード 1-1-1-01 → 1-2-2-0" in edit.summary
    authoring.undo(plan, joho, edit.pk)
    first.refresh_from_db()
    assert first.code.startswith("1-1-1-")
    assert list(item(plan, "1-1-1").placements.order_by("position").values_list("project__name", flat=True)) == [
        "電子申請", "窓口予約"]


def plan_state(plan):
    plan = Plan.objects.get(pk=plan.pk)
    return (plan.name, plan.philosophy, plan.start_year, plan.end_year, plan.in_preparation,
            list(plan.levels.order_by("depth").values_list("name", "numbering", "has_text")))


def test_the_plan_itself_is_edited_and_undone_like_its_tree(plan, joho):
    before, tree = plan_state(plan), tree_state(plan)
    edit = authoring.apply(plan, joho, {"op": "edit_plan", "fields": {
        "name": "昭島市DX推進計画(案)", "philosophy": "つながる昭島", "in_preparation": False,
    }, "levels": [{"name": "基本目標", "numbering": "arabic", "has_text": False, "stated_count": None},
                  {"name": "施策", "numbering": "arabic", "has_text": False, "stated_count": None},
                  {"name": "取組", "numbering": "arabic", "has_text": True, "stated_count": None}]})

    assert edit.summary == "計画の計画名・基本理念・階層を変更、策定済み(全職員に公開)にする"
    assert plan_state(plan)[4] is False and item(plan, "2-1").code == "2-1"  # arabic now
    # Adopted now: its undo renumbers codes in use, so it must be confirmed.
    with pytest.raises(authoring.NeedsConfirmation, match=r"項目の番号が変わります\(1 → Ⅰ、1-1 → Ⅰ-1 ほか 12 件\)"):
        authoring.undo(plan, joho, edit.pk)
    authoring.undo(plan, joho, edit.pk, confirmed=True)
    assert plan_state(plan) == before and tree_state(plan) == tree
    assert item(plan, "2-1").code == "Ⅱ-1"


def test_the_period_of_a_plan_with_projects_stays(plan, joho):
    with pytest.raises(authoring.StructureError, match="事業が登録されている計画の期間は変更できません"):
        authoring.apply(plan, joho, {"op": "edit_plan", "fields": {"end_year": 2030}})
    plan.refresh_from_db()
    assert plan.end_year == 2028


# ─── Refused changes: a Japanese message, nothing changed ────────────────────

REFUSALS = {
    "a parent cycle": (lambda p: {"op": "move_item", "item": item(p, "1").pk, "parent": item(p, "1-1").pk},
                       "自分自身やその下位の項目の下へは移動できません"),
    "the wrong level": (lambda p: {"op": "move_item", "item": item(p, "1-1").pk, "parent": item(p, "2-1").pk},
                        "「施策」の項目は「基本目標」の項目の下へだけ移動できます"),
    "an item with projects": (lambda p: {"op": "delete_item", "item": item(p, "1-1-1").pk},
                              "事業が掲載されているため削除できません"),
    "an item with children": (lambda p: {"op": "delete_item", "item": item(p, "2").pk},
                              "下位の項目があるため削除できません"),
    "a duplicate 事業コード": (lambda p: {"op": "add_project", "item": item(p, "1-1-1").pk, "name": "重複",
                                       "code": "1-1-1-01"}, "事業コード「1-1-1-01」は既に使われています"),
    "a project above the last level": (lambda p: {"op": "add_project", "item": item(p, "1-1").pk, "name": "上の階層"},
                                       "事業は最下層「取組」の項目の下に登録してください"),
    "an item below the last level": (lambda p: {"op": "add_item", "parent": item(p, "1-1-1").pk, "title": "下"},
                                     "「取組」は最下層です"),
    "an empty title": (lambda p: {"op": "edit_item", "item": item(p, "1").pk, "title": "  "}, "名称を入力してください"),
    "a 再掲 listed twice under one item": (
        lambda p: {"op": "place_project", "project": project(p, "電子申請").pk, "item": item(p, "2-2-2").pk},
        "既に「Ⅱ-2-2 行政運営の取組2-2」に掲載されています"),
    "removing a home listing": (
        lambda p: {"op": "unplace_project", "project": project(p, "電子申請").pk, "item": item(p, "1-1-1").pk},
        "主たる掲載は外せません"),
    "an item of another plan": (lambda p: {"op": "delete_item", "item": PlanItem.objects.exclude(plan=p).first().pk},
                                "指定された項目が見つかりません"),
    "an unknown operation": (lambda p: {"op": "drop_table"}, "操作の種類が正しくありません"),
    "a missing argument": (lambda p: {"op": "delete_item"}, "操作の内容が正しくありません"),
}


@pytest.mark.parametrize(("make_op", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_change_says_why_and_changes_nothing(plan, joho, make_op, message):
    before, edits = tree_state(plan), PlanEdit.objects.count()
    op = make_op(plan)
    with pytest.raises(authoring.StructureError, match=message):
        authoring.apply(plan, joho, op)
    assert tree_state(plan) == before
    assert PlanEdit.objects.count() == edits


def test_a_change_that_changes_nothing_is_not_recorded(plan, joho):
    edits = PlanEdit.objects.count()
    with pytest.raises(authoring.Unchanged):
        authoring.apply(plan, joho, {"op": "edit_item", "item": item(plan, "1").pk, "title": "市民サービス"})
    with pytest.raises(authoring.Unchanged):
        authoring.apply(plan, joho, {"op": "move_item", "item": item(plan, "1-2").pk,
                                     "parent": item(plan, "1").pk, "position": 5})
    assert PlanEdit.objects.count() == edits


def test_a_project_with_an_annual_report_is_not_deleted(plan, joho):
    from governance.models import AnnualReport, ReviewCycle

    lan = project(plan, "庁内LAN更新")
    cycle = ReviewCycle.objects.create(plan=plan, fiscal_year=2024, deadline=datetime.date(2025, 5, 31),
                                       opened_by=joho)
    AnnualReport.objects.create(cycle=cycle, sheet=lan.sheet)
    before = tree_state(plan)
    with pytest.raises(authoring.StructureError, match="実績報告があるため削除できません"):
        authoring.apply(plan, joho, {"op": "delete_project", "project": lan.pk})
    assert tree_state(plan) == before


def test_a_project_whose_sheet_was_filled_in_is_not_deleted(plan, joho):
    lan = project(plan, "庁内LAN更新")
    ProjectSheet.objects.filter(project=lan).update(objective="庁内LANを更新する")
    lan.sheet.schedule.filter(fiscal_year=2025).update(planned="機器更新")
    with pytest.raises(authoring.StructureError,
                       match=r"情報化事業シートに入力があるため削除できません\(目的<目標>、スケジュール 1 年度分\)"):
        authoring.apply(plan, joho, {"op": "delete_project", "project": lan.pk})
    assert Project.objects.filter(pk=lan.pk).exists()


def test_only_the_ict_office_may_change_a_plan(plan, demo_users):
    from django.core.exceptions import PermissionDenied

    before = tree_state(plan)
    with pytest.raises(PermissionDenied):
        authoring.apply(plan, demo_users["demo-staff-a"], OPERATIONS["add a top item"](plan))
    with pytest.raises(PermissionDenied):
        authoring.undo(plan, demo_users["demo-kacho"], authoring.undoable_edit(plan).pk)
    assert tree_state(plan) == before


def test_a_new_project_always_has_its_sheet(plan):
    assert set(Project.objects.filter(plan=plan).values_list("pk", flat=True)) == set(
        ProjectSheet.objects.filter(project__plan=plan).values_list("project_id", flat=True))
    sheet = ProjectSheet.objects.get(project=project(plan, "電子申請"))
    assert sorted(sheet.schedule.values_list("fiscal_year", flat=True)) == [2024, 2025, 2026, 2027, 2028]


# ─── The pages ───────────────────────────────────────────────────────────────

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def joho_client(client, joho):
    client.force_login(joho)
    return client


def editor_urls(plan):
    return [reverse("plan_editor:plan_list"), reverse("plan_editor:plan_create"),
            reverse("plan_editor:plan_settings", args=[plan.code]),
            reverse("plan_editor:editor", args=[plan.code]),
            f"{reverse('plan_editor:panel', args=[plan.code])}?open=item-{item(plan, '1').pk}"]


def test_the_editor_shows_the_whole_tree_with_codes_and_reposts(joho_client, plan):
    response = joho_client.get(reverse("plan_editor:editor", args=[plan.code]))
    assert response.status_code == 200
    html = response.text
    for text in ("Ⅰ-1-1", "Ⅱ-2-2", "市民サービスの取組1-1", "電子申請", "1-1-1-01", "(再掲)", "策定中",
                 "元に戻す", "変更履歴"):
        assert text in html
    assert "全職員に公開されています" not in html


def test_an_adopted_plan_is_edited_under_a_warning(joho_client, seed):
    response = joho_client.get(reverse("plan_editor:editor", args=["second"]))
    assert response.status_code == 200
    assert "全職員に公開されています" in response.text and "事業コードが変わります" in response.text


def test_the_list_marks_plans_in_preparation(joho_client, plan):
    response = joho_client.get(reverse("plan_editor:plan_list"))
    assert "昭島市DX推進計画" in response.text and "策定中" in response.text
    assert "第二期昭島市情報化推進計画" in response.text
    assert "新しい計画を作成" in response.text


def test_a_change_posted_by_htmx_answers_the_redrawn_tree_and_the_status(joho_client, plan):
    goal = item(plan, "2")
    response = joho_client.post(reverse("plan_editor:apply", args=[plan.code]), {
        "op": "add_item", "parent": goal.pk, "title": "新しい施策", "open": f"item-{goal.pk}"}, **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="plan-editor"')
    assert 'id="editor-status"' in response.text and 'hx-swap-oob="innerHTML"' in response.text
    assert "保存しました:施策 Ⅱ-3「新しい施策」を追加" in response.text
    assert f'id="panel-item-{goal.pk}"' in response.text  # the panel stays open for the next one
    assert item(plan, "2-3").title == "新しい施策"


def test_without_javascript_a_change_comes_back_by_redirect(joho_client, plan):
    leaf = item(plan, "1-2-2")
    response = joho_client.post(reverse("plan_editor:apply", args=[plan.code]), {
        "op": "add_project", "item": leaf.pk, "name": "AI議事録", "since_year": "令和5年度",
        "open": f"item-{leaf.pk}"})
    assert response.status_code == 302
    assert response["Location"] == f"/plans/manage/dx/?open=item-{leaf.pk}#item-{leaf.pk}"
    added = project(plan, "AI議事録")
    assert added.code == "1-2-2-01" and added.since_year == 2023 and added.sheet


def test_a_refused_change_answers_the_message_and_changes_nothing(joho_client, plan):
    before = tree_state(plan)
    url = reverse("plan_editor:apply", args=[plan.code])
    move = {"op": "move_item", "item": item(plan, "1").pk, "parent": item(plan, "1-1").pk,
            "open": f"item-{item(plan, '1').pk}"}

    htmx = joho_client.post(url, move, **HTMX)
    page = joho_client.post(url, move)
    empty = joho_client.post(url, {"op": "edit_item", "item": item(plan, "1").pk, "title": ""}, **HTMX)

    assert htmx.status_code == 422 and "変更できませんでした:" in htmx.text
    assert "自分自身やその下位の項目の下へは移動できません" in htmx.text
    assert page.status_code == 400 and "自分自身やその下位の項目の下へは移動できません" in page.text
    assert empty.status_code == 422 and "名称:この項目は必須です" in empty.text
    assert tree_state(plan) == before


def test_undo_by_the_page(joho_client, plan):
    before = tree_state(plan)
    joho_client.post(reverse("plan_editor:apply", args=[plan.code]),
                     {"op": "step_item", "item": item(plan, "2").pk, "direction": "up"})
    assert item(plan, "1").title == "行政運営"
    edit = authoring.undoable_edit(plan)
    response = joho_client.post(reverse("plan_editor:undo", args=[plan.code]), {"edit": edit.pk}, **HTMX)
    assert response.status_code == 200 and "元に戻しました:Ⅱ「行政運営」の順番を変更" in response.text
    assert tree_state(plan) == before
    stale = joho_client.post(reverse("plan_editor:undo", args=[plan.code]), {"edit": edit.pk})
    assert stale.status_code == 400 and "元に戻せませんでした" in stale.text


def test_a_plan_is_created_in_preparation_with_its_levels(joho_client, joho):
    data = {"code": "third", "name": "第三期昭島市情報化推進計画", "start_year": "令和3年度", "end_year": "令和7年度",
            "master_plan_label": "総合基本計画コード", "philosophy": "つながる昭島",
            "levels-TOTAL_FORMS": "5", "levels-INITIAL_FORMS": "0",
            "levels-0-name": "基本目標", "levels-0-numbering": "roman", "levels-1-name": "施策",
            "levels-1-numbering": "arabic", "levels-1-has_text": "on", "levels-2-name": "",
            "levels-2-numbering": "arabic"}
    response = joho_client.post(reverse("plan_editor:plan_create"), data)
    assert response.status_code == 302 and response["Location"] == "/plans/manage/third/"
    plan = Plan.objects.get(code="third")
    assert plan.in_preparation and (plan.start_year, plan.end_year) == (2021, 2025)
    assert [(lv.depth, lv.name, lv.numbering, lv.has_text) for lv in plan.level_list] == [
        (1, "基本目標", "roman", False), (2, "施策", "arabic", True)]
    assert plan.edits.get().user == joho


def test_the_plan_settings_page_adopts_the_plan(joho_client, plan):
    url = reverse("plan_editor:plan_settings", args=[plan.code])
    page = joho_client.get(url)
    assert page.status_code == 200 and "項目が登録されているため、階層の数は変えられません" in page.text
    data = {"name": plan.name, "start_year": "2024", "end_year": "2028", "master_plan_label": "総合基本計画コード",
            "philosophy": "つながる昭島", "levels-TOTAL_FORMS": "5", "levels-INITIAL_FORMS": "0",
            "levels-0-name": "基本目標", "levels-0-numbering": "roman", "levels-1-name": "施策",
            "levels-2-name": "取組", "levels-2-has_text": "on"}
    response = joho_client.post(url, data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert not plan.in_preparation and plan.philosophy == "つながる昭島"
    assert authoring.undoable_edit(plan).summary == "計画の基本理念を変更、策定済み(全職員に公開)にする"
    fewer = joho_client.post(url, {**data, "levels-2-name": ""})
    assert fewer.status_code == 400 and "項目が登録されている計画の階層の数は変えられません" in fewer.text


BAD_PLANS = {
    "no level": ({"levels-0-name": ""}, "階層は 1 から 5 まで入力してください(入力は 0)"),
    "six levels": ({"levels-TOTAL_FORMS": "6", "levels-5-name": "六", "levels-5-numbering": "arabic"},
                   "階層は 5 つまでです"),
    "duplicate level names": ({"levels-1-name": "目標", "levels-1-numbering": "arabic"},
                              "階層名「目標」が重複しています"),
    "a blank level between two": ({"levels-1-name": "", "levels-2-name": "取組", "levels-2-numbering": "arabic"},
                                  "階層は上から詰めて入力してください(第2階層が空欄です)"),
    "period reversed": ({"start_year": "2025", "end_year": "2021"}, "終了年度は開始年度と同じか、それより後の年度"),
    "code taken": ({"code": "second"}, "計画コード「second」は既に使われています"),
    "a reserved code": ({"code": "new"}, "「new」は計画コードには使えません"),
}


@pytest.mark.parametrize(("changes", "message"), BAD_PLANS.values(), ids=BAD_PLANS.keys())
def test_a_bad_plan_is_refused_in_japanese_and_nothing_is_created(joho_client, seed, changes, message):
    data = {"code": "bad", "name": "計画", "start_year": "2021", "end_year": "2025",
            "master_plan_label": "総合基本計画コード", "levels-TOTAL_FORMS": "5", "levels-INITIAL_FORMS": "0",
            "levels-0-name": "目標", "levels-0-numbering": "roman", **changes}
    plans = Plan.objects.count()
    response = joho_client.post(reverse("plan_editor:plan_create"), data)
    assert response.status_code == 400
    assert message in response.text
    assert Plan.objects.count() == plans


@pytest.mark.parametrize("username", ["demo-staff-a", "demo-kacho", "demo-bucho", "demo-exec", "demo-advisor"])
def test_everyone_but_the_ict_office_is_refused(client, demo_users, plan, username):
    client.force_login(demo_users[username])
    before = tree_state(plan)
    for url in editor_urls(plan):
        assert client.get(url).status_code == 403, url
    for name in ("plan_editor:apply", "plan_editor:undo"):
        response = client.post(reverse(name, args=[plan.code]), {"op": "delete_item", "item": item(plan, "1-2-1").pk,
                                                                 "edit": authoring.undoable_edit(plan).pk})
        assert response.status_code == 403
    assert client.post(reverse("plan_editor:plan_create"), {"code": "x"}).status_code == 403
    assert client.post(reverse("plan_editor:plan_settings", args=[plan.code]), {"name": "x"}).status_code == 403
    assert tree_state(plan) == before and not Plan.objects.filter(code="x").exists()


def test_department_staff_never_see_a_plan_in_preparation(staff_client, plan):
    assert staff_client.get(plan.get_absolute_url()).status_code == 404
    assert staff_client.get(f"/plans/?plan={plan.code}").status_code == 404
    assert "昭島市DX推進計画" not in staff_client.get("/plans/").text
    assert "昭島市DX推進計画" not in staff_client.get("/sheets/?section=all").text
    assert "計画の編集" not in staff_client.get("/plans/").text


def test_the_ict_office_has_the_menu_entry(joho_client, seed):
    assert '計画の編集</a>' in joho_client.get("/plans/").text


def test_the_editor_page_does_not_need_more_queries_for_a_bigger_plan(joho_client, django_assert_max_num_queries):
    """Whatever the plan's size, and with an item's or a project's panel open."""
    small = make_plan(code="small", fanout=(1, 1, 2), projects=2)
    big = make_plan(code="big", fanout=(3, 4, 4), projects=120)

    def panels(plan):
        leaf = PlanItem.objects.filter(plan=plan, placements__isnull=False).order_by("sort_key").first()
        return ["", f"item-{leaf.pk}", f"project-{leaf.placements.first().project_id}-{leaf.pk}"]

    for small_key, big_key in zip(panels(small), panels(big), strict=True):
        with CaptureQueriesContext(connection) as queries:
            small_page = joho_client.get(reverse("plan_editor:editor", args=[small.code]), {"open": small_key})
        assert small_page.status_code == 200
        with django_assert_max_num_queries(len(queries)):
            response = joho_client.get(reverse("plan_editor:editor", args=[big.code]), {"open": big_key})
        assert response.status_code == 200 and response.text.count('class="editor-item ') == 3 + 12 + 48


def test_department_staff_cannot_open_a_sheet_of_a_plan_in_preparation(staff_client, plan):
    assert staff_client.get(f"/sheets/{plan.code}/1-1-1-01/").status_code == 404


def current_code():
    return list(Plan.objects.filter(is_current=True).values_list("code", flat=True))


def test_an_adopted_plan_becomes_the_current_one_in_one_step_and_back_by_undo(plan, joho, client):
    assert current_code() == ["second"]
    with pytest.raises(authoring.StructureError, match="策定中の計画は現行計画にできません"):
        authoring.apply(plan, joho, {"op": "make_current"})
    assert current_code() == ["second"]
    Plan.objects.filter(pk=plan.pk).update(in_preparation=False)
    plan.refresh_from_db()
    edit = authoring.apply(plan, joho, {"op": "make_current"})
    assert current_code() == ["dx"]
    assert edit.summary == "現行計画を「昭島市DX推進計画」にする(これまでの現行計画:第二期昭島市情報化推進計画)"
    assert Plan.objects.current().code == "dx"
    with pytest.raises(authoring.Unchanged):
        authoring.apply(plan, joho, {"op": "make_current"})
    authoring.undo(plan, joho, authoring.undoable_edit(plan).pk)
    assert current_code() == ["second"]
    # Through the page: the button on the editor of an adopted plan that is not current.
    client.force_login(joho)
    assert "この計画を現行計画にする" in client.get(reverse("plan_editor:editor", args=[plan.code])).text
    response = client.post(reverse("plan_editor:apply", args=[plan.code]), {"op": "make_current"})
    assert response.status_code in (200, 302)
    assert current_code() == ["dx"]

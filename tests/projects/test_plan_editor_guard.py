"""計画の管理, the guards found by a new user's try-out: codes of an adopted plan
change only after a confirmation; the message of a change is shown where it was
made; a blank middle level, a plan made by mistake, a sheet whose only entry is
its 課.

The plan and its operations are those of test_authoring."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Section
from plans.models import Plan, PlanEdit, PlanItem, Project
from projects import authoring
from projects.models import Indicator, ProjectSheet
from projects.services import ICT_OFFICE_SECTION
from tests.projects import test_authoring
from tests.projects.test_authoring import HOME_MOVE, HTMX, OPERATIONS, item, project, tree_state

# test_authoring's fixtures, for these tests too.
joho, joho_client, plan = test_authoring.joho, test_authoring.joho_client, test_authoring.plan

# The operations of test_authoring that renumber codes in the fixture's plan; the
# others (renames, 再掲, 〔予定事業〕, projects' order, an item added at the end…) do not.
RECODING = {"add an item first among its siblings", "move an item up", "move an item with projects under another parent",
            "move a top item down", "delete an empty leaf"}


@pytest.fixture
def adopted(plan):
    Plan.objects.filter(pk=plan.pk).update(in_preparation=False)
    plan.refresh_from_db()
    return plan


def cases():
    for name, make_op in OPERATIONS.items():
        yield pytest.param(make_op, name in RECODING, id=name)
    yield pytest.param(HOME_MOVE.values[0], True, id=HOME_MOVE.id)


# ─── 1. Codes of an adopted plan change only when confirmed ──────────────────

@pytest.mark.parametrize(("make_op", "recodes"), list(cases()))
def test_an_adopted_plan_changes_codes_only_when_confirmed(adopted, joho, make_op, recodes):
    before, edits = tree_state(adopted), PlanEdit.objects.count()
    op = make_op(adopted)
    if recodes:
        with pytest.raises(authoring.NeedsConfirmation, match="^策定済みの計画の.*→.*よろしければ確認してから実行してください"):
            authoring.apply(adopted, joho, op)
        assert tree_state(adopted) == before and PlanEdit.objects.count() == edits
        authoring.apply(adopted, joho, op, confirmed=True)
    else:
        authoring.apply(adopted, joho, op)
    assert tree_state(adopted) != before


def test_the_question_names_the_codes_that_change(adopted, joho):
    with pytest.raises(authoring.NeedsConfirmation) as refused:
        authoring.apply(adopted, joho, {"op": "move_item", "item": item(adopted, "1-2").pk,
                                        "parent": item(adopted, "1").pk, "position": 1})
    assert str(refused.value) == (
        "策定済みの計画の番号を変えると、事業コードも変わります(Ⅰ-1 → Ⅰ-2、Ⅰ-1-1 → Ⅰ-2-1 ほか 4 件、"
        "事業コード 1-1-1-01 → 1-2-1-01、1-1-1-02 → 1-2-1-02)。よろしければ確認してから実行してください。")


def test_an_undo_that_renumbers_an_adopted_plan_is_confirmed_too(adopted, joho):
    edit = authoring.apply(adopted, joho, OPERATIONS["move a top item down"](adopted), confirmed=True)
    moved = tree_state(adopted)
    with pytest.raises(authoring.NeedsConfirmation, match="Ⅰ → Ⅱ"):
        authoring.undo(adopted, joho, edit.pk)
    assert tree_state(adopted) == moved
    authoring.undo(adopted, joho, edit.pk, confirmed=True)
    assert item(adopted, "1").title == "市民サービス"


def test_changing_how_levels_number_on_an_adopted_plan_is_confirmed(adopted, joho):
    levels = [{"name": name, "numbering": "arabic", "has_text": has_text, "stated_count": None}
              for name, has_text in (("基本目標", False), ("施策", False), ("取組", True))]
    with pytest.raises(authoring.NeedsConfirmation, match="Ⅰ → 1"):
        authoring.apply(adopted, joho, {"op": "edit_plan", "fields": {}, "levels": levels})
    renamed = [{**level, "numbering": "roman"} if level["name"] == "基本目標" else level for level in levels]
    renamed[0]["name"] = "目標"
    authoring.apply(adopted, joho, {"op": "edit_plan", "fields": {}, "levels": renamed})  # a name only: no codes
    assert item(adopted, "1").level.name == "目標"


def test_the_page_asks_before_a_change_of_codes_and_the_server_refuses_without_it(joho_client, seed):
    """The adopted second plan: ↑ on Ⅰ-1-2 asks first (hx-confirm); sent without
    `confirm` it is refused with the codes, a second step to confirm, nothing changed."""
    second = seed["second"]
    moved = item(second, "1-1-2")
    codes = sorted(Project.objects.filter(plan=second).values_list("code", flat=True))
    page = joho_client.get(reverse("plan_editor:editor", args=["second"])).text
    assert 'hx-confirm="策定済みの計画です。Ⅰ-1-2 を上へ移すと Ⅰ-1-1 と番号が入れ替わり' in page
    url = reverse("plan_editor:apply", args=["second"])
    step = {"op": "step_item", "item": moved.pk, "direction": "up"}

    refused = joho_client.post(url, step, **HTMX)

    assert refused.status_code == 422
    assert "まだ変更していません:策定済みの計画の番号を変えると、事業コードも変わります(Ⅰ-1-1 → Ⅰ-1-2、Ⅰ-1-2 → Ⅰ-1-1、" \
           "事業コード 1-1-1-01 → 1-1-2-01" in refused.text
    assert '<input type="hidden" name="confirm" value="1">' in refused.text
    assert sorted(Project.objects.filter(plan=second).values_list("code", flat=True)) == codes
    page = joho_client.post(url, step)  # without JavaScript: the page with the second step
    assert page.status_code == 400 and "コードが変わることを確認して実行" in page.text

    done = joho_client.post(url, {**step, "confirm": "1"}, **HTMX)
    assert done.status_code == 200 and "保存しました:Ⅰ-1-2" in done.text
    moved.refresh_from_db()
    assert moved.code == "Ⅰ-1-1"


def test_a_plan_in_preparation_asks_nothing(joho_client, plan):
    page = joho_client.get(reverse("plan_editor:editor", args=[plan.code]),
                           {"open": f"item-{item(plan, '1-1').pk}"}).text
    assert "hx-confirm" not in page


def panel_of(client, plan, key):
    page = client.get(reverse("plan_editor:editor", args=[plan.code]), {"open": key}).text
    return page.split(f'id="panel-{key}"')[1].split("</section>")[0]


def test_only_the_forms_that_change_codes_ask_first(joho_client, adopted):
    first, last = item(adopted, "1-1-1"), item(adopted, "1-1-2")
    first_panel = panel_of(joho_client, adopted, f"item-{first.pk}")
    last_panel = panel_of(joho_client, adopted, f"item-{last.pk}")
    assert "hx-confirm=\"策定済みの計画です。移動すると、Ⅰ-1-1 とその下の" in first_panel
    assert "Ⅰ-1-1 を削除すると、後に続く取組の番号" in first_panel
    assert "を削除すると" not in last_panel  # the last 取組: deleting it renumbers nothing
    assert first_panel.count("hx-confirm") == 2 and last_panel.count("hx-confirm") == 1  # not the name, not adding

    e_shinsei = project(adopted, "電子申請")
    panel = panel_of(joho_client, adopted, f"project-{e_shinsei.pk}-{item(adopted, '2-2-2').pk}")
    assert panel.count('name="op" value="move_placement"') == 2  # its home and its 再掲
    assert panel.count("hx-confirm") == 1 and "主たる掲載を移すと、事業コード 1-1-1-01 が" in panel


def test_undo_asks_first_only_when_it_renumbers(joho_client, adopted, joho):
    url = reverse("plan_editor:editor", args=[adopted.code])
    question = 'hx-confirm="策定済みの計画です。元に戻すと'
    move = authoring.apply(adopted, joho, OPERATIONS["move a top item down"](adopted), confirmed=True)
    assert question in joho_client.get(url).text

    undo = reverse("plan_editor:undo", args=[adopted.code])
    refused = joho_client.post(undo, {"edit": move.pk}, **HTMX)
    assert refused.status_code == 422 and "まだ元に戻していません:策定済みの計画の" in refused.text
    assert f'<input type="hidden" name="edit" value="{move.pk}">' in refused.text.split("editor-resend")[1]
    assert joho_client.post(undo, {"edit": move.pk, "confirm": "1"}, **HTMX).status_code == 200
    assert item(adopted, "1").title == "市民サービス"

    authoring.apply(adopted, joho, OPERATIONS["rename an item"](adopted))
    assert question not in joho_client.get(url).text


def test_the_settings_page_asks_before_renumbering_an_adopted_plan(joho_client, adopted):
    url = reverse("plan_editor:plan_settings", args=[adopted.code])
    data = {"name": adopted.name, "start_year": "2024", "end_year": "2028", "master_plan_label": "総合基本計画コード",
            "levels-TOTAL_FORMS": "5", "levels-INITIAL_FORMS": "0", "levels-0-name": "基本目標",
            "levels-0-numbering": "arabic", "levels-1-name": "施策", "levels-2-name": "取組", "levels-2-has_text": "on"}
    refused = joho_client.post(url, data)
    assert refused.status_code == 400 and "まだ保存していません:策定済みの計画の項目の番号が変わります(Ⅰ → 1" in refused.text
    assert 'name="confirm"' in refused.text and item(adopted, "1").code == "Ⅰ"
    assert joho_client.post(url, {**data, "confirm": "1"}).status_code == 302
    assert item(adopted, "1").code == "1"


# ─── 2. The message shows where the change was made ──────────────────────────

def test_the_message_of_a_change_shows_in_its_panel_and_is_read_out_above(joho_client, plan):
    leaf = item(plan, "1-2-1")
    response = joho_client.post(reverse("plan_editor:apply", args=[plan.code]), {
        "op": "add_project", "item": leaf.pk, "name": "AI議事録", "open": f"item-{leaf.pk}"}, **HTMX)
    panel = response.text.split(f'id="panel-item-{leaf.pk}"')[1].split("</section>")[0]
    assert 'class="editor-message editor-message--success"' in panel and "「AI議事録」(1-2-1-01)を追加" in panel
    status = response.text.split('id="editor-status"')[1]
    assert '<p class="visually-hidden">保存しました:' in status


def test_the_message_of_a_button_in_a_row_shows_in_that_row(joho_client, adopted):
    moved = item(adopted, "2-2")
    response = joho_client.post(reverse("plan_editor:apply", args=[adopted.code]),
                                {"op": "step_item", "item": moved.pk, "direction": "up"}, **HTMX)
    row = response.text.split(f'id="item-{moved.pk}"')[1].split('class="editor-slot"')[0]
    assert "editor-message--warning" in row and "まだ変更していません" in row


def test_a_message_without_a_place_shows_above_the_tree(joho_client, plan):
    response = joho_client.post(reverse("plan_editor:apply", args=[plan.code]),
                                {"op": "add_item", "title": "地域社会"}, **HTMX)
    assert 'class="editor-message' in response.text  # the new top item's row
    stale = joho_client.post(reverse("plan_editor:undo", args=[plan.code]), {"edit": 1}, **HTMX)
    status = stale.text.split('id="editor-status"')[1]
    assert '<li class="error">元に戻せませんでした' in status


# ─── 4. Levels filled from the top ───────────────────────────────────────────
# (test_authoring: BAD_PLANS "a blank level between two")

# ─── 5. A plan made by mistake is deleted ────────────────────────────────────

def test_a_plan_in_preparation_is_deleted_after_a_confirmation(joho_client, plan, caplog):
    url = reverse("plan_editor:plan_delete", args=[plan.code])
    assert "この計画を削除" in joho_client.get(reverse("plan_editor:editor", args=[plan.code])).text
    page = joho_client.get(url)
    assert page.status_code == 200 and "項目 14 件・事業 3 件" in page.text and "元に戻せません" in page.text
    assert Plan.objects.filter(pk=plan.pk).exists()  # asking deletes nothing

    with caplog.at_level("INFO", logger="projects.authoring.dispatch"):
        response = joho_client.post(url)

    assert response.status_code == 302 and response["Location"] == reverse("plan_editor:plan_list")
    assert not Plan.objects.filter(pk=plan.pk).exists()
    assert not PlanItem.objects.filter(plan_id=plan.pk).exists() and not ProjectSheet.objects.filter(
        project__plan_id=plan.pk).exists() and not PlanEdit.objects.filter(plan_id=plan.pk).exists()
    assert "計画「昭島市DX推進計画」(計画コード dx、項目 14 件・事業 3 件)を削除しました" in joho_client.get(
        response["Location"]).text
    assert "削除した人:demo-joho" in caplog.text


def test_an_adopted_plan_or_one_with_cycles_is_not_deleted(joho_client, joho, seed, plan):
    from governance.models import ReviewCycle

    second = reverse("plan_editor:plan_delete", args=["second"])
    assert "この計画を削除" not in joho_client.get(reverse("plan_editor:editor", args=["second"])).text
    assert "策定済みのため削除できません" in joho_client.get(second).text
    refused = joho_client.post(second)
    assert refused.status_code == 400 and "策定済みのため削除できません" in refused.text
    ReviewCycle.objects.create(plan=plan, fiscal_year=2024, deadline=datetime.date(2025, 5, 31),
                               opened_by=joho)
    assert joho_client.post(reverse("plan_editor:plan_delete", args=[plan.code])).status_code == 400
    assert Plan.objects.filter(code__in=["second", plan.code]).count() == 2


@pytest.mark.parametrize("username", ["demo-staff-a", "demo-kacho"])
def test_only_the_ict_office_deletes_a_plan(client, demo_users, plan, username):
    client.force_login(demo_users[username])
    url = reverse("plan_editor:plan_delete", args=[plan.code])
    assert client.get(url).status_code == 403 and client.post(url).status_code == 403
    assert Plan.objects.filter(pk=plan.pk).exists()


# ─── 6. Wording ──────────────────────────────────────────────────────────────

def test_the_list_says_策定済み(joho_client, seed):
    page = joho_client.get(reverse("plan_editor:plan_list")).text
    assert "策定済み" in page and "策定済<" not in page


# ─── 8. A sheet's entries, not its 課, keep a project ────────────────────────

def test_a_sheet_as_made_or_with_only_its_section_has_no_entries(plan, joho):
    sheet = project(plan, "庁内LAN更新").sheet
    assert authoring.sheet_entries(sheet) == []
    sheet.section = Section.objects.get(code=ICT_OFFICE_SECTION)
    sheet.version, sheet._history_user = 2, joho
    sheet.save()
    assert authoring.sheet_entries(sheet) == []
    assert authoring.deletion_refusal(sheet.project) is None


def test_a_sheet_lists_what_the_department_entered(plan, demo_users):
    sheet = project(plan, "庁内LAN更新").sheet
    for position in (1, 2):
        Indicator.objects.create(sheet=sheet, position=position, name=f"指標{position}")
    sheet.activities, sheet.end_year = "機器の更新", 2026
    sheet._history_user = demo_users["demo-staff-a"]
    sheet.save()
    sheet.schedule.filter(fiscal_year=2024).update(actual="調達")
    assert authoring.sheet_entries(sheet) == ["指標 2 件", "実施内容", "事業期間", "スケジュール 1 年度分",
                                              "担当課による保存 1 回"]
    assert authoring.deletion_refusal(sheet.project) == (
        "事業「庁内LAN更新」(2-1-1-01)の情報化事業シートに入力があるため削除できません(指標 2 件、実施内容、事業期間、"
        "スケジュール 1 年度分、担当課による保存 1 回)。入力内容を失わないよう、事業名や掲載先の変更で対応してください。")


def test_the_project_panel_shows_the_section_and_offers_deletion_while_nothing_is_entered(joho_client, plan):
    lan = project(plan, "庁内LAN更新")
    ProjectSheet.objects.filter(project=lan).update(section=Section.objects.get(code=ICT_OFFICE_SECTION), version=2)
    key = f"project-{lan.pk}-{item(plan, '2-1-1').pk}"
    page = joho_client.get(reverse("plan_editor:editor", args=[plan.code]), {"open": key}).text
    assert "担当部署(課):総務部情報推進課" in page
    assert "事業 2-1-1-01 を削除" in page

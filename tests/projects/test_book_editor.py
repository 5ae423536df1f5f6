"""計画書の本文 in the plan editor: who may use it, each change recorded in the
plan's history and undoable, refusals with the text kept and nothing saved, and
a chapter list whose query count does not grow with the chapters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans import chapters
from plans.models import PlanChapter, PlanEdit
from projects import authoring
from tests.factories import PlanFactory, make_levels


@pytest.fixture
def plan(db):
    return make_levels(PlanFactory(code="bookplan", name="テスト計画(本文)"))


@pytest.fixture
def joho_client(client, demo_users):
    client.force_login(demo_users["demo-joho"])
    return client


def book_url(plan):
    return reverse("plan_editor:book", kwargs={"plan": plan.code})


def chapter_url(chapter):
    return reverse("plan_editor:chapter_edit", kwargs={"plan": chapter.plan.code, "chapter": chapter.pk})


def state(plan):
    return list(plan.chapters.order_by("position").values_list("pk", "position", "number", "title", "body", "version"))


@pytest.mark.parametrize("username", ["demo-staff-a", "demo-kacho", "demo-bucho", "demo-exec", "demo-advisor"])
def test_only_the_ict_office_may_open_or_change_the_book(client, demo_users, plan, username):
    chapter = chapters.add_chapter(plan, title="総論", body="本文")
    client.force_login(demo_users[username])
    before, edits = state(plan), PlanEdit.objects.count()
    assert client.get(book_url(plan)).status_code == 403
    assert client.get(chapter_url(chapter)).status_code == 403
    assert client.post(book_url(plan), {"action": "add", "title": "新しい章"}).status_code == 403
    assert client.post(chapter_url(chapter), {"title": "書き換え", "body": "x", "version": 1,
                                              "action": "save"}).status_code == 403
    assert state(plan) == before and PlanEdit.objects.count() == edits


def test_a_chapter_of_another_plan_is_not_found(joho_client, plan):
    other = make_levels(PlanFactory(code="otherplan"))
    chapter = chapters.add_chapter(other, title="他の計画の章")
    url = reverse("plan_editor:chapter_edit", kwargs={"plan": plan.code, "chapter": chapter.pk})
    assert joho_client.get(url).status_code == 404


def test_the_ict_office_adds_edits_moves_and_deletes_chapters_each_recorded(joho_client, demo_users, plan):
    joho = demo_users["demo-joho"]
    response = joho_client.post(book_url(plan), {"action": "add", "number": "第1章", "title": "総論"})
    chapter = plan.chapters.get()
    assert response.status_code == 302 and response["Location"] == chapter_url(chapter)
    joho_client.post(book_url(plan), {"action": "add", "number": "", "title": "はじめに", "position": "1"})

    page = joho_client.get(chapter_url(chapter))
    assert page.status_code == 200 and "書き方(記法)" in page.text
    response = joho_client.post(chapter_url(chapter), {
        "number": "第1章", "title": "総論", "version": "1", "action": "save",
        "body": "# 1. 計画策定における基本的な考え方\n本計画の策定にあたっては、\n2 つの大きな柱を軸にします。",
    })
    assert response.status_code == 302
    chapter.refresh_from_db()
    assert chapter.version == 2 and chapter.updated_by == joho
    page = joho_client.get(chapter_url(chapter))
    assert '<h3 class="prose-heading prose-heading--1" id="ch2-1">1. 計画策定における基本的な考え方</h3>' in page.text
    assert "本計画の策定にあたっては、2 つの大きな柱を軸にします。" in page.text

    joho_client.post(book_url(plan), {"action": "step", "chapter": chapter.pk, "direction": "up"})
    assert list(plan.chapters.order_by("position").values_list("title", flat=True)) == ["総論", "はじめに"]
    intro = plan.chapters.get(title="はじめに")
    joho_client.post(book_url(plan), {"action": "delete", "chapter": intro.pk})
    assert list(plan.chapters.values_list("title", flat=True)) == ["総論"]

    summaries = list(plan.edits.order_by("pk").values_list("summary", "user__username"))
    assert summaries == [
        ("計画書の章「第1章 総論」を追加", "demo-joho"),
        ("計画書の章「はじめに」を追加", "demo-joho"),
        ("計画書の章「第1章 総論」の本文を変更", "demo-joho"),
        ("計画書の章「第1章 総論」の順番を変更(2 番目 → 1 番目)", "demo-joho"),
        ("計画書の章「はじめに」を削除", "demo-joho"),
    ]


def test_undo_takes_back_chapter_changes_one_by_one(plan, demo_users):
    joho = demo_users["demo-joho"]
    authoring.apply(plan, joho, {"op": "add_chapter", "number": "第1章", "title": "総論", "body": "最初"})
    chapter = plan.chapters.get()
    authoring.apply(plan, joho, {"op": "add_chapter", "title": "はじめに", "position": 1})
    snapshot = state(plan)
    authoring.apply(plan, joho, {"op": "edit_chapter", "chapter": chapter.pk, "number": "第1章", "title": "総論",
                                 "body": "書き換えた本文", "version": 1})
    authoring.apply(plan, joho, {"op": "move_chapter", "chapter": chapter.pk, "position": 1})
    intro = plan.chapters.get(title="はじめに")
    authoring.apply(plan, joho, {"op": "delete_chapter", "chapter": intro.pk})
    for _ in range(3):
        authoring.undo(plan, joho, authoring.undoable_edit(plan).pk)
    assert [row[:5] for row in state(plan)] == [row[:5] for row in snapshot]
    assert plan.chapters.get(title="はじめに").pk == intro.pk  # made again with its old key


def test_a_chapter_with_script_is_refused_with_the_message_and_nothing_changes(joho_client, plan):
    chapter = chapters.add_chapter(plan, number="第1章", title="総論", body="元の本文")
    before, edits = state(plan), PlanEdit.objects.count()
    typed = "# 1. 見出し\n<script>alert('x')</script>\n<b>太字</b>"
    response = joho_client.post(chapter_url(chapter), {"number": "第1章", "title": "総論", "body": typed,
                                                       "version": "1", "action": "save"})
    assert response.status_code == 400
    assert "HTML やスクリプトは書けません。見出し・段落・箇条書き・表の記法で書いてください。" in response.text
    assert "2 行目:" in response.text and "3 行目:" in response.text
    # What was typed stays in the form (escaped), and nothing of it reaches the page as markup.
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in response.text
    assert "<script>alert" not in response.text
    assert state(plan) == before and PlanEdit.objects.count() == edits


def test_an_unknown_generated_part_is_refused_listing_the_known_ones(joho_client, plan):
    chapter = chapters.add_chapter(plan, title="総論")
    before = state(plan)
    response = joho_client.post(chapter_url(chapter), {"number": "", "title": "総論", "body": "{{目次}}",
                                                       "version": "1", "action": "save"})
    assert response.status_code == 400
    assert "「{{目次}}」は使えません。使えるのは {{施策体系図}}、{{施策体系}}、{{推進体制}}、{{別表}}、{{調査表}}" in response.text
    assert state(plan) == before


def test_saving_over_someone_elses_save_is_refused_with_the_text_kept(joho_client, demo_users, plan):
    chapter = chapters.add_chapter(plan, title="総論", body="元の本文")
    authoring.apply(plan, demo_users["demo-joho"], {"op": "edit_chapter", "chapter": chapter.pk, "number": "",
                                                    "title": "総論", "body": "先に保存された本文", "version": 1})
    before = state(plan)
    response = joho_client.post(chapter_url(chapter), {"number": "", "title": "総論", "body": "私の本文",
                                                       "version": "1", "action": "save"})
    assert response.status_code == 400 and "ほかの人が保存しました" in response.text
    assert "私の本文" in response.text
    assert state(plan) == before


def test_preview_shows_the_typed_text_without_saving(joho_client, plan):
    chapter = chapters.add_chapter(plan, title="総論", body="元の本文")
    before = state(plan)
    response = joho_client.post(chapter_url(chapter), {
        "number": "", "title": "総論", "version": "1", "action": "preview",
        "body": "- ① 評価\n- ② 実行性\n\n: 表 1-1 一覧\n| a | b |\n|---|---|\n| 1 | 2 |\n\n!図 1-1 考え方 | 二つの柱\n\n"
                "{{施策体系図}}\n{{推進体制}}",
    })
    assert response.status_code == 200 and "まだ保存していません" in response.text
    assert "<li>① 評価</li><li>② 実行性</li>" in response.text
    assert '<caption>表 1-1 一覧</caption>' in response.text and '<th scope="col">a</th>' in response.text
    assert "<figcaption>図 1-1 考え方</figcaption>" in response.text and "二つの柱" in response.text
    assert 'class="plan-diagram"' in response.text  # the diagram is drawn in the preview
    assert "〔推進体制:計画書の PDF では" in response.text  # the governance parts are named in their place
    assert state(plan) == before


def test_a_refused_preview_says_it_did_not_preview_nor_pretend_to_save(joho_client, plan):
    chapter = chapters.add_chapter(plan, title="総論", body="元の本文")
    before = state(plan)
    response = joho_client.post(chapter_url(chapter), {"number": "", "title": "総論", "version": "1",
                                                       "action": "preview", "body": "<script>alert(1)</script>"})
    assert response.status_code == 400
    assert "プレビューできませんでした" in response.text and "保存できませんでした" not in response.text
    assert state(plan) == before


def test_the_chapter_list_takes_the_same_queries_for_two_chapters_or_twenty(joho_client, plan):
    def count():
        with CaptureQueriesContext(connection) as captured:
            response = joho_client.get(book_url(plan))
        assert response.status_code == 200
        return len(captured)

    for title in ("A", "B"):
        chapters.add_chapter(plan, title=title, body="本文" * 100)
    few = count()
    for index in range(18):
        chapters.add_chapter(plan, title=f"章{index}", body="本文")
    assert count() == few
    assert PlanChapter.objects.filter(plan=plan).count() == 20


def test_an_operation_cannot_name_its_own_user(plan, demo_users):
    with pytest.raises(authoring.StructureError, match="操作の種類が正しくありません"):
        authoring.apply(plan, demo_users["demo-joho"], {"op": "add_chapter", "title": "総論",
                                                        "user": demo_users["demo-exec"].pk})
    assert not plan.chapters.exists()


def test_the_plan_tree_page_shows_the_diagram(staff_client):
    response = staff_client.get(reverse("plans:plan_tree", kwargs={"plan": "second"}))
    assert response.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="plan-diagram"' in response.text
    assert "Ⅲ-3-1" in response.text

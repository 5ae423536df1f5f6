"""The plan book's chapters: the one write path (plans.chapters) and the seed
book loader. Every refusal is a Japanese message with nothing changed."""

import pytest

from plans import chapters
from plans.chapters import ChapterError
from plans.models import PlanChapter
from plans.services import PLAN_FILES_DIR
from tests.factories import PlanFactory


@pytest.fixture
def plan(db):
    return PlanFactory(code="booktest")


def state(plan):
    return list(plan.chapters.order_by("position").values_list("position", "number", "title", "body", "version"))


def titles(plan):
    return list(plan.chapters.order_by("position").values_list("title", flat=True))


def test_chapters_are_added_in_order_or_at_a_position(plan, django_user_model):
    user = django_user_model.objects.create(username="writer")
    chapters.add_chapter(plan, title="第二期昭島市情報化推進計画の総論", number="第1章", user=user)
    chapters.add_chapter(plan, title="資料編", number="第4章")
    chapters.add_chapter(plan, title="第二期昭島市情報化推進計画を策定するにあたり", position=1)
    assert state(plan) == [(1, "", "第二期昭島市情報化推進計画を策定するにあたり", "", 1),
                           (2, "第1章", "第二期昭島市情報化推進計画の総論", "", 1), (3, "第4章", "資料編", "", 1)]
    assert plan.chapters.get(position=2).updated_by == user


def test_moving_a_chapter_shifts_the_ones_between(plan):
    for title in ("A", "B", "C", "D"):
        chapters.add_chapter(plan, title=title)
    chapters.move_chapter(plan.chapters.get(title="D"), position=2)
    assert titles(plan) == ["A", "D", "B", "C"]
    chapters.move_chapter(plan.chapters.get(title="A"), position=4)
    assert titles(plan) == ["D", "B", "C", "A"]
    chapters.move_chapter(plan.chapters.get(title="B"), position=99)  # past the end: last
    assert titles(plan) == ["D", "C", "A", "B"]


def test_deleting_a_chapter_closes_the_gap(plan):
    for title in ("A", "B", "C"):
        chapters.add_chapter(plan, title=title)
    chapters.delete_chapter(plan.chapters.get(title="B"))
    assert list(plan.chapters.order_by("position").values_list("position", "title")) == [(1, "A"), (2, "C")]


def test_editing_saves_the_text_and_counts_the_version(plan, django_user_model):
    user = django_user_model.objects.create(username="writer")
    chapter = chapters.add_chapter(plan, title="総論", number="第1章")
    chapters.edit_chapter(chapter, number="第1章", title="総論", body="# 1. 基本的な考え方\r\n本文", version=1, user=user)
    chapter.refresh_from_db()
    assert (chapter.body, chapter.version, chapter.updated_by) == ("# 1. 基本的な考え方\n本文", 2, user)


def test_an_edit_from_an_old_version_is_refused_and_changes_nothing(plan):
    chapter = chapters.add_chapter(plan, title="総論", body="最初の本文")
    chapters.edit_chapter(chapter, number="", title="総論", body="他の人の本文", version=1)
    before = state(plan)
    with pytest.raises(ChapterError, match="ほかの人が保存しました"):
        chapters.edit_chapter(chapter, number="", title="総論", body="私の本文", version=1)
    assert state(plan) == before


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": "総論", "body": "<script>alert(1)</script>"}, "HTML やスクリプトは書けません"),
    ({"title": "総論", "body": "{{目次}}"}, "「{{目次}}」は使えません"),
    ({"title": "   ", "body": "本文"}, "章の題名を入力してください"),
    ({"title": "<b>総論</b>", "body": ""}, "章の題名:HTML"),
    ({"title": "総論", "number": "x" * 21}, "章番号は 20 文字以内"),
])
def test_bad_chapters_are_refused_and_nothing_changes(plan, fields, message):
    chapter = chapters.add_chapter(plan, title="そのまま", body="元の本文")
    before = state(plan)
    with pytest.raises(ChapterError, match=message):
        chapters.add_chapter(plan, **fields)
    with pytest.raises(ChapterError, match=message):
        chapters.edit_chapter(chapter, **{"number": "", "body": "", **fields})
    assert state(plan) == before


def test_a_book_file_is_read_into_chapters():
    text = ("前置きは読み飛ばします\n=== | 第二期昭島市情報化推進計画を策定するにあたり\n本文 1\n\n"
            "=== 第1章 | 第二期昭島市情報化推進計画の総論\n# 1. 計画策定における基本的な考え方\n本文 2\n")
    assert chapters.read_book(text) == [
        chapters.ChapterText("", "第二期昭島市情報化推進計画を策定するにあたり", "本文 1"),
        chapters.ChapterText("第1章", "第二期昭島市情報化推進計画の総論", "# 1. 計画策定における基本的な考え方\n本文 2"),
    ]


def test_a_malformed_chapter_line_is_refused():
    with pytest.raises(ChapterError, match="=== 第1章 | 題名"):
        chapters.read_book("=== 第1章 題名だけ\n本文")


def test_load_book_fills_a_plan_once_and_skips_a_missing_file(plan, tmp_path):
    path = tmp_path / "book.txt"
    assert chapters.load_book(plan, path) == 0  # not written yet: nothing, no error
    path.write_text("=== 第1章 | 総論\n本文\n=== 第2章 | 施策体系\n{{施策体系図}}\n", encoding="utf-8")
    assert chapters.load_book(plan, path) == 2
    assert list(plan.chapters.values_list("position", "number", "title")) == [(1, "第1章", "総論"), (2, "第2章", "施策体系")]
    assert chapters.load_book(plan, path) == 0  # a plan with chapters is left as it is
    assert plan.chapters.count() == 2


def test_load_book_refuses_a_bad_chapter_with_its_place_and_adds_none(plan, tmp_path):
    path = tmp_path / "book.txt"
    path.write_text("=== 第1章 | 総論\n本文\n=== 第2章 | 施策体系\n<div>x</div>\n", encoding="utf-8")
    with pytest.raises(ChapterError, match="2 番目の章「施策体系」"):
        chapters.load_book(plan, path)
    assert not PlanChapter.objects.filter(plan=plan).exists()


def test_the_second_plan_seed_names_its_book_file():
    assert 'book = "second_book.txt"' in (PLAN_FILES_DIR / "second.toml").read_text(encoding="utf-8")


def test_a_book_file_written_after_the_plan_was_loaded_is_added_once(seed, tmp_path):
    from plans.services import load_plan

    source = (PLAN_FILES_DIR / "first.toml").read_text(encoding="utf-8")
    seed_file = tmp_path / "first.toml"
    seed_file.write_text('book = "first_book.txt"\n' + source, encoding="utf-8")  # top level, before any table
    plan = seed["first"]
    plan.chapters.all().delete()
    assert load_plan(path=seed_file) is None  # the plan exists; no book file yet
    assert not plan.chapters.exists()
    (tmp_path / "first_book.txt").write_text("=== 第1章 | 総論\n本文\n", encoding="utf-8")
    load_plan(path=seed_file)
    load_plan(path=seed_file)
    assert list(plan.chapters.values_list("number", "title", "body")) == [("第1章", "総論", "本文")]

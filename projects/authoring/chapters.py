"""The plan book's chapters as operations of the plan's history: each change of a
chapter through plans.chapters, with a Japanese summary and its inverse, so that
「元に戻す」 takes it back like any change of the tree."""

from plans import chapters
from projects.authoring.operations import Done, Unchanged, _position, short

CHAPTER_FIELDS = {"number": "章番号", "title": "題名", "body": "本文"}


def _named(chapter) -> str:
    return f"計画書の章「{short(chapter.heading)}」"


def add_chapter(plan, *, title, number="", body="", position=None, pk=None, user=None):
    chapter = chapters.add_chapter(plan, number=number, title=title, body=body,
                                   position=_position(position, None), pk=pk, user=user)
    return Done(f"{_named(chapter)}を追加", {"op": "delete_chapter", "chapter": chapter.pk},
                focus=f"chapter-{chapter.pk}")


def edit_chapter(plan, *, chapter, number="", title, body="", version=None, user=None):
    chapter = chapters.chapter_of(plan, chapter)
    before = {"number": chapter.number, "title": chapter.title, "body": chapter.body}
    text = chapters.check(number, title, body)
    after = {"number": text.number, "title": text.title, "body": text.body}
    changed = [label for name, label in CHAPTER_FIELDS.items() if before[name] != after[name]]
    if not changed:
        raise Unchanged(f"{_named(chapter)}に変更はありません。")
    named = _named(chapter)
    chapters.edit_chapter(chapter, **after, version=version, user=user)
    return Done(f"{named}の{'・'.join(changed)}を変更", {"op": "edit_chapter", "chapter": chapter.pk, **before},
                focus=f"chapter-{chapter.pk}")


def move_chapter(plan, *, chapter, position, user=None):
    chapter = chapters.chapter_of(plan, chapter)
    old = chapter.position
    moved = chapters.move_chapter(chapter, position=_position(position, old), user=user)
    if moved.position == old:
        raise Unchanged(f"{_named(chapter)}の位置は変わりません。")
    return Done(f"{_named(chapter)}の順番を変更({old} 番目 → {moved.position} 番目)",
                {"op": "move_chapter", "chapter": chapter.pk, "position": old}, focus=f"chapter-{chapter.pk}")


def delete_chapter(plan, *, chapter):
    chapter = chapters.chapter_of(plan, chapter)
    inverse = {"op": "add_chapter", "number": chapter.number, "title": chapter.title, "body": chapter.body,
               "position": chapter.position, "pk": chapter.pk}
    summary = f"{_named(chapter)}を削除"
    chapters.delete_chapter(chapter)
    return Done(summary, inverse)


OPERATIONS = {function.__name__: function for function in (add_chapter, edit_chapter, move_chapter, delete_chapter)}

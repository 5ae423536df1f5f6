"""The one write path of a plan book's chapters (plans.PlanChapter): add, edit,
move, delete, and the loader of a seed book file.

Each function checks its input before writing anything (ChapterError, a
Japanese message; the markup through plans.prose.validate), runs in a
transaction and stamps the chapter with who changed it. The plan editor calls
these through projects.authoring, which records each change in the plan's
history (PlanEdit) with its inverse.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from plans import prose
from plans.models import Plan, PlanChapter
from plans.structure import StructureError

NUMBER_MAX, TITLE_MAX = 20, 200
BODY_MAX = 200_000  # characters: the longest printed chapter (資料編) is about 40,000


class ChapterError(StructureError):
    """A refused change to a chapter; the message is for the user."""


@dataclass(frozen=True)
class ChapterText:
    number: str
    title: str
    body: str


def check(number: str, title: str, body: str) -> ChapterText:
    """The chapter's fields tidied, or ChapterError saying every problem."""
    number, title = (number or "").strip(), (title or "").strip()
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").rstrip()
    found = []
    if not title:
        found.append("章の題名を入力してください。")
    if len(title) > TITLE_MAX:
        found.append(f"章の題名は {TITLE_MAX} 文字以内にしてください。")
    if len(number) > NUMBER_MAX:
        found.append(f"章番号は {NUMBER_MAX} 文字以内にしてください(例:第1章)。")
    for label, text in (("章番号", number), ("章の題名", title)):
        if prose.problems(text):
            found.append(f"{label}:{prose.HTML_MESSAGE}")
    if len(body) > BODY_MAX:
        found.append(f"本文は {BODY_MAX:,} 文字以内にしてください(いまは {len(body):,} 文字)。")
    try:
        prose.validate(body)
    except ValidationError as error:
        found += [f"本文の{message}" for message in error.messages]
    if found:
        raise ChapterError(" ".join(found))
    return ChapterText(number, title, body)


def chapter_of(plan: Plan, pk) -> PlanChapter:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ChapterError("章の指定が正しくありません。") from None
    chapter = PlanChapter.objects.select_for_update().filter(plan=plan, pk=pk).first()
    if chapter is None:
        raise ChapterError("指定された章が見つかりません(ほかの人が削除した可能性があります)。画面を読み込み直してください。")
    return chapter


@transaction.atomic
def add_chapter(plan: Plan, *, number: str = "", title: str, body: str = "", position: int | None = None,
                user=None, pk: int | None = None) -> PlanChapter:
    """A chapter at `position` (1 = first; None = last), the ones after it moved down."""
    text = check(number, title, body)
    count = plan.chapters.count()
    position = count + 1 if position is None else max(1, min(int(position), count + 1))
    _shift(plan, start=position, by=1)
    chapter = PlanChapter.objects.create(plan=plan, position=position, number=text.number, title=text.title,
                                         body=text.body, updated_by=user, pk=pk)
    return chapter


@transaction.atomic
def edit_chapter(chapter: PlanChapter, *, number: str, title: str, body: str, version: int | None = None,
                 user=None) -> PlanChapter:
    """Save the chapter's text; refused when `version` (the one the user started
    from) is no longer the stored one, so that nobody's edit is silently lost."""
    text = check(number, title, body)
    updated = PlanChapter.objects.filter(pk=chapter.pk, **({} if version is None else {"version": version}))
    if not updated.update(number=text.number, title=text.title, body=text.body, version=F("version") + 1,
                          updated_by=user, updated_at=timezone.now()):
        raise ChapterError(f"「{chapter.heading}」は、開いた後にほかの人が保存しました。入力した本文はそのまま残してあります。"
                           "画面を読み込み直して相手の変更を確かめてから、もう一度保存してください。")
    chapter.refresh_from_db()
    return chapter


@transaction.atomic
def move_chapter(chapter: PlanChapter, *, position: int, user=None) -> PlanChapter:
    plan = chapter.plan
    count = plan.chapters.count()
    position = max(1, min(int(position), count))
    old = chapter.position
    if position == old:
        return chapter
    PlanChapter.objects.filter(pk=chapter.pk).update(position=0)  # out of the way of the unique order
    if position < old:
        _shift(plan, start=position, stop=old - 1, by=1)
    else:
        _shift(plan, start=old + 1, stop=position, by=-1)
    PlanChapter.objects.filter(pk=chapter.pk).update(position=position, updated_by=user, updated_at=timezone.now())
    chapter.refresh_from_db()
    return chapter


@transaction.atomic
def delete_chapter(chapter: PlanChapter) -> None:
    plan, position = chapter.plan, chapter.position
    chapter.delete()
    _shift(plan, start=position + 1, by=-1)


def _shift(plan: Plan, *, start: int, stop: int | None = None, by: int) -> None:
    """Move the chapters at positions start..stop by `by`, never two at one place:
    first far away, then back (one UPDATE each, whatever the number of chapters)."""
    chapters = plan.chapters.filter(position__gte=start, **({} if stop is None else {"position__lte": stop}))
    far = (plan.chapters.aggregate(top=Max("position"))["top"] or 0) + 1000
    chapters.update(position=F("position") + far)
    PlanChapter.objects.filter(plan=plan, position__gte=start + far).update(position=F("position") - far + by)


# ─── The seed book file ──────────────────────────────────────────────────────

_CHAPTER_LINE = re.compile(r"^===\s*(.*?)\s*\|\s*(.*?)\s*$")


def read_book(text: str) -> list[ChapterText]:
    """The chapters of a book file: a line 「=== 第1章 | 題名」 starts each (the
    number may be blank: 「=== | 題名」); what comes before the first is ignored."""
    chapters, current, lines = [], None, []
    for line in text.replace("\r\n", "\n").split("\n") + ["=== |"]:
        match = _CHAPTER_LINE.match(line) if line.startswith("===") else None
        if line.startswith("===") and match is None:
            raise ChapterError(f"章の区切りの行「{line[:40]}」は「=== 第1章 | 題名」の形で書いてください。")
        if match:
            if current is not None:
                chapters.append(ChapterText(current[0], current[1], "\n".join(lines).strip("\n")))
            current, lines = (match.group(1), match.group(2)), []
        else:
            lines.append(line)
    return [chapter for chapter in chapters if chapter.title or chapter.body]


@transaction.atomic
def load_book(plan: Plan, path: Path) -> int:
    """The chapters of the book file at `path`, added to a plan that has none;
    returns how many (0 when the file does not exist yet or the plan has chapters)."""
    if not path.exists() or plan.chapters.exists():
        return 0
    chapters = read_book(path.read_text(encoding="utf-8"))
    for index, chapter in enumerate(chapters, start=1):
        try:
            add_chapter(plan, number=chapter.number, title=chapter.title, body=chapter.body)
        except ChapterError as error:
            raise ChapterError(f"{path.name} の {index} 番目の章「{chapter.title}」:{error}") from error
    return len(chapters)

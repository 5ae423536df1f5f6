"""The second plan's book (fixtures/plans/second_book.txt) must be the printed plan's text.

The reference is the plan's own text as extracted from its PDF
(fixtures/source/second_plan_text.txt), never the fixture: the chapters are those of
the 目次 printed on the plan's first page, and the sentences are drawn from the
plan's text by a fixed rule (`sample`), not picked by hand.

Part 1 reads the two files only. Part 2 prints the book through the engine
(plans.prose, plans.services.load_book, governance.books.render.plan_book) and checks
the same sample in the PDF's text; it is skipped while the engine does not exist.

Both texts are compared after `norm`: radicals the PDF font put in place of kanji
mapped back (⺠→民 …), NFKC (full-width and half-width forms are the same letter),
all whitespace removed (the extraction breaks lines mid-word and spaces Japanese).
"""

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
SOURCE_PATH = BASE_DIR / "fixtures" / "source" / "second_plan_text.txt"
BOOK_PATH = BASE_DIR / "fixtures" / "plans" / "second_book.txt"

# CJK radicals NFKC leaves alone (or maps to a variant): the kanji the plan prints.
RADICALS = str.maketrans({"⺠": "民", "⻑": "長", "⿊": "黒"})


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text.translate(RADICALS)))


# ─── The plan's text: its 目次, its chapters, its sentences ─────────────────

SOURCE = SOURCE_PATH.read_text(encoding="utf-8")
# Each page of the plan carries the running header 「第1章 第2章 第3章 第4章」
# (the tab of the current chapter extracted in between, in any order); the first
# one follows the 目次.
RUNNING_HEADER = "第1章 第2章 第3章 第4章"


def toc_entries(source: str = SOURCE) -> list[tuple[str, str]]:
    """The 目次 as (number, title), in order, whitespace removed: the chapters
    (number 「第1章」…, blank for the foreword) and their sections 「1.」「4.1」…
    An entry is a title, a dot leader and a page number."""
    toc = source[source.index("目次") + len("目次"): source.index(RUNNING_HEADER)]
    parts = re.split(r"\s*\.{3,}\s*\d+\s*", toc)
    entries = []
    for part in parts:
        # Roman page numbers of the 目次 pages themselves (i, ii) end up before an entry.
        text = re.sub(r"^i+(?:\s+|$)", "", part.strip())
        if not text:
            continue
        text = re.sub(r"\s+", "", text)
        chapter = re.match(r"(第\d章)(.+)", text)
        if chapter:
            entries.append(chapter.groups())
            continue
        numbered = re.match(r"((?:\d+\.)+\d*)(.+)", text)
        entries.append(numbered.groups() if numbered else ("", text))
    return entries


def toc_chapters() -> list[tuple[str, str]]:
    """The chapters of the 目次: 「第N章」 entries, and the foreword before them."""
    entries = toc_entries()
    return [entries[0]] + [entry for entry in entries if entry[0].startswith("第")]


def source_chapters() -> dict[str, str]:
    """The plan's text split at each chapter's start, by chapter title. A chapter
    starts where its title follows the running header of its first page (the title
    alone also occurs in the 目次 and in references such as 「第 4 章 資料編」)."""
    after_toc = SOURCE.index(RUNNING_HEADER)
    starts = []
    for _, title in toc_chapters():
        title_words = r"\s*".join(map(re.escape, title))
        header_then_title = re.compile(r"(?:(?:第[1-4]章|\d\.)\s+){2,}" + title_words)
        match = header_then_title.search(SOURCE, after_toc)
        assert match, f"chapter start of 「{title}」 not found in the plan's text"
        starts.append((match.start(), title))
    # The text ends with the last page's number.
    starts.append((len(SOURCE.rstrip().rstrip("0123456789")), None))
    return {title: SOURCE[start:end] for (start, title), (end, _) in zip(starts, starts[1:])}


# Parts of the plan the book does not transcribe, located in the plan's text by
# their first and last words (normalised): their sentences are legitimately absent
# from the fixture. The generated parts ({{推進体制}} 表1-1, {{施策体系}} §2.1-2.3,
# {{調査表}} 表4-2〜4-4, {{別表}}) are drawn by the application from its data; the
# other tables are reconstructed as tables, whose cells the extraction interleaves.
NOT_PROSE = [
    ("表1-1本市における情報化の推進体制一覧", "図1-3情報化推進体制(案)"),
    ("2.1市民ニーズに合ったe(いい)行政サービスの提供情報化施策体系",
     "市内企業のPR動画の配信公共施設予約システムの利用促進(再掲)"),
    ("表4-1第一期計画の主な取り組み", "安全で円滑な制度の運用に向けて取り組みの強化を図る。"),
    ("表4-2第一期計画における事業の実施状況", "合計55事業.(100%)"),
    ("表4-3第一期計画における事業の進捗度評価", "合計55事業.(100%)"),
    ("表4-4第一期計画における事業の今後の方向性", "55事業.(100%)"),
    ("表4-5新たに発生した主な問題点・ニーズ(庁内)", "公衆無線LAN設置の検討が必要。"),
    ("表4-6本市における情報化の課題", "公衆無線LAN生涯学習の拡充の拡充"),
    ("表4-7全国の地方公共団体及び本市における情報化の主な取り組み状況",
     "特定個人情報保護を含む職員研修を実施。"),
    ("表4-8新たに発生した主な問題点・ニーズ(外部環境)",
     "(自治体情報セキュリティクラウド)の検討を進めるべき。"),
    ("表4-9本市における情報化の課題", "オープンデータの推進(再掲)"),
    ("別表(第3条関係)", "18生涯学習部社会教育課長"),
]
# A sentence the page break cut holds the running header (two 「第N章」 close
# together; the plan's own references are single: 「P36 第 4 章 資料編」).
PAGE_BREAK = re.compile(r"第[1-4]章.{0,12}?第[1-4]章")
# A sentence that runs into a figure's or a table's caption holds the figure's
# words (figures are described in the book, not transcribed).
CAPTION = re.compile(r"[図表]\d+-\d+")
MIN_LENGTH = 15
PER_CHAPTER = 30


def without_not_prose(text: str) -> tuple[str, list[str]]:
    """The normalised chapter text with each NOT_PROSE part replaced by a sentence
    end, and the markers found (to check that every part was located once)."""
    found = []
    for start, end in NOT_PROSE:
        start, end = norm(start), norm(end)
        i = text.find(start)
        if i < 0:
            continue
        j = text.find(end, i)
        assert j > i, f"end 「{end}」 of a part starting 「{start}」 not found"
        text = text[:i] + "。" + text[j + len(end):]
        found.append(start)
    return text, found


def candidates(chapter_text: str) -> list[str]:
    """The chapter's sentences (split on 「。」) of 15 characters or more, outside
    the parts the book does not transcribe, not cut by a page break, not running
    into a caption."""
    text, _ = without_not_prose(norm(chapter_text))
    return [s for s in text.split("。") if len(s) >= MIN_LENGTH
            and not PAGE_BREAK.search(s) and not CAPTION.search(s)]


def sample(chapter_text: str) -> list[str]:
    """Every k-th candidate sentence, k = len // 30 (at least 1): 30 or more from a
    chapter, or all of them where the chapter has fewer (the foreword and chapter 3
    are short; chapter 2 is mostly the generated §2.1-2.3)."""
    found = candidates(chapter_text)
    return found[::max(1, len(found) // PER_CHAPTER)]


# ─── The fixture ─────────────────────────────────────────────────────────────

BOOK = BOOK_PATH.read_text(encoding="utf-8")


def book_chapters() -> list[tuple[str, str, str]]:
    """(number, title, prose) of each chapter of the fixture: the prose as the book
    prints it in running text (headings, paragraphs, list items; the markup
    removed), without tables, captions, figures and generated parts."""
    chapters = []
    for line in BOOK.splitlines():
        if line.startswith("==="):
            number, title = (part.strip() for part in line[3:].split("|", 1))
            chapters.append((number, title, [title]))
        elif not line.startswith(("|", ": ", "!", "{{")):
            chapters[-1][2].append(re.sub(r"^(?:#+ |- )", "", line))
    return [(number, title, norm("".join(lines))) for number, title, lines in chapters]


def book_headings() -> list[tuple[str, str]]:
    """The fixture's headings of levels 1-2 as (chapter title, heading), normalised,
    in order."""
    found, chapter = [], None
    for line in BOOK.splitlines():
        if line.startswith("==="):
            chapter = norm(line.split("|", 1)[1])
        elif re.match(r"#{1,2} ", line):
            found.append((chapter, norm(line.split(" ", 1)[1])))
    return found


# ─── Part 1: the text (no engine, no database) ───────────────────────────────

@pytest.mark.db_agnostic
def test_toc_of_the_plan_lists_the_foreword_and_four_chapters():
    """The reference itself: the 目次 parses into the plan's five chapters."""
    chapters = toc_chapters()
    assert [number for number, _ in chapters] == ["", "第1章", "第2章", "第3章", "第4章"]
    assert chapters[0][1] == "第二期昭島市情報化推進計画を策定するにあたり"


@pytest.mark.db_agnostic
def test_book_chapters_are_those_of_the_printed_toc():
    assert [(norm(number), norm(title)) for number, title, _ in book_chapters()] == toc_chapters()


# Sections of the 目次 whose headings the application draws in {{施策体系}}.
GENERATED_SECTIONS = {("第2章", "2.1"), ("第2章", "2.2"), ("第2章", "2.3")}


@pytest.mark.db_agnostic
def test_book_sections_follow_the_printed_toc():
    """Each section of the 目次 (levels 1-2) is a heading of the same chapter in
    the book, in the 目次's order, with its number where the 目次 prints one
    clearly. (The 目次's extraction lists chapter 4's 「1. 2. 3.」 together before
    内部環境変化, and 外部環境変化 and 関連要綱 without theirs: only their titles
    are compared there.)"""
    book = book_headings()
    position = 0
    chapter_number = chapter = None
    checked = 0
    for i, (number, title) in enumerate(toc_entries()):
        if i == 0 or number.startswith("第"):
            chapter_number, chapter = number, title
            continue
        if (chapter_number, number) in GENERATED_SECTIONS:
            continue
        clear = re.fullmatch(r"\d+\.(\d+)?", number)
        matches = [j for j, (c, heading) in enumerate(book) if j >= position and c == chapter
                   and (heading == number + title if clear else heading.endswith(title))]
        assert matches, f"目次 entry 「{number}{title}」 is not a heading of 「{chapter}」 (in order)"
        position = matches[0] + 1
        checked += 1
    assert checked >= 25


@pytest.mark.db_agnostic
def test_every_part_the_book_leaves_out_is_located_in_the_plans_text():
    """The NOT_PROSE markers still find their parts: a marker that no longer
    matches would silently let its sentences be sampled (and fail) or not."""
    found = []
    for text in source_chapters().values():
        found += without_not_prose(norm(text))[1]
    assert sorted(found) == sorted(norm(start) for start, _ in NOT_PROSE)


@pytest.mark.db_agnostic
@pytest.mark.parametrize("number,title", toc_chapters())
def test_sampled_sentences_of_the_plan_are_in_the_same_chapter_of_the_book(number, title):
    chosen = sample(source_chapters()[title])
    assert len(chosen) >= min(PER_CHAPTER, len(candidates(source_chapters()[title])))
    # The parts left out must not have swallowed the chapter (chapter 2 keeps 9).
    assert len(chosen) >= 5, f"only {len(chosen)} sentences sampled from 「{title}」"
    prose = {norm(t): text for _, t, text in book_chapters()}[norm(title)]
    missing = [sentence for sentence in chosen if sentence not in prose]
    assert not missing, f"{len(missing)}/{len(chosen)} sentences of 「{title}」 not in the book:\n" \
        + "\n".join(missing)


@pytest.mark.db_agnostic
@pytest.mark.parametrize("number,title", toc_chapters())
def test_every_sentence_of_the_plans_prose_is_in_the_book(number, title):
    """Stricter than the sample, for the text alone: every candidate sentence."""
    prose = {norm(t): text for _, t, text in book_chapters()}[norm(title)]
    missing = [s for s in candidates(source_chapters()[title]) if s not in prose]
    assert not missing, "\n".join(missing)


# The tables the book reconstructs (the others are generated parts).
RECONSTRUCTED = [part for part in NOT_PROSE if part[0].startswith(
    ("表4-1", "表4-5", "表4-6", "表4-7", "表4-8", "表4-9"))]


@pytest.mark.db_agnostic
@pytest.mark.parametrize("start,end", RECONSTRUCTED, ids=[s[:4] for s, _ in RECONSTRUCTED])
def test_every_word_of_a_reconstructed_table_is_in_the_books_tables(start, end):
    """The extraction gives a table as a run of words, its columns interleaved:
    each word (space-separated in the plan's text) must be in the book's tables and
    captions. Single characters are not checked: the letters of the vertical labels
    (「情 報 化 推 進 分 野」), 「№」, the running header's page numbers."""
    tables = norm("".join(line for line in BOOK.splitlines() if line.startswith(("|", ": "))))
    text = norm(SOURCE)
    i = text.index(norm(start))
    j = text.index(norm(end), i) + len(norm(end))
    missing, position = [], 0
    for word in map(norm, SOURCE.split()):
        at = text.index(word, position)
        position = at + len(word)
        if i <= at < j and len(word) > 1 and not re.fullmatch(r"第[1-4]章|\d+", word) \
                and word not in tables:
            missing.append(word)
    assert not missing


@pytest.mark.db_agnostic
def test_book_markup_is_what_the_engine_accepts():
    """No HTML (the engine refuses 「<」 before a letter), no line starting 「1. 」
    outside a heading (it would read as a numbered list), each generated part once,
    alone on its line, and the captions the generated parts need."""
    assert not re.search(r"<[A-Za-z/!]", BOOK)
    assert not [line for line in BOOK.splitlines() if re.match(r"\d+\. ", line)]
    lines = BOOK.splitlines()
    for part in ("{{施策体系図}}", "{{施策体系}}", "{{推進体制}}", "{{調査表:実施状況}}", "{{調査表:進捗度}}",
                 "{{調査表:今後の方向性}}", "{{別表}}"):
        assert lines.count(part) == 1, part
        assert BOOK.count(part) == 1, part
    assert lines[lines.index("{{施策体系図}}") - 1] == ": 図 2-3 情報化施策体系(全体像)"
    assert lines[lines.index("{{推進体制}}") - 1] == ": 表 1-1 本市における情報化の推進体制一覧"
    assert lines[lines.index("{{別表}}") - 2] == "別表(第3条関係)"
    # Each of 表4-2〜4-4 where the plan prints it: 表4-4 under (2), after the other two.
    assert (lines.index("{{調査表:実施状況}}") < lines.index("{{調査表:進捗度}}")
            < lines.index("### (2) 第一期計画における事業の今後の方向性") < lines.index("{{調査表:今後の方向性}}"))


# ─── Part 2: the book as the engine prints it ────────────────────────────────

def pdf_prose(data: bytes) -> str:
    """The PDF's text, normalised, without the running headers and footers (a line
    among the first or last two of a page that is there on more than half of the
    pages) and without lines that are only a page number."""
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=data,
                         capture_output=True, check=True)
    pages = [[line.strip() for line in page.splitlines() if line.strip()]
             for page in out.stdout.decode().split("\f")]
    pages = [page for page in pages if page]

    def margins(page):
        return set(page[:2] + page[-2:])

    counts = {}
    for page in pages:
        for line in margins(page):
            counts[line] = counts.get(line, 0) + 1
    running = {line for line, n in counts.items() if len(pages) > 4 and n > len(pages) / 2}
    page_number = re.compile(r"[-–—\s]*\d+(?:\s*/\s*\d+)?[-–—\s]*")
    kept = []
    for page in pages:
        edge = {0, 1, len(page) - 2, len(page) - 1}
        kept += [line for i, line in enumerate(page) if not (i in edge and line in running)
                 and not page_number.fullmatch(line)]
    return norm("\n".join(kept))


@pytest.mark.django_db
def test_printed_book_holds_the_sampled_sentences_and_the_toc_chapters(seed):
    """The second plan as `make run` loads it (fixtures/plans/second.toml names its book)."""
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed: make sysdeps"
    from governance.books.render import plan_book

    plan = seed["second"]
    assert plan.chapters.count() == len(toc_chapters())
    text = pdf_prose(plan_book(plan))

    for number, title in toc_chapters():
        assert number + title in text, f"chapter heading 「{number}{title}」 not in the PDF"
    chapters = source_chapters()
    missing = {title: [s for s in sample(chapters[title]) if s not in text]
               for _, title in toc_chapters()}
    assert not any(missing.values()), "sentences not in the PDF:\n" + "\n".join(
        f"{title}: {sentence}" for title, sentences in missing.items() for sentence in sentences)

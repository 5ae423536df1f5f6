"""The markup of the plan book's chapters: plain text in, typed blocks out.

    # 1. 計画策定における基本的な考え方        section (## level 2, ### level 3)
    a paragraph's lines are joined without a space (Japanese); a blank line ends it
    - a bullet item (consecutive lines make one list; write ① … for numbered ones)
    : 表 1-1 本市における情報化の推進体制一覧   caption of the table or figure below
    | № | 組織名等 |                          a table row (|---|---| after the first: header)
    !図 1-1 題名 | 短い説明                   a figure the data cannot draw
    {{施策体系図}}                             a part the data draws (GENERATED)

No HTML ever: `validate` refuses anything that looks like it (and `javascript:`),
and the templates escape every block anyway. Pure functions, no database.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

# The parts the application draws from its data, by the name written in the text.
GENERATED = {
    "施策体系図": "diagram",  # 図2-3 as an SVG tree
    "施策体系": "hierarchy",  # 目標・基本方針・情報化施策 with their texts and projects
    "推進体制": "bodies",  # 表1-1 from the governance bodies
    "別表": "members",  # the 検討会議's members (要綱 別表)
    "調査表": "survey",  # the predecessor plan's end survey (表4-2〜4-4)
    "調査表:実施状況": "survey_implementation",  # its 表4-2 alone, where the plan prints it
    "調査表:進捗度": "survey_progress",  # 表4-3
    "調査表:今後の方向性": "survey_direction",  # 表4-4
    "スケジュール": "schedule",  # 図3-3: 進行管理 every year, 中間・最終見直し
}

HTML_MESSAGE = "HTML やスクリプトは書けません。見出し・段落・箇条書き・表の記法で書いてください。"
MAX_ERRORS = 5

_HTML = re.compile(r"<[A-Za-z/!?]")
_SCRIPT = re.compile(r"j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t\s*:|vbscript\s*:|data\s*:\s*text/html", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_GENERATED = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_SEPARATOR = re.compile(r"^:?-{2,}:?$")


@dataclass(frozen=True)
class Heading:
    level: int  # 1 (#), 2 (##), 3 (###)
    text: str
    kind: str = "heading"
    anchor: str = ""  # set by plans.book for the 目次 and the bookmarks
    tag: str = ""


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "paragraph"


# Marks a printed list writes itself (・, ①, (1), ○ …): such a list is printed without bullets.
OWN_MARKS = tuple("・○●◎■□◆◇※-") + tuple(chr(c) for c in range(0x2460, 0x2474)) + ("(", "(", "【", "〔")


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]
    kind: str = "list"

    @property
    def marked(self) -> bool:
        """Every item starts with its own mark (「・」, 「①」, 「(1)」…), as the plan prints it."""
        return all(item.startswith(OWN_MARKS) for item in self.items)


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]
    header: tuple[str, ...] | None = None
    caption: str = ""
    kind: str = "table"

    @property
    def width(self):
        return max([len(self.header or ())] + [len(row) for row in self.rows])


@dataclass(frozen=True)
class Figure:
    caption: str
    description: str = ""
    kind: str = "figure"


@dataclass(frozen=True)
class Generated:
    name: str  # as written: 施策体系図
    key: str  # GENERATED[name]: diagram
    caption: str = ""
    kind: str = "generated"
    html: str | None = None  # the drawn part, set by plans.book


@dataclass(frozen=True)
class Caption:
    """A caption line with no table or figure under it: printed as it is."""

    text: str
    kind: str = "caption"


Block = Heading | Paragraph | BulletList | Table | Figure | Generated | Caption


def problems(body: str) -> list[str]:
    """What is wrong with `body`, in Japanese, by line (empty if it may be saved)."""
    found = []
    known = "、".join(f"{{{{{name}}}}}" for name in GENERATED)
    for number, line in enumerate(body.splitlines(), start=1):
        where = f"{number} 行目:"
        if _HTML.search(line) or _SCRIPT.search(line):
            found.append(where + HTML_MESSAGE)
            continue
        if line.startswith("==="):
            found.append(where + "「===」で始まる行は章の区切りです。章は「章を追加」で分けてください。")
        heading = _HEADING.match(line)
        if heading and len(heading.group(1)) > 3:
            found.append(where + "見出しは「#」「##」「###」の 3 段までです。")
        for name in _GENERATED.findall(line):
            if name not in GENERATED:
                found.append(f"{where}「{{{{{name}}}}}」は使えません。使えるのは {known} です。")
            elif line.strip() != f"{{{{{name}}}}}":
                found.append(f"{where}「{{{{{name}}}}}」は 1 行に単独で書いてください。")
        if "\x00" in line:
            found.append(where + "使えない文字が含まれています。")
    return found


def validate(body: str) -> None:
    """Raise ValidationError with the problems of `body` (at most MAX_ERRORS, then a count)."""
    found = problems(body)
    if found:
        shown = found[:MAX_ERRORS]
        if len(found) > MAX_ERRORS:
            shown.append(f"ほか {len(found) - MAX_ERRORS} 件")
        raise ValidationError(shown)


def _cells(line: str) -> tuple[str, ...]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return tuple(cell.strip() for cell in inner.split("|"))


def _is_separator(cells) -> bool:
    return bool(cells) and all(_SEPARATOR.match(cell.replace(" ", "")) for cell in cells)


@dataclass
class _Reader:
    lines: list[str]
    at: int = 0
    blocks: list = field(default_factory=list)

    def peek(self) -> str | None:
        return self.lines[self.at] if self.at < len(self.lines) else None

    def take(self) -> str:
        self.at += 1
        return self.lines[self.at - 1]


def parse(body: str) -> list[Block]:
    """The blocks of a chapter's body, in order. Assumes `validate` passed (the
    templates escape every text anyway)."""
    reader = _Reader(body.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    while reader.peek() is not None:
        line = reader.peek()
        stripped = line.strip()
        if not stripped:
            reader.take()
        elif stripped.startswith(": ") or stripped == ":":
            reader.take()
            _captioned(reader, stripped[1:].strip())
        else:
            reader.blocks.append(_block(reader))
    return reader.blocks


def _captioned(reader: _Reader, caption: str) -> None:
    """The table, figure or generated part right under a caption line."""
    following = reader.peek()
    stripped = following.strip() if following is not None else ""
    if stripped.startswith("|") or stripped.startswith("!") or _generated(stripped):
        block = _block(reader)
        reader.blocks.append(_with_caption(block, caption))
    else:
        reader.blocks.append(Caption(caption))


def _with_caption(block, caption):
    if isinstance(block, Table):
        return Table(block.rows, block.header, caption)
    if isinstance(block, Generated):
        return Generated(block.name, block.key, caption)
    if isinstance(block, Figure):  # a figure has its own caption; the line above adds to it
        return Figure(block.caption or caption, block.description)
    return block


def _generated(stripped: str) -> Generated | None:
    match = _GENERATED.fullmatch(stripped)
    if match and match.group(1) in GENERATED:
        return Generated(match.group(1), GENERATED[match.group(1)])
    return None


def _block(reader: _Reader) -> Block:
    line = reader.take()
    stripped = line.strip()
    heading = _HEADING.match(stripped)
    if heading:
        return Heading(min(len(heading.group(1)), 3), heading.group(2).strip())
    generated = _generated(stripped)
    if generated:
        return generated
    if stripped.startswith("!"):
        caption, _, description = stripped[1:].partition("|")
        return Figure(caption.strip(), description.strip())
    if stripped.startswith("|"):
        return _table(reader, stripped)
    if stripped.startswith("- ") or stripped == "-":
        return _list(reader, stripped)
    return _paragraph(reader, stripped)


def _table(reader: _Reader, first: str) -> Table:
    rows = [_cells(first)]
    header = None
    while (reader.peek() or "").strip().startswith("|"):
        cells = _cells(reader.take())
        if _is_separator(cells):
            if len(rows) == 1 and header is None:
                header = rows.pop()
            continue
        rows.append(cells)
    width = max([len(header or ())] + [len(row) for row in rows])
    pad = lambda cells: cells + ("",) * (width - len(cells))  # noqa: E731
    return Table(tuple(pad(row) for row in rows), pad(header) if header else None)


def _list(reader: _Reader, first: str) -> BulletList:
    items = [first[1:].strip()]
    while True:
        following = reader.peek()
        if following is None or not following.strip():
            break
        stripped = following.strip()
        if stripped.startswith("- ") or stripped == "-":
            items.append(reader.take().strip()[1:].strip())
        elif following[:1].isspace() and not _starts_block(stripped):
            items[-1] += reader.take().strip()  # an indented line continues the item
        else:
            break
    return BulletList(tuple(items))


def _starts_block(stripped: str) -> bool:
    return bool(_HEADING.match(stripped)) or stripped.startswith(("|", "!", ": ", "- ")) or stripped == ":" \
        or bool(_generated(stripped))


def _paragraph(reader: _Reader, first: str) -> Paragraph:
    text = first
    while True:
        following = reader.peek()
        if following is None or not following.strip() or _starts_block(following.strip()):
            break
        text += reader.take().strip()
    return Paragraph(text)


"""The rows of a plan file as read (exchange.plan_files.reading), and how its
cells are read: text, codes (「Ⅱ-3-1」 → (2, 3, 1)), yes/no, fiscal years, counts."""

import re
import unicodedata
from dataclasses import dataclass, field

from core import fiscal
from exchange.files import CellError
from exchange.plan_files.layout import NO, SHEET_LEVELS, SHEET_PLAN, SHEET_TREE, YES
from plans.models import parse_number
from plans.structure import LevelSpec

Key = tuple[int, ...]  # an item's numbers, as its code gives them: Ⅱ-3-1 → (2, 3, 1)

# Dashes Excel and Japanese input methods put in codes (after NFKC, which makes 「－」 a「-」).
DASHES = re.compile("[‐‑‒–—―−ー]")
# A project's own columns, which a 再掲 row repeats (or leaves blank).
PROJECT_COLUMNS = {"予定事業": "is_planned", "開始年度": "since_year", "セキュリティ対策の種類": "security_kind"}


@dataclass
class ItemRow:
    row: int
    key: Key
    code: str  # as written
    depth: int
    parent: Key | None
    title: str
    subtitle: str
    text: str
    reposted_from: Key | None
    written: dict = field(default_factory=dict)  # column → the cell as written (for messages)


@dataclass
class ProjectRow:
    row: int
    item: Key
    name: str
    code: str  # "" for a new project
    is_planned: bool
    since_year: int | None
    security_kind: str
    is_repost: bool
    given: frozenset = frozenset()  # the project's columns that the row fills in
    home: "ProjectRow | None" = None  # a 再掲 row: its project's home row
    written: dict = field(default_factory=dict)  # column → the cell as written (for messages)


@dataclass
class PlanFile:
    fields: dict | None  # None for a CSV (the 体系 alone)
    levels: list[LevelSpec] | None
    items: list[ItemRow] = field(default_factory=list)
    projects: list[ProjectRow] = field(default_factory=list)
    field_rows: dict = field(default_factory=dict)  # plan field → its row on 「計画」

    @property
    def homes(self) -> list[ProjectRow]:
        return [p for p in self.projects if not p.is_repost]


class Errors(list):
    def add(self, sheet, row, column, message):
        self.append(CellError(sheet, row, column, message))


SHEET_ORDER = {"": 0, SHEET_PLAN: 1, SHEET_LEVELS: 2, SHEET_TREE: 3}


def in_file_order(errors: list[CellError]) -> list[CellError]:
    """Errors as the user goes through the file: not about a cell first, then by sheet
    (as the export orders them, any other sheet after) and row; found order within a row."""
    return sorted(errors, key=lambda e: (SHEET_ORDER.get(e.sheet, len(SHEET_ORDER)), e.sheet, e.row))


# ─── Cells ───────────────────────────────────────────────────────────────────

def text(value) -> str:
    """A cell as text: numbers Excel made of digits back to digits, line ends as \\n."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def norm(value) -> str:
    return unicodedata.normalize("NFKC", text(value))


def parse_code(value) -> Key | None:
    """「Ⅱ-3-1」, 「II-3-1」, 「2-3-1」, 「２－３－１」 → (2, 3, 1); None when a part is unreadable."""
    parts = DASHES.sub("-", norm(value)).split("-")
    numbers = [parse_number(part) for part in parts]
    if not parts or any(n is None or n < 1 for n in numbers):
        return None
    return tuple(numbers)


def yes_no(value, errors, where, column) -> bool:
    answer = norm(value).upper()
    if answer in {"", NO, "FALSE", "0", "×", "NO", "なし"}:
        return False
    if answer in {YES, "TRUE", "1", "○", "◯", "YES", "あり"}:
        return True
    errors.add(*where, column, f"「{text(value)}」は「{YES}」か「{NO}」で入力してください。")
    return False


def fiscal_year(value, errors, where, column) -> int | None:
    if not text(value):
        return None
    try:
        return fiscal.parse_fiscal_year(text(value))
    except ValueError as error:
        errors.add(*where, column, str(error))
        return None


def count(value, errors, where, column) -> int | None:
    if not text(value):
        return None
    number = norm(value).replace(",", "")
    if not number.isdecimal() or int(number) > 32767:
        errors.add(*where, column, f"「{text(value)}」は数として読めません。0 以上の整数を入力してください。")
        return None
    return int(number)


def written(cells: dict) -> dict[str, str]:
    """A row's cells as the user typed them: what messages quote, so that a search in
    Excel finds them (「Ⅰ-9」, not the 「1-9」 it is read as)."""
    return {column: text(value) for column, value in cells.items()}


def rows_of(dataset, sheet, columns, errors):
    """(Excel row, {column: value}) of a sheet whose header has exactly `columns`."""
    headers = [h or "" for h in (dataset.headers or [])]
    errors_before = len(errors)
    missing = [c for c in columns if c not in headers]
    for name in missing:
        errors.add(sheet, 1, name, f"列「{name}」がありません。書き出したファイルの列を消さないでください。")
    for name in headers:
        if name and name not in columns:
            errors.add(sheet, 1, name, f"列「{name}」は「{sheet}」シートの列ではありません。")
        elif name and headers.count(name) > 1:
            errors.add(sheet, 1, name, f"列「{name}」が2つあります。")
    if len(errors) > errors_before:
        return []
    return [(index + 2, dict(zip(headers, values))) for index, values in enumerate(dataset)
            if any(text(v) for v in values)]

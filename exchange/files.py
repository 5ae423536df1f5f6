"""Spreadsheet files in and out, safely: the bytes of an upload, the bytes of a download.

Reading (`read_upload`) turns an uploaded xlsx or CSV into tablib datasets, or refuses the
whole file with a Japanese message (`FileRejected`), or refuses single cells (`CellError`).
It never lets an exception from a hostile file escape:

- size: more than ``IMPORT_MAX_BYTES`` bytes is refused before anything is parsed;
- xlsx is checked as a zip archive before openpyxl opens it: not a zip (or a renamed .xls,
  or a password-protected book), a truncated archive, a bad CRC, too many members, members
  that unpack to more than ``IMPORT_MAX_UNZIPPED_BYTES`` in all or with a compression ratio
  no spreadsheet has (a zip bomb), or one member that unpacks to more than
  ``IMPORT_MAX_PART_BYTES`` (a worksheet, the shared strings) or, for the parts openpyxl
  reads whole into objects (styles.xml, workbook.xml, relationships…), more than
  ``IMPORT_MAX_STYLES_BYTES``: a 0.9 MB file whose styles.xml unpacks to 34 MB of varied
  cell formats passes the ratio check and costs about 9 s and 0.75 GB to parse.
  ``zipfile`` never returns more than a member's declared size (and then fails its CRC),
  so checking the declared sizes is enough;
- XML entity declarations (billion laughs, quadratic blowup) are refused by defusedxml,
  which openpyxl uses when it is installed (see pyproject.toml); any other parsing error of
  a part (bad XML, a missing part, a bad reference) means a corrupt file;
- rows are streamed (openpyxl read-only mode) and reading stops at the first row past
  ``IMPORT_MAX_ROWS`` data rows (all sheets together), and at ``MAX_COLUMNS`` columns;
- cells that hold a formula (normal, shared, array or data-table formulas: openpyxl's
  data type ``"f"`` with ``data_only=False``) and error values (``#N/A``…) are refused per cell.
  A *text* cell that begins with ``=`` (typed as ``'=…`` in Excel, or exported by
  `write_xlsx`) is text and is read as it is;
- CSV is decoded as UTF-8 (with or without BOM), else as CP932 (what Excel in Japan
  writes as "CSV (コンマ区切り)"); UTF-16 and anything that is not text is refused. The
  delimiter is a comma. A CSV cell that begins with ``=`` is a formula (Excel evaluates it
  when the file is opened) and is refused; cells beginning with ``+``, ``-`` or ``@`` are read
  as text, so ``-3``, ``+5`` and a lone ``-`` (該当なし) pass. A leading ``'`` that `neutralise`
  added on export (``'`` followed by ``= + - @``) is removed again, so an exported CSV
  reads back to the values that were exported.

What a dataset holds: headers are the first row, stripped, trailing empty header cells
dropped. Every row from the second row down to the last non-empty row is kept, empty rows
included, so that dataset row ``i`` (from 0) is Excel row ``i + 2``; trailing empty rows and
columns are dropped, short rows are padded with ``None``. Empty cells and empty strings
are ``None``. xlsx values keep their type (str as is, int, float, bool, ``date`` for
date-formatted cells, ``datetime`` when the format shows a time); CSV values are str.
Line ends inside cells come back as ``\\n``.

Writing: `write_xlsx` writes text as text cells (never formulas: a text beginning with
``= + - @`` is stored as a string cell with Excel's quote-prefix flag, shown as typed and
kept as text when edited), numbers as numbers, dates as dates; header row bold and
frozen, widths fitted to Japanese text, drop-down lists, locked and hidden columns.
`write_csv` writes UTF-8 with BOM and CRLF line ends, with every text that begins with a
trigger character prefixed by ``'`` (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import operator
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import repeat

import tablib
from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.styles.numbers import is_datetime
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

logger = logging.getLogger(__name__)

# Limits that are not worth a setting. Excel itself stops at 1,048,576 rows.
MAX_COLUMNS = 200
MAX_ZIP_MEMBERS = 1000
# Spreadsheet XML compresses about 5-20 times (measured: 20,000 identical rows of our
# widest sheet compress 40 times); zeros compress about 1,000 times.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FROM_BYTES = 1024 * 1024
EXCEL_MAX_ROWS = 1_048_576
# Empty rows (formatted, say) allowed below the row limit before the file counts as too long.
TRAILING_ROWS_ALLOWED = 10_000
# After this many refused cells the rest are not listed one by one.
MAX_CELL_ERRORS = 200

# The hidden sheet that holds the long drop-down lists; `read_upload` skips it.
CHOICES_SHEET_TITLE = "選択肢"

# A text that Excel (or another spreadsheet) would read as a formula: OWASP's list.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_PREFIX = re.compile(r"'*[=+\-@\t\r]")
_PREFIXED = re.compile(r"'+[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# Characters XML 1.0 cannot hold (openpyxl refuses them).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"


# Messages -----------------------------------------------------------------------------

MSG_EMPTY = "ファイルが空です。"
MSG_UNKNOWN_TYPE = (
    "対応していないファイル形式です。Excel ブック（.xlsx）か CSV（.csv）を選んでください。"
)
MSG_XLS = (
    "Excel 97-2003 形式（.xls）は読み込めません。Excel の「名前を付けて保存」で"
    "「Excel ブック（.xlsx）」を選んで保存し直してください。"
)
MSG_NOT_XLSX = (
    "Excel ブック（.xlsx）として読み込めません。ファイルが壊れているか、"
    "xlsx 以外のファイルの名前を変えたものです。"
)
MSG_ENCRYPTED = (
    "パスワードで保護されたブックか、古い形式（.xls）のファイルは読み込めません。"
    "パスワードを解除し、「Excel ブック（.xlsx）」で保存し直してください。"
)
MSG_CORRUPT = (
    "ファイルが壊れているため読み込めません（途中で切れているか、中身が損なわれています）。"
    "Excel で開けるか確かめ、保存し直してから選んでください。"
)
MSG_ZIP_BOMB = (
    "ファイルを展開すると極端に大きくなるため、安全のため読み込みません。"
    "Excel で保存し直したファイルを選んでください。"
)
MSG_UNSAFE_XML = (
    "ファイルに安全でない定義（XML のエンティティ宣言）が含まれているため読み込みません。"
    "Excel で保存し直したファイルを選んでください。"
)
MSG_XLSX_NAMED_CSV = (
    "拡張子は .csv ですが、中身は Excel ブックです。拡張子を .xlsx にして選び直してください。"
)
MSG_UTF16 = (
    "UTF-16 の CSV（Excel の「Unicode テキスト」）は読み込めません。"
    "「CSV UTF-8（コンマ区切り）」か「CSV（コンマ区切り）」で保存し直してください。"
)
MSG_ENCODING = (
    "文字コードを読み取れません。CSV は UTF-8 か Shift_JIS（CP932）で保存してください"
    "（Excel の「CSV UTF-8（コンマ区切り）」か「CSV（コンマ区切り）」）。"
)
MSG_BINARY = "CSV として読み込めません。文字以外のデータが含まれています。"
MSG_NO_DATA = "ファイルにデータがありません。"
MSG_FORMULA = "数式は取り込めません。数式ではなく値を入力してください。"
MSG_ERROR_VALUE = "エラー値（#N/A など）は取り込めません。値を入力してください。"
MSG_NO_HEADER_COLUMN = "見出しのない列に値があります。見出しを付けるか、値を消してください。"


def _msg_too_large(max_bytes: int) -> str:
    return (
        f"ファイルが大きすぎます（上限 {_human_size(max_bytes)}）。"
        "行を分けて、いくつかのファイルにしてください。"
    )


def _msg_too_many_rows(max_rows: int) -> str:
    return (
        f"行数が多すぎます（上限 {max_rows:,} 行）。行を分けて、いくつかのファイルにしてください。"
        "データの下に書式だけの行が多くあるときは、その行を削除してください。"
    )


def _msg_too_many_columns(sheet: str) -> str:
    where = f"シート「{sheet}」の" if sheet else ""
    return f"{where}列が多すぎます（上限 {MAX_COLUMNS} 列）。"


def _msg_no_header(sheet: str) -> str:
    where = f"シート「{sheet}」の" if sheet else ""
    return f"{where}1 行目に見出しがありません。1 行目に列の見出しを入れてください。"


def _msg_csv_malformed(line: int) -> str:
    return (
        f"CSV の形式が正しくありません（{line} 行目付近）。"
        "引用符（\"）の対応を確かめ、Excel で保存し直してください。"
    )


def _part_label(name: str) -> str:
    if name == "xl/styles.xml":
        return f"書式の情報（{name}）"
    if name == "xl/sharedStrings.xml":
        return f"文字列の情報（{name}）"
    if name.startswith("xl/worksheets/"):
        return f"シートのデータ（{name}）"
    return f"部品（{name}）"


def _msg_part_too_large(name: str, limit: int, *, streamed: bool) -> str:
    head = f"ファイルの中の{_part_label(name)}が大きすぎます（上限 {_human_size(limit)}）。"
    if streamed:
        return head + "行を分けて、いくつかのファイルにしてください。"
    if name == "xl/styles.xml":
        head += "書式やスタイルが極端に多いブックです。Excel で不要な書式を削除するか、"
    else:
        head += "通常の Excel ブックにはない大きさです。"
    return head + "値だけを新しいブックに貼り付けて保存し直してください。"


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB"
    return f"{n} バイト"


# The contract --------------------------------------------------------------------------


class FileRejected(Exception):
    """The whole file is refused; ``message`` (and ``str(exc)``) is Japanese, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CellError:
    """One refused cell, as the user finds it in Excel (header row = 1).

    ``column`` is the header text, or the column letter when the column has no header.
    """

    sheet: str
    row: int
    column: str
    message: str


@dataclass
class Upload:
    """A read file: sheet title -> dataset (CSV: one dataset under ``""``), and refused cells.

    ``errors_truncated`` is true when more than ``MAX_CELL_ERRORS`` cells were refused and
    only the first ones are listed.
    """

    sheets: dict[str, tablib.Dataset]
    errors: list[CellError]
    errors_truncated: bool = False


@dataclass
class SheetSpec:
    """One sheet to write: its data, drop-down lists, locked and hidden columns (by header)."""

    title: str
    dataset: tablib.Dataset
    choices: dict[str, list[str]] = field(default_factory=dict)
    locked: set[str] = field(default_factory=set)
    hidden: set[str] = field(default_factory=set)


# Reading -------------------------------------------------------------------------------


def read_upload(
    fileobj,
    filename: str,
    *,
    max_bytes: int | None = None,
    max_rows: int | None = None,
    max_unzipped_bytes: int | None = None,
    max_part_bytes: int | None = None,
    max_styles_bytes: int | None = None,
) -> Upload:
    """Read an uploaded .xlsx or .csv into datasets; raise `FileRejected` when the file is refused.

    The type is taken from the file name's extension. Limits default to the settings
    ``IMPORT_MAX_BYTES``, ``IMPORT_MAX_ROWS`` (data rows, header excluded, all sheets
    together), ``IMPORT_MAX_UNZIPPED_BYTES``, ``IMPORT_MAX_PART_BYTES`` and
    ``IMPORT_MAX_STYLES_BYTES``. This parses in the calling process: the web views go
    through `exchange.parsing.parse_upload`, which runs it in a child process.
    """
    if max_bytes is None:
        max_bytes = settings.IMPORT_MAX_BYTES
    if max_rows is None:
        max_rows = settings.IMPORT_MAX_ROWS
    if max_unzipped_bytes is None:
        max_unzipped_bytes = settings.IMPORT_MAX_UNZIPPED_BYTES
    if max_part_bytes is None:
        max_part_bytes = settings.IMPORT_MAX_PART_BYTES
    if max_styles_bytes is None:
        max_styles_bytes = settings.IMPORT_MAX_STYLES_BYTES
    zip_limits = {"max_unzipped_bytes": max_unzipped_bytes, "max_part_bytes": max_part_bytes,
                  "max_styles_bytes": max_styles_bytes}

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xls":
        raise FileRejected(MSG_XLS)
    if extension not in ("xlsx", "csv"):
        raise FileRejected(MSG_UNKNOWN_TYPE)

    size = getattr(fileobj, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise FileRejected(_msg_too_large(max_bytes))
    data = fileobj.read(max_bytes + 1)
    if isinstance(data, str):  # a text-mode file: treat its text as UTF-8
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise FileRejected(_msg_too_large(max_bytes))
    if not data:
        raise FileRejected(MSG_EMPTY)

    if extension == "xlsx":
        return _read_xlsx(data, max_rows=max_rows, zip_limits=zip_limits)
    return _read_csv(data, max_rows=max_rows)


class _Collector:
    """Gathers refused cells up to `MAX_CELL_ERRORS`."""

    def __init__(self):
        self.errors: list[CellError] = []
        self.truncated = False

    def add(self, sheet: str, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_CELL_ERRORS:
            self.errors.append(CellError(sheet=sheet, row=row, column=column, message=message))
        else:
            self.truncated = True


def _column_name(headers: list[str], index: int) -> str:
    """The header of column ``index`` (from 0), or its Excel letter."""
    if index < len(headers) and headers[index]:
        return headers[index]
    return get_column_letter(index + 1)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


PROLOG_BYTES = 4096


def _streamed_part(name: str) -> bool:
    """Parts that openpyxl streams (worksheets in read-only mode), keeps as plain text
    (the shared strings) or does not open at all (media): limited by their size only."""
    lower = name.lower()
    if lower == "xl/sharedstrings.xml" or not lower.endswith((".xml", ".rels")):
        return True
    return lower.startswith("xl/worksheets/") and "/" not in lower[len("xl/worksheets/"):]


def _check_part_sizes(members, *, max_part_bytes: int, max_styles_bytes: int) -> None:
    for member in members:
        if _streamed_part(member.filename):
            if member.file_size > max_part_bytes:
                raise FileRejected(_msg_part_too_large(member.filename, max_part_bytes, streamed=True))
        elif member.file_size > max_styles_bytes:
            raise FileRejected(_msg_part_too_large(member.filename, max_styles_bytes, streamed=False))


def _check_zip(data: bytes, *, max_unzipped_bytes: int, max_part_bytes: int, max_styles_bytes: int) -> None:
    if data.startswith(OLE_MAGIC):
        raise FileRejected(MSG_ENCRYPTED)
    if not data.startswith(ZIP_MAGIC):
        raise FileRejected(MSG_NOT_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise FileRejected(MSG_ZIP_BOMB)
            total = 0
            for member in members:
                total += member.file_size
                if total > max_unzipped_bytes:
                    raise FileRejected(MSG_ZIP_BOMB)
                if (
                    member.file_size > RATIO_CHECK_FROM_BYTES
                    and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
                ):
                    raise FileRejected(MSG_ZIP_BOMB)
            _check_part_sizes(members, max_part_bytes=max_part_bytes, max_styles_bytes=max_styles_bytes)
            # Reads every member through its CRC: catches damaged and lying members
            # before openpyxl, which stops reading at the row limit, sees them.
            if archive.testzip() is not None:
                raise FileRejected(MSG_CORRUPT)
            # A DTD (entity declarations) can only stand in a part's prolog. Excel
            # never writes one; refused here because lxml ≥ 6 stops an entity
            # expansion itself, as a syntax error, before defusedxml can name it.
            for member in members:
                if not member.filename.lower().endswith((".xml", ".rels")):
                    continue  # media (an SVG image may carry a harmless DOCTYPE; openpyxl does not parse it)
                with archive.open(member) as part:
                    if b"<!DOCTYPE" in part.read(PROLOG_BYTES).upper():
                        raise FileRejected(MSG_UNSAFE_XML)
    except (FileRejected, MemoryError):
        raise
    except RuntimeError as exc:  # an encrypted member ("File is encrypted")
        logger.info("xlsx refused: %s", exc)
        raise FileRejected(MSG_ENCRYPTED) from None
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, NotImplementedError…
        logger.info("xlsx refused as a damaged zip: %r", exc)
        raise FileRejected(MSG_CORRUPT) from None


def _read_xlsx(data: bytes, *, max_rows: int, zip_limits: dict) -> Upload:
    from defusedxml import DefusedXmlException

    _check_zip(data, **zip_limits)
    collector = _Collector()
    sheets: dict[str, tablib.Dataset] = {}
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it ignores (extensions, odd styles): not our concern.
            warnings.simplefilter("ignore")
            workbook = load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
            try:
                rows_left = max_rows
                for worksheet in workbook.worksheets:
                    if worksheet.title == CHOICES_SHEET_TITLE and worksheet.sheet_state != "visible":
                        continue
                    dataset, rows_used = _read_worksheet(worksheet, rows_left, max_rows, collector)
                    if dataset is not None:
                        sheets[worksheet.title] = dataset
                        rows_left -= rows_used
            finally:
                workbook.close()
    except (FileRejected, MemoryError):  # running out of memory is not a corrupt file
        raise
    except Exception as exc:  # anything openpyxl or the XML parser raise means a bad part
        if _caused_by(exc, DefusedXmlException):
            logger.info("xlsx refused for unsafe XML: %r", exc)
            raise FileRejected(MSG_UNSAFE_XML) from None
        logger.info("xlsx refused as corrupt: %r", exc)
        raise FileRejected(MSG_CORRUPT) from None
    if not sheets:
        raise FileRejected(MSG_NO_DATA)
    return Upload(sheets=sheets, errors=collector.errors, errors_truncated=collector.truncated)


def _caused_by(exc: BaseException, kind: type) -> bool:
    """Whether ``exc`` or an exception it was raised from is a ``kind``.

    openpyxl re-raises what goes wrong while reading the workbook part as a ValueError.
    """
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _cell_value(cell):
    """A read-only cell's value as plain Python, or raise _BadCell with the reason."""
    value = cell.value
    data_type = cell.data_type
    if data_type == "f":
        raise _BadCell(MSG_FORMULA)
    if data_type == "e":
        raise _BadCell(MSG_ERROR_VALUE)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return _normalise_newlines(value)
    if isinstance(value, datetime.datetime) and is_datetime(cell.number_format) == "date":
        return value.date()
    if isinstance(value, (int, float, bool, datetime.date, datetime.time, datetime.timedelta)):
        return value
    # Rich text or anything unexpected: its text.
    return str(value)


class _BadCell(Exception):
    pass


def _last_filled(values: list) -> int:
    """Index just past the last value that is not None."""
    end = len(values)
    while end and values[end - 1] is None:
        end -= 1
    return end


def _read_worksheet(worksheet, rows_left: int, max_rows: int, collector: _Collector):
    """Stream one sheet into a dataset; return (dataset or None when empty, data rows used)."""
    from openpyxl.cell.read_only import EMPTY_CELL

    title = worksheet.title
    worksheet.reset_dimensions()  # the stored dimension may be wrong; read what is there
    headers: list[str] | None = None
    width = 0
    rows: list[list] = []
    pending_empty = 0  # empty rows seen since the last filled one
    row_number = 0
    for cells in worksheet.iter_rows(max_col=MAX_COLUMNS + 1):
        row_number += 1
        if row_number > EXCEL_MAX_ROWS:
            raise FileRejected(MSG_CORRUPT)
        if row_number > max_rows + 1 + TRAILING_ROWS_ALLOWED:
            # Only empty rows may follow the last allowed one; do not parse a million of them.
            raise FileRejected(_msg_too_many_rows(max_rows))
        # Fillers openpyxl adds for absent cells, found in C: only real cells cost time.
        fillers = list(map(operator.is_, cells, repeat(EMPTY_CELL)))
        try:
            end = len(fillers) - fillers[::-1].index(False)
        except ValueError:
            end = 0
        values = []
        if end:
            for index, cell in enumerate(cells[:end]):
                try:
                    values.append(_cell_value(cell))
                except _BadCell as bad:
                    values.append(None)
                    column = _column_name(headers or [], index)
                    collector.add(title, row_number, column, str(bad))
            if len(values) > MAX_COLUMNS and values[MAX_COLUMNS] is not None:
                raise FileRejected(_msg_too_many_columns(title))
            values = values[: _last_filled(values)]

        if headers is None:
            if row_number == 1:
                headers = [
                    "" if value is None else str(value).strip() for value in values
                ]
                width = len(headers)
                continue
        if not values:
            pending_empty += 1
            continue
        if not width:
            raise FileRejected(_msg_no_header(title))
        if len(rows) + pending_empty + 1 > rows_left:
            raise FileRejected(_msg_too_many_rows(max_rows))
        rows.extend([None] * width for _ in range(pending_empty))
        pending_empty = 0
        for index in range(width, len(values)):
            if values[index] is not None:
                collector.add(title, row_number, get_column_letter(index + 1), MSG_NO_HEADER_COLUMN)
        row = values[:width]
        row.extend([None] * (width - len(row)))
        rows.append(row)

    if not headers:
        if rows:
            raise FileRejected(_msg_no_header(title))
        return None, 0
    dataset = tablib.Dataset(headers=headers, title=title)
    for row in rows:
        dataset.append(row)
    return dataset, len(rows)


def _decode_csv(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected(MSG_UTF16)
    if data.startswith(ZIP_MAGIC):
        raise FileRejected(MSG_XLSX_NAMED_CSV)
    if data.startswith(OLE_MAGIC):
        raise FileRejected(MSG_BINARY)
    if b"\x00" in data:
        # No text in UTF-8 or CP932 has a NUL byte: UTF-16 without a BOM, or not text at all.
        raise FileRejected(MSG_BINARY)
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(MSG_ENCODING)


def _csv_value(text: str):
    """A CSV cell: None when empty; raise _BadCell for a formula; undo `neutralise`."""
    if text == "":
        return None
    if text.startswith("="):
        raise _BadCell(MSG_FORMULA)
    if _PREFIXED.match(text):
        text = text[1:]
    return _normalise_newlines(text)


def _read_csv(data: bytes, *, max_rows: int) -> Upload:
    text = _decode_csv(data)
    collector = _Collector()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    headers: list[str] | None = None
    rows: list[list] = []
    pending_empty = 0
    width = 0
    try:
        for cells in reader:
            row_number = reader.line_num if headers is None else len(rows) + pending_empty + 2
            if len(cells) > MAX_COLUMNS:
                if any(cells[MAX_COLUMNS:]):
                    raise FileRejected(_msg_too_many_columns(""))
                cells = cells[:MAX_COLUMNS]
            if headers is None:
                headers = [cell.strip() for cell in cells]
                while headers and not headers[-1]:
                    headers.pop()
                width = len(headers)
                if not width:
                    raise FileRejected(_msg_no_header(""))
                continue
            values = []
            for index, cell in enumerate(cells):
                try:
                    values.append(_csv_value(cell))
                except _BadCell as bad:
                    values.append(None)
                    collector.add("", row_number, _column_name(headers, index), str(bad))
            values = values[: _last_filled(values)]
            if not values:
                pending_empty += 1
                continue
            if len(rows) + pending_empty + 1 > max_rows:
                raise FileRejected(_msg_too_many_rows(max_rows))
            rows.extend([None] * width for _ in range(pending_empty))
            pending_empty = 0
            for index in range(width, len(values)):
                if values[index] is not None:
                    collector.add("", row_number, get_column_letter(index + 1), MSG_NO_HEADER_COLUMN)
            row = values[:width]
            row.extend([None] * (width - len(row)))
            rows.append(row)
    except csv.Error as exc:
        logger.info("CSV refused: %s", exc)
        raise FileRejected(_msg_csv_malformed(reader.line_num)) from None
    if headers is None:
        raise FileRejected(_msg_no_header(""))
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append(row)
    return Upload(sheets={"": dataset}, errors=collector.errors, errors_truncated=collector.truncated)


# Writing -------------------------------------------------------------------------------


def neutralise(value):
    """Make a text inert for spreadsheets: prefix ``'`` when it begins with ``= + - @ \\t \\r``.

    OWASP's advice for CSV injection. Texts that are plain numbers (``-3``, ``+5``,
    ``-1.5e3``) are left alone: Excel reads them as numbers, which run nothing. Texts that
    already begin with ``'`` followed by a trigger get one more ``'``, so that `read_upload`
    (which removes one) gives back exactly what was written. Anything that is not a str
    (numbers, dates, None) is returned unchanged.
    """
    if isinstance(value, str) and _NEEDS_PREFIX.match(value) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _plain(value):
    """A value as xlsx and CSV can hold it: naive local datetimes, no Decimal exponent games."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _csv_text(value) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    # NUL cannot be in a text file (and `read_upload` refuses one that has it).
    return neutralise(_normalise_newlines(str(value)).replace("\x00", ""))


def write_csv(dataset: tablib.Dataset) -> bytes:
    """The dataset as CSV for Excel: UTF-8 with BOM, CRLF, texts neutralised (see `neutralise`)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    if dataset.headers:
        writer.writerow([_csv_text(header) for header in dataset.headers])
    for row in dataset:
        writer.writerow([_csv_text(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")
LOCKED_STYLE = "編集不可"
UNLOCKED_STYLE = "編集可"
MIN_WIDTH = 6
MAX_WIDTH = 60
WIDTH_SAMPLE_ROWS = 500


def _display_width(value) -> int:
    """Columns a value needs on screen: full-width (Japanese) characters count two."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    text = str(value)
    longest = 0
    for line in text.split("\n"):
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        longest = max(longest, width)
    return longest


def _sheet_title(title: str, taken: set[str]) -> str:
    """A title Excel accepts: no []:*?/\\, at most 31 characters, not empty, unique."""
    clean = _SHEET_TITLE_FORBIDDEN.sub("_", _ILLEGAL_XML.sub("", title)).strip().strip("'")
    clean = clean[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate.casefold() in taken:
        suffix = f"({n})"
        candidate = clean[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(candidate.casefold())
    return candidate


def _set_cell(cell, value) -> None:
    value = _plain(value)
    if isinstance(value, str):
        value = _ILLEGAL_XML.sub("", _normalise_newlines(value))
        if value == "":
            return
        cell.value = value
        # openpyxl makes "=…" a formula and "#N/A" an error value: text stays text.
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            # Excel's own mark for text typed as '=…: shown as typed, kept as text on edit.
            cell.quotePrefix = True
        if "\n" in value:
            cell.alignment = WRAP
        return
    if isinstance(value, (int, float, Decimal, bool, datetime.date, datetime.time)) or value is None:
        cell.value = value
        if isinstance(value, datetime.datetime):
            cell.number_format = "yyyy/mm/dd hh:mm"
        elif isinstance(value, datetime.date):
            cell.number_format = "yyyy/mm/dd"
        return
    _set_cell(cell, str(value))


def _inline_list(values: list[str]) -> str | None:
    """The formula of an inline list, or None when it must go on the choices sheet."""
    if any("," in v or '"' in v for v in values):
        return None
    joined = ",".join(values)
    if len(joined) > 255:  # Excel's limit for a list typed into the validation
        return None
    return f'"{joined}"'


def write_xlsx(sheets: list[SheetSpec]) -> bytes:
    """Write the sheets into one xlsx and return its bytes.

    Each sheet: a bold, frozen header row; column widths fitted to the text (full-width
    characters count two); a drop-down list (data validation) on every column named in
    ``choices`` (short lists inline, long ones or ones with commas on a hidden
    "選択肢" sheet, through a workbook name); columns named in ``locked`` or ``hidden``
    locked and the sheet protected without a password, every other cell (including the
    rows below the data) left editable — the protection prevents slips, it is not a
    security boundary, the server checks every imported row; columns in ``hidden``
    hidden. Titles are made valid for Excel (31 characters, no ``[]:*?/\\``, unique).
    Text cells are never formulas (see the module docstring); control characters XML
    cannot hold are dropped; timezone-aware datetimes are written in local time.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.add_named_style(
        NamedStyle(LOCKED_STYLE, fill=LOCKED_FILL, protection=Protection(locked=True))
    )
    workbook.add_named_style(NamedStyle(UNLOCKED_STYLE, protection=Protection(locked=False)))
    taken = {CHOICES_SHEET_TITLE.casefold()}
    choices_sheet = None
    list_count = 0

    for spec in sheets:
        worksheet = workbook.create_sheet(_sheet_title(spec.title, taken))
        headers = list(spec.dataset.headers or [])
        protect = bool(spec.locked or spec.hidden)
        widths = [_display_width(h) for h in headers]

        for col, header in enumerate(headers, start=1):
            cell = worksheet.cell(row=1, column=col)
            _set_cell(cell, header)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
        for row_index, row in enumerate(spec.dataset, start=2):
            for col, value in enumerate(row, start=1):
                cell = worksheet.cell(row=row_index, column=col)
                _set_cell(cell, value)
                if row_index - 1 <= WIDTH_SAMPLE_ROWS and col <= len(widths):
                    widths[col - 1] = max(widths[col - 1], _display_width(value))
        last_row = max(spec.dataset.height + 1, 2)

        for col, header in enumerate(headers, start=1):
            letter = get_column_letter(col)
            dimension = worksheet.column_dimensions[letter]
            dimension.width = min(max(widths[col - 1] + 2, MIN_WIDTH), MAX_WIDTH)
            is_locked = header in spec.locked or header in spec.hidden
            if header in spec.hidden:
                dimension.hidden = True
            if protect:
                # Column style for the rows below the data; each written cell carries its own
                # (a named style: setting Protection objects cell by cell is slow in openpyxl).
                dimension.protection = Protection(locked=is_locked)
                style = LOCKED_STYLE if is_locked else UNLOCKED_STYLE
                for (cell,) in worksheet.iter_rows(
                    min_row=2, max_row=spec.dataset.height + 1, min_col=col, max_col=col
                ):
                    wrap = cell.alignment.wrap_text
                    quote = cell.quotePrefix
                    number_format = cell.number_format
                    cell.style = style
                    cell.number_format = number_format
                    if wrap:
                        cell.alignment = WRAP
                    if quote:
                        cell.quotePrefix = True

            values = spec.choices.get(header)
            if values:
                values = [str(v) for v in values]
                formula = _inline_list(values)
                if formula is None:
                    if choices_sheet is None:
                        choices_sheet = workbook.create_sheet(CHOICES_SHEET_TITLE)
                        choices_sheet.sheet_state = "hidden"
                        choices_sheet.protection.sheet = True
                    list_count += 1
                    list_col = get_column_letter(list_count)
                    _set_cell(choices_sheet.cell(row=1, column=list_count), header)
                    for i, v in enumerate(values, start=2):
                        _set_cell(choices_sheet.cell(row=i, column=list_count), v)
                    name = f"choices_{list_count}"
                    reference = (
                        f"{quote_sheetname(CHOICES_SHEET_TITLE)}!"
                        f"${list_col}$2:${list_col}${len(values) + 1}"
                    )
                    workbook.defined_names[name] = DefinedName(name, attr_text=reference)
                    formula = name
                validation = DataValidation(
                    type="list",
                    formula1=formula,
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="入力できない値です",
                    error="一覧から選んでください。",
                )
                validation.add(f"{letter}2:{letter}{max(last_row, EXCEL_MAX_ROWS)}")
                worksheet.add_data_validation(validation)

        if headers:
            worksheet.freeze_panes = "A2"
            worksheet.auto_filter.ref = (
                f"A1:{get_column_letter(len(headers))}{spec.dataset.height + 1}"
            )
        if protect:
            worksheet.protection.sheet = True
            # Still allowed under protection: widths, heights, filters.
            worksheet.protection.formatColumns = False
            worksheet.protection.formatRows = False
            worksheet.protection.autoFilter = False

    if choices_sheet is not None:  # after the data sheets
        workbook.move_sheet(choices_sheet, len(workbook.sheetnames) - 1 - workbook.index(choices_sheet))
    if not workbook.worksheets:
        workbook.create_sheet("Sheet")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

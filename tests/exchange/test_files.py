"""The safe file layer: hostile uploads refused with a Japanese message, exports inert."""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from exchange import files
from exchange.files import (
    CHOICES_SHEET_TITLE,
    CellError,
    FileRejected,
    SheetSpec,
    neutralise,
    read_upload,
    write_csv,
    write_xlsx,
)
from tests.exchange.hostile import styles_bomb

pytestmark = pytest.mark.db_agnostic  # files in and out, no database

HEADERS = ["事業コード", "事業名", "実施状況", "進捗度", "値", "日付", "版"]


def sample_dataset():
    ds = tablib.Dataset(headers=HEADERS)
    ds.append(["P-001", "庁内ネットワーク更新", "実施中", "A", Decimal("12.5"), datetime.date(2025, 4, 1), 3])
    ds.append(["P-002", "電子申請の拡大", "未着手", None, -3, datetime.date(2026, 3, 31), 1])
    ds.append(["P-003", "一行目\n二行目", "完了", "B", 1.25, None, 7])
    return ds


def upload(data: bytes, name: str, **limits):
    return read_upload(io.BytesIO(data), name, **limits)


def refused(data: bytes, name: str, **limits) -> str:
    with pytest.raises(FileRejected) as info:
        upload(data, name, **limits)
    assert str(info.value) == info.value.message
    return info.value.message


def xlsx_bytes(build) -> bytes:
    """An xlsx made with openpyxl; ``build(ws)`` fills the first sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "事業"
    build(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """The same archive with some members replaced (None: removed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    dst.writestr(info.filename, replace[info.filename])
            else:
                dst.writestr(info.filename, src.read(info.filename))
    return out.getvalue()


def simple_xlsx() -> bytes:
    return write_xlsx([SheetSpec("事業", sample_dataset())])


# Size, type and emptiness ------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_parsing():
    message = refused(b"a,b\r\n" + b"1,2\r\n" * 1000, "big.csv", max_bytes=1000)
    assert message == "ファイルが大きすぎます（上限 1000 バイト）。行を分けて、いくつかのファイルにしてください。"
    # A Django upload that says its size is refused on that alone.
    big = SimpleUploadedFile("big.xlsx", b"x" * (2 * 1024 * 1024))
    message = refused_upload(big, max_bytes=1024 * 1024)
    assert "上限 1 MB" in message


def refused_upload(fileobj, **limits) -> str:
    with pytest.raises(FileRejected) as info:
        read_upload(fileobj, fileobj.name, **limits)
    return info.value.message


def test_the_default_limits_come_from_settings(settings):
    settings.IMPORT_MAX_BYTES = 9
    assert "上限 9 バイト" in refused(b"a,b\r\n1,2\r\n", "x.csv")
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 2
    assert refused(b"a\r\n1\r\n2\r\n3\r\n", "x.csv").startswith("行数が多すぎます（上限 2 行）")


def test_an_empty_file_is_refused():
    assert refused(b"", "empty.csv") == "ファイルが空です。"
    assert refused(b"", "empty.xlsx") == "ファイルが空です。"


@pytest.mark.parametrize("name", ["plan.txt", "plan.pdf", "plan", "plan.xlsm", "plan.ods"])
def test_an_unknown_file_type_is_refused(name):
    assert refused(b"a,b\r\n1,2\r\n", name) == (
        "対応していないファイル形式です。Excel ブック（.xlsx）か CSV（.csv）を選んでください。"
    )


def test_the_extension_is_not_case_sensitive():
    assert upload(b"a\r\n1\r\n", "PLAN.CSV").sheets[""].dict == [{"a": "1"}]
    assert "事業" in upload(simple_xlsx(), "Plan.XLSX").sheets


def test_an_old_xls_file_is_refused_with_how_to_save_it_again():
    assert "Excel 97-2003 形式（.xls）は読み込めません" in refused(files.OLE_MAGIC + b"\0" * 600, "plan.xls")


# Damaged and hostile xlsx ----------------------------------------------------------------------


def test_a_file_that_is_not_a_zip_renamed_xlsx_is_refused():
    message = refused("事業コード,事業名\r\n".encode("cp932"), "renamed.xlsx")
    assert message.startswith("Excel ブック（.xlsx）として読み込めません。")


def test_a_password_protected_book_is_refused():
    # Excel stores an encrypted .xlsx as an OLE compound file.
    message = refused(files.OLE_MAGIC + b"\0" * 1000, "secret.xlsx")
    assert message.startswith("パスワードで保護されたブック")


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_a_truncated_xlsx_is_refused(keep):
    data = simple_xlsx()
    message = refused(data[: int(len(data) * keep)], "cut.xlsx")
    assert message.startswith("ファイルが壊れているため読み込めません")


def test_a_damaged_member_fails_its_crc_and_is_refused():
    data = bytearray(rezip(simple_xlsx(), {}))
    # Flip a byte inside the compressed data of the first member (after its local header).
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = max(archive.infolist(), key=lambda i: i.compress_size)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    assert refused(bytes(data), "flipped.xlsx").startswith("ファイルが壊れているため読み込めません")


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """256 MiB of zeros in one member, written in chunks: about 250 KB on disk."""
    out = io.BytesIO()
    zeros = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(256):
                member.write(zeros)
    return out.getvalue()


def test_a_zip_bomb_is_refused_without_unpacking_it(zip_bomb):
    assert len(zip_bomb) < 2 * 1024 * 1024
    message = refused(zip_bomb, "bomb.xlsx")
    assert message == (
        "ファイルを展開すると極端に大きくなるため、安全のため読み込みません。"
        "Excel で保存し直したファイルを選んでください。"
    )


def test_a_member_with_an_impossible_compression_ratio_is_refused():
    # 5 MiB of zeros: under the total limit, but no spreadsheet compresses 1000 times.
    data = rezip(simple_xlsx(), {"xl/worksheets/sheet1.xml": b"\0" * (5 * 1024 * 1024)})
    assert refused(data, "ratio.xlsx").startswith("ファイルを展開すると極端に大きくなる")


def test_too_many_members_are_refused():
    extra = {f"xl/media/image{i}.bin": b"x" for i in range(files.MAX_ZIP_MEMBERS)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in extra.items():
            archive.writestr(name, content)
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    assert refused(out.getvalue(), "many.xlsx").startswith("ファイルを展開すると極端に大きくなる")


def test_the_unzipped_limit_can_be_set():
    assert refused(simple_xlsx(), "x.xlsx", max_unzipped_bytes=1000).startswith(
        "ファイルを展開すると極端に大きくなる"
    )


def test_a_styles_part_of_tens_of_megabytes_is_refused_before_openpyxl_opens_it(monkeypatch):
    # The probe's file: under 1.5 MB, but its styles.xml unpacks to 34 MB and cost
    # about 9 s and 0.75 GB to parse. Refused from the archive's directory alone.
    data = styles_bomb(34 * 1024 * 1024)
    assert len(data) < 1.5 * 1024 * 1024
    monkeypatch.setattr(files, "load_workbook", lambda *a, **k: pytest.fail("parsed"))
    message = refused(data, "styles.xlsx")
    assert message.startswith("ファイルの中の書式の情報（xl/styles.xml）が大きすぎます")
    assert "値だけを新しいブックに貼り付けて" in message


def test_the_part_limits_come_from_settings_and_can_be_set(settings):
    data = simple_xlsx()
    settings.IMPORT_MAX_STYLES_BYTES = 100
    message = refused(data, "x.xlsx")
    assert message.startswith("ファイルの中の") and "大きすぎます（上限 100 バイト）" in message
    settings.IMPORT_MAX_STYLES_BYTES = 2 * 1024 * 1024
    assert upload(data, "x.xlsx").sheets
    # Worksheets and the shared strings are streamed or kept as text: a larger limit.
    message = refused(data, "x.xlsx", max_part_bytes=500)
    assert message.startswith("ファイルの中の") and "大きすぎます" in message
    assert upload(styles_bomb(1024 * 1024), "x.xlsx").sheets  # 1 MB of formats: read


BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(2, 10))
    .replace("&lol1;", "&lol;")
    + "]>\n"
)


def test_billion_laughs_in_the_workbook_part_is_refused():
    data = simple_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook_xml = archive.read("xl/workbook.xml").decode()
    body = re.sub(r"^<\?xml[^>]*\?>\s*", "", workbook_xml)
    body = body.replace('name="事業"', 'name="&lol9;"')
    hostile = rezip(data, {"xl/workbook.xml": (BILLION_LAUGHS + body).encode()})
    assert refused(hostile, "laughs.xlsx") == (
        "ファイルに安全でない定義（XML のエンティティ宣言）が含まれているため読み込みません。"
        "Excel で保存し直したファイルを選んでください。"
    )


def test_billion_laughs_in_a_sheet_is_refused():
    data = simple_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    body = re.sub(r"^<\?xml[^>]*\?>\s*", "", sheet_xml).replace("庁内ネットワーク更新", "&lol9;")
    hostile = rezip(data, {"xl/worksheets/sheet1.xml": (BILLION_LAUGHS + body).encode()})
    assert refused(hostile, "laughs.xlsx").startswith("ファイルに安全でない定義")


@pytest.mark.parametrize(
    "member, content",
    [
        ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r='1'><c r='A1'"),
        ("xl/workbook.xml", b"not xml at all"),
        ("xl/styles.xml", b"<styleSheet><cellXfs><xf numFmtId='x'/>"),
        ("xl/workbook.xml", None),
        ("[Content_Types].xml", None),
    ],
)
def test_a_corrupt_or_missing_part_is_refused(member, content):
    hostile = rezip(simple_xlsx(), {member: content})
    assert refused(hostile, "broken.xlsx").startswith("ファイルが壊れているため読み込めません")


def test_a_csv_renamed_xlsx_and_an_xlsx_renamed_csv_are_told_apart():
    assert refused(simple_xlsx(), "plan.csv") == (
        "拡張子は .csv ですが、中身は Excel ブックです。拡張子を .xlsx にして選び直してください。"
    )


# Formulas and odd cells in xlsx ----------------------------------------------------------------


def formula_book() -> bytes:
    def build(ws):
        ws.append(["事業コード", "事業名", "値", "結果"])
        ws.append(["P-001", "名称", 1, 2])
        ws.append(["P-002", "=HYPERLINK(\"http://evil.example\",\"押す\")", 2, 3])
        ws["D2"] = "=SUM(C2:C3)"
        ws["C4"] = ArrayFormula("C4:C4", "=SUM(C2:C3*2)")
        ws["A4"] = "P-003"
        ws["D4"] = "SHARED-A"
        ws["D5"] = "SHARED-B"
        ws["A5"] = "P-004"
        ws["B5"] = "#N/A"  # openpyxl writes this as an error value

    data = xlsx_bytes(build)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    # A shared formula, as Excel writes a filled-down formula.
    sheet_xml = re.sub(
        r'<c r="D4"[^>]*>.*?</c>', '<c r="D4"><f t="shared" ref="D4:D5" si="0">C4*2</f><v>4</v></c>', sheet_xml
    )
    sheet_xml = re.sub(r'<c r="D5"[^>]*>.*?</c>', '<c r="D5"><f t="shared" si="0"/><v>6</v></c>', sheet_xml)
    assert 't="shared"' in sheet_xml
    return rezip(data, {"xl/worksheets/sheet1.xml": sheet_xml.encode()})


def test_formula_cells_are_refused_one_by_one_with_their_row_and_column():
    result = upload(formula_book(), "formulas.xlsx")
    formula = "数式は取り込めません。数式ではなく値を入力してください。"
    assert result.errors == [
        CellError(sheet="事業", row=2, column="結果", message=formula),
        CellError(sheet="事業", row=3, column="事業名", message=formula),
        CellError(sheet="事業", row=4, column="値", message=formula),
        CellError(sheet="事業", row=4, column="結果", message=formula),
        CellError(sheet="事業", row=5, column="事業名", message="エラー値（#N/A など）は取り込めません。値を入力してください。"),
        CellError(sheet="事業", row=5, column="結果", message=formula),
    ]
    # The refused cells are never handed on as values.
    dataset = result.sheets["事業"]
    assert dataset[0] == ("P-001", "名称", 1, None)
    assert all(not (isinstance(v, str) and v.startswith("=")) for row in dataset for v in row)


def test_values_under_no_header_are_refused_with_the_column_letter():
    def build(ws):
        ws.append(["事業コード", "事業名"])
        ws.append(["P-001", "名称", None, "はみ出し"])

    result = upload(xlsx_bytes(build), "extra.xlsx")
    assert result.errors == [
        CellError(sheet="事業", row=2, column="D", message="見出しのない列に値があります。見出しを付けるか、値を消してください。")
    ]
    assert result.sheets["事業"].dict == [{"事業コード": "P-001", "事業名": "名称"}]


def test_too_many_rows_are_refused_and_trailing_empty_rows_do_not_count():
    def build(ws):
        ws.append(["事業コード"])
        for i in range(20):
            ws.append([f"P-{i:03}"])
        for row in range(22, 200):  # formatted but empty rows, as Excel leaves them
            ws.cell(row=row, column=1).number_format = "@"

    data = xlsx_bytes(build)
    assert upload(data, "ok.xlsx", max_rows=20).sheets["事業"].height == 20
    assert refused(data, "many.xlsx", max_rows=19) == (
        "行数が多すぎます（上限 19 行）。行を分けて、いくつかのファイルにしてください。"
        "データの下に書式だけの行が多くあるときは、その行を削除してください。"
    )


def test_a_million_empty_rows_are_not_parsed():
    rows = "".join(f'<row r="{r}"><c r="XFD{r}" s="0"/></row>' for r in range(2, 200_000))
    data = simple_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    sheet_xml = re.sub(r"<sheetData>.*</sheetData>", f"<sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>h</t></is></c></row>{rows}</sheetData>", sheet_xml, flags=re.S)
    hostile = rezip(data, {"xl/worksheets/sheet1.xml": sheet_xml.encode()})
    assert refused(hostile, "empty.xlsx", max_rows=100).startswith("行数が多すぎます（上限 100 行）")


def test_a_row_far_below_the_data_counts_towards_the_limit():
    def build(ws):
        ws.append(["事業コード"])
        ws.append(["P-001"])
        ws.cell(row=5000, column=1, value="P-999")

    assert refused(xlsx_bytes(build), "far.xlsx", max_rows=100).startswith("行数が多すぎます")
    dataset = upload(xlsx_bytes(build), "far.xlsx").sheets["事業"]
    # Empty rows in between are kept, so that dataset row i is Excel row i + 2.
    assert dataset.height == 4999 and dataset[-1] == ("P-999",)


def test_too_many_columns_are_refused():
    def build(ws):
        ws.append([f"列{i}" for i in range(files.MAX_COLUMNS + 1)])

    assert refused(xlsx_bytes(build), "wide.xlsx") == f"シート「事業」の列が多すぎます（上限 {files.MAX_COLUMNS} 列）。"


def test_a_sheet_without_a_header_row_is_refused_and_empty_sheets_are_skipped():
    def build(ws):
        ws["B3"] = "値だけ"
        ws.parent.create_sheet("空")

    assert refused(xlsx_bytes(build), "noheader.xlsx") == (
        "シート「事業」の1 行目に見出しがありません。1 行目に列の見出しを入れてください。"
    )
    assert refused(xlsx_bytes(lambda ws: None), "blank.xlsx") == "ファイルにデータがありません。"


def test_a_header_only_sheet_gives_an_empty_dataset_with_stripped_headers():
    result = upload(xlsx_bytes(lambda ws: ws.append([" 事業コード ", "事業名", None])), "h.xlsx")
    dataset = result.sheets["事業"]
    assert dataset.headers == ["事業コード", "事業名"] and dataset.height == 0
    assert upload("事業コード,事業名\r\n".encode(), "h.csv").sheets[""].headers == ["事業コード", "事業名"]


# CSV -------------------------------------------------------------------------------------------

CSV_TEXT = "事業コード,実施状況,備考\r\nP-001,実施中,①〜③を実施（㈱髙島屋と協定）\r\nP-002,未着手,\r\n"
CSV_ROWS = [
    {"事業コード": "P-001", "実施状況": "実施中", "備考": "①〜③を実施（㈱髙島屋と協定）"},
    {"事業コード": "P-002", "実施状況": "未着手", "備考": None},
]


def test_csv_in_utf8_with_and_without_bom():
    assert upload(CSV_TEXT.encode("utf-8-sig"), "a.csv").sheets[""].dict == CSV_ROWS
    assert upload(CSV_TEXT.encode("utf-8"), "a.csv").sheets[""].dict == CSV_ROWS


def test_csv_in_cp932_as_excel_in_japan_writes_it():
    # Windows types 〜 as U+FF5E (FULLWIDTH TILDE); CP932 has no U+301C.
    windows_text = CSV_TEXT.replace("〜", "～")
    data = windows_text.encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rows = upload(data, "sjis.csv").sheets[""].dict
    assert rows[0]["備考"] == "①～③を実施（㈱髙島屋と協定）"
    assert rows[0]["実施状況"] == "実施中"


def test_utf16_and_binary_csv_are_refused():
    assert refused(CSV_TEXT.encode("utf-16"), "u16.csv").startswith("UTF-16 の CSV")
    assert refused(CSV_TEXT.encode("utf-16-le"), "u16.csv") == (
        "CSV として読み込めません。文字以外のデータが含まれています。"
    )
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert refused(png, "image.csv").startswith("CSV として読み込めません")
    assert refused(b"\x82\xa0\xff\xfe\xfd,\x80\xfc", "bad.csv") == (
        "文字コードを読み取れません。CSV は UTF-8 か Shift_JIS（CP932）で保存してください"
        "（Excel の「CSV UTF-8（コンマ区切り）」か「CSV（コンマ区切り）」）。"
    )


def test_csv_formulas_are_refused_but_signed_numbers_and_dashes_are_text():
    text = "事業コード,値,備考\r\nP-001,-3,-\r\nP-002,+5,=SUM(A1:A2)\r\nP-003,@メモ,'=1+1\r\n"
    result = upload(text.encode(), "f.csv")
    assert result.errors == [
        CellError(sheet="", row=3, column="備考", message="数式は取り込めません。数式ではなく値を入力してください。")
    ]
    assert result.sheets[""].dict == [
        {"事業コード": "P-001", "値": "-3", "備考": "-"},
        {"事業コード": "P-002", "値": "+5", "備考": None},
        # The ' that write_csv puts before a formula-like text is taken off again.
        {"事業コード": "P-003", "値": "@メモ", "備考": "=1+1"},
    ]


def test_csv_row_numbers_count_records_not_lines():
    text = '事業コード,備考\r\nP-001,"一行目\r\n二行目"\r\n\r\nP-002,=1\r\n'
    result = upload(text.encode(), "f.csv")
    assert result.errors[0].row == 4
    assert result.sheets[""][0] == ("P-001", "一行目\n二行目")
    assert result.sheets[""][1] == (None, None)


def test_malformed_csv_and_csv_without_header_are_refused():
    assert refused('事業コード,備考\r\nP-001,"閉じていない\r\n'.encode(), "bad.csv").startswith(
        "CSV の形式が正しくありません（"
    )
    assert refused(b"\r\n\r\n", "blank.csv") == "1 行目に見出しがありません。1 行目に列の見出しを入れてください。"
    assert refused(b",,\r\nP-001,x\r\n", "blank.csv").startswith("1 行目に見出しがありません")


def test_csv_rows_over_the_limit_are_refused():
    text = "事業コード\r\n" + "".join(f"P-{i}\r\n" for i in range(11)) + "\r\n" * 50
    assert refused(text.encode(), "many.csv", max_rows=10).startswith("行数が多すぎます（上限 10 行）")
    assert upload(text.encode(), "many.csv", max_rows=11).sheets[""].height == 11


# Neutralising formulas on export --------------------------------------------------------------

TRIGGERS = ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_neutralise_prefixes_a_quote_to_every_trigger(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "value", [-3, 5, -2.5, Decimal("-12.50"), None, datetime.date(2025, 4, 1), "-3", "+5", "-1.5e3", "事業", "a=b"]
)
def test_neutralise_leaves_numbers_dates_and_harmless_text_alone(value):
    assert neutralise(value) == value
    assert type(neutralise(value)) is type(value)


def test_neutralise_escapes_a_quote_that_already_precedes_a_trigger():
    assert neutralise("'=1") == "''=1"
    assert neutralise("'abc") == "'abc"


def test_export_neutralises_every_trigger_in_xlsx_and_csv_and_keeps_numbers_numeric():
    ds = tablib.Dataset(headers=["テキスト", "数値"])
    numbers = [-3, 2.5, Decimal("-12.5"), 0, 10**12, -0.001]
    for text, number in zip(TRIGGERS, numbers):
        ds.append([text, number])

    ws = load_workbook(io.BytesIO(write_xlsx([SheetSpec("x", ds)])))["x"]
    for row, (text, number) in enumerate(zip(TRIGGERS, numbers), start=2):
        cell = ws.cell(row=row, column=1)
        # A text cell, never a formula; shown as typed, kept as text when edited. A carriage
        # return becomes Excel's line break (LF), which nothing reads as a formula.
        assert cell.data_type == "s"
        assert cell.value == text.replace("\r", "\n")
        assert cell.quotePrefix == (text[0] != "\r")
        number_cell = ws.cell(row=row, column=2)
        assert number_cell.data_type == "n" and number_cell.value == number

    rows = list(csv.reader(io.StringIO(write_csv(ds).decode("utf-8-sig"), newline="")))
    for (text_field, number_field), text, number in zip(rows[1:], TRIGGERS, numbers):
        if text.startswith("\r"):
            assert text_field == "\nCR"
        else:
            assert text_field == "'" + text
        assert Decimal(number_field) == Decimal(str(number)) and not number_field.startswith("'")


def test_csv_export_has_a_bom_and_crlf_line_ends():
    data = write_csv(sample_dataset())
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].split(b"\r\n")
    assert lines[0].decode() == ",".join(HEADERS)
    assert b"\n" not in lines[1]
    # The line end inside a cell is Excel's (LF, quoted), not a record end.
    assert '"一行目\n二行目"'.encode() in data


# The template: drop-downs, locked and hidden columns ------------------------------------------

LONG_LIST = [f"選択肢{i:02}（長い説明の文字列）" for i in range(30)]


@pytest.fixture
def template():
    spec = SheetSpec(
        "情報化事業シート:令和7年度/一覧",
        sample_dataset(),
        choices={"実施状況": ["未着手", "実施中", "完了"], "進捗度": LONG_LIST, "事業名": ["A,B", "C"]},
        locked={"事業コード"},
        hidden={"版"},
    )
    return load_workbook(io.BytesIO(write_xlsx([spec, SheetSpec("指標", sample_dataset())])))


def test_sheet_titles_are_made_valid_for_excel(template):
    title = template.sheetnames[0]
    assert title == "情報化事業シート_令和7年度_一覧"
    assert template.sheetnames[1] == "指標"
    long = write_xlsx([SheetSpec("あ" * 40, sample_dataset()), SheetSpec("あ" * 40, sample_dataset())])
    assert load_workbook(io.BytesIO(long)).sheetnames == ["あ" * 31, "あ" * 28 + "(2)"]


def test_header_row_is_bold_and_frozen_and_columns_fit_japanese_text(template):
    ws = template.worksheets[0]
    assert all(cell.font.b for cell in ws[1])
    assert ws.freeze_panes == "A2"
    # 「庁内ネットワーク更新」 is 10 full-width characters: at least 20 columns wide.
    assert ws.column_dimensions["B"].width >= 20
    assert ws.column_dimensions["A"].width < ws.column_dimensions["B"].width


def test_drop_down_lists_are_present(template):
    ws = template.worksheets[0]
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    short = validations["C2:C1048576"]
    assert short.type == "list" and short.formula1 == '"未着手,実施中,完了"' and short.showErrorMessage
    # Long lists, and lists with commas, live on a hidden sheet behind a workbook name.
    for column, values in (("D", LONG_LIST), ("B", ["A,B", "C"])):
        name = validations[f"{column}2:{column}1048576"].formula1
        destination = template.defined_names[name].attr_text
        sheet_title, cells = list(template.defined_names[name].destinations)[0]
        assert sheet_title == CHOICES_SHEET_TITLE, destination
        listed = [c.value for (c,) in template[sheet_title][cells.replace("$", "")]]
        assert listed == values
    assert template[CHOICES_SHEET_TITLE].sheet_state == "hidden"


def test_locked_columns_are_locked_and_everything_else_is_editable(template):
    ws = template.worksheets[0]
    assert ws.protection.sheet and not ws.protection.password
    for row in range(2, 5):
        assert ws.cell(row=row, column=1).protection.locked  # 事業コード
        assert ws.cell(row=row, column=7).protection.locked  # 版: hidden, so locked too
        for column in range(2, 7):
            assert not ws.cell(row=row, column=column).protection.locked
    assert all(cell.protection.locked for cell in ws[1])  # headers
    # Rows below the data follow their column.
    assert not ws.column_dimensions["B"].protection.locked
    assert ws.column_dimensions["A"].protection.locked
    # A sheet with nothing locked is not protected.
    assert not template.worksheets[1].protection.sheet


def test_hidden_columns_are_hidden(template):
    ws = template.worksheets[0]
    assert ws.column_dimensions["G"].hidden
    assert not ws.column_dimensions["F"].hidden


# Round trips -----------------------------------------------------------------------------------


def test_xlsx_round_trip_gives_the_same_values():
    spec = SheetSpec("事業", sample_dataset(), choices={"進捗度": LONG_LIST}, locked={"事業コード"}, hidden={"版"})
    ds = tablib.Dataset(headers=["日時", "真偽", "文字の数字", "エラー文字"])
    ds.append([datetime.datetime(2025, 4, 1, 9, 30), True, "001", "#N/A"])
    result = upload(write_xlsx([spec, SheetSpec("その他", ds)]), "round.xlsx")
    assert result.errors == []
    assert list(result.sheets) == ["事業", "その他"]  # the 選択肢 sheet is not data
    assert result.sheets["事業"].headers == HEADERS
    assert list(result.sheets["事業"]) == [
        ("P-001", "庁内ネットワーク更新", "実施中", "A", 12.5, datetime.date(2025, 4, 1), 3),
        ("P-002", "電子申請の拡大", "未着手", None, -3, datetime.date(2026, 3, 31), 1),
        ("P-003", "一行目\n二行目", "完了", "B", 1.25, None, 7),
    ]
    assert list(result.sheets["その他"]) == [(datetime.datetime(2025, 4, 1, 9, 30), True, "001", "#N/A")]


def test_csv_round_trip_gives_the_same_values_as_text():
    result = upload(write_csv(sample_dataset()), "round.csv")
    assert result.errors == []
    assert list(result.sheets[""]) == [
        ("P-001", "庁内ネットワーク更新", "実施中", "A", "12.5", "2025-04-01", "3"),
        ("P-002", "電子申請の拡大", "未着手", None, "-3", "2026-03-31", "1"),
        ("P-003", "一行目\n二行目", "完了", "B", "1.25", None, "7"),
    ]


def test_aware_datetimes_are_written_in_local_time():
    ds = tablib.Dataset(headers=["日時"])
    ds.append([datetime.datetime(2025, 4, 1, 0, 30, tzinfo=datetime.timezone.utc)])
    value = upload(write_xlsx([SheetSpec("x", ds)]), "t.xlsx").sheets["x"][0][0]
    assert value == datetime.datetime(2025, 4, 1, 9, 30)  # Asia/Tokyo


# Property: anything we write reads back, and nothing but FileRejected escapes ----------------

TRIGGER_TEXT = st.builds(
    lambda prefix, rest: prefix + rest, st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "'=", ""]), st.text(max_size=20)
)
CELL = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.text(alphabet="事業実施状況進捗度①～髙ｶﾅ　 \n\r\t=-+@'\"#,", max_size=15),
    TRIGGER_TEXT,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.decimals(places=2, min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False),
)
ROWS = st.lists(st.lists(CELL, min_size=3, max_size=3), max_size=6)


def _trim(rows):
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


def expected_xlsx(value):
    if isinstance(value, str):
        text = files._ILLEGAL_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
        return text or None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        return float("%.16g" % value)  # what openpyxl writes
    return value


def expected_csv(value):
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
        return text or None
    return files._csv_text(value)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS)
def test_property_written_files_read_back_to_the_written_values(rows):
    ds = tablib.Dataset(headers=["A", "B", "C"])
    for row in rows:
        ds.append(row)

    result = upload(write_xlsx([SheetSpec("s", ds)]), "p.xlsx")
    assert result.errors == []
    got = [list(r) for r in result.sheets["s"]]
    want = _trim([[expected_xlsx(v) for v in row] for row in rows])
    assert got == want

    result = upload(write_csv(ds), "p.csv")
    assert result.errors == []
    got = [list(r) for r in result.sheets[""]]
    want = _trim([[expected_csv(v) for v in row] for row in rows])
    assert got == want


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400), name=st.sampled_from(["x.csv", "x.xlsx"]))
def test_property_arbitrary_bytes_give_a_result_or_file_rejected(data, name):
    try:
        upload(data, name)
    except FileRejected as exc:
        assert exc.message


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(min_value=0, max_value=10_000), flip=st.integers(min_value=0, max_value=255))
def test_property_damaged_xlsx_gives_a_result_or_file_rejected(cut, flip):
    data = bytearray(simple_xlsx())
    position = cut % len(data)
    data[position] ^= flip
    try:
        upload(bytes(data), "x.xlsx")
    except FileRejected as exc:
        assert exc.message

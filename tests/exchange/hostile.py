"""Hostile workbooks built in the tests: small files that cost much to parse."""

import io
import random
import zipfile

from openpyxl import Workbook

STYLES_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill>'
    b'<fill><patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
)
XF = '<xf numFmtId="{}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"><alignment indent="{}"/></xf>'


def styles_bomb(unpacked_bytes: int) -> bytes:
    """A valid one-sheet xlsx whose styles.xml holds ``unpacked_bytes`` of cell formats.

    The formats vary (random number formats and indents), so the part compresses
    about 27 times, like the 0.87 MB file of the probe (34 MB unpacked): under the
    compression-ratio limit, which only stops runs of identical bytes.
    """
    book = Workbook()
    sheet = book.active
    sheet.title = "事業"
    sheet.append(["事業コード", "値"])
    sheet.append(["P-001", 1])
    plain = io.BytesIO()
    book.save(plain)
    rnd = random.Random(14)
    parts, size = [], 0
    while size < unpacked_bytes:
        xf = XF.format(rnd.randrange(50), rnd.randrange(250))
        parts.append(xf)
        size += len(xf)
    styles = (STYLES_HEAD + f'<cellXfs count="{len(parts)}">'.encode() + "".join(parts).encode()
              + b"</cellXfs></styleSheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = styles if item.filename == "xl/styles.xml" else source.read(item.filename)
            target.writestr(item.filename, body)
    return out.getvalue()

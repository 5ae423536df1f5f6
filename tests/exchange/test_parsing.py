"""Parsing an upload in a child process: the same tables as in the web process, the
memory and the time of a costly file kept in the child, its result cached as JSON."""

import datetime
import io
import os
import resource

import pytest
import tablib

from exchange import parsing
from exchange.files import (
    CellError,
    FileRejected,
    SheetSpec,
    Upload,
    read_upload,
    write_csv,
    write_xlsx,
)
from tests.exchange.hostile import styles_bomb

MB = 1024 * 1024


def sample():
    ds = tablib.Dataset(headers=["事業コード", "事業名", "値", "日付", "時刻", "完了"], title="事業")
    ds.append(["P-001", "一行目\n二行目", 12.5, datetime.date(2025, 4, 1), datetime.datetime(2025, 4, 1, 9, 30), True])
    ds.append(["P-002", "'=1+1", -3, None, None, False])
    return ds


def tables(upload: Upload):
    return {title: (list(ds.headers), [list(row) for row in ds]) for title, ds in upload.sheets.items()}


@pytest.mark.parametrize("name, data", [
    ("t.xlsx", write_xlsx([SheetSpec("事業", sample())])),
    ("t.csv", write_csv(sample()).decode("utf-8-sig").encode("cp932")),
])
def test_the_child_reads_the_same_tables_as_the_web_process(name, data):
    parsed = parsing.parse_upload(data, name)
    expected = read_upload(io.BytesIO(data), name)
    assert tables(parsed.upload) == tables(expected)
    assert parsed.child_pid != os.getpid()
    assert tables(parsing.decode(parsed.encoded)) == tables(parsed.upload)


def test_the_json_form_keeps_every_type_and_the_refused_cells():
    ds = tablib.Dataset(headers=["a", "b"], title="シート")
    for value in ["文字", "", 3, 2**70, 1.25, float("inf"), True, None, datetime.date(2019, 5, 1),
                  datetime.datetime(2019, 5, 1, 0, 0, 1), datetime.time(9, 30), datetime.timedelta(days=1, seconds=3)]:
        ds.append([value, str(value)])
    upload = Upload(sheets={"シート": ds, "": tablib.Dataset(headers=["x"])},
                    errors=[CellError("シート", 3, "B", "数式は取り込めません。")], errors_truncated=True)
    back = parsing.decode(parsing.encode(upload))
    assert tables(back) == tables(upload)
    assert [type(v) for v in back.sheets["シート"].get_col(0)] == [type(v) for v in ds.get_col(0)]
    assert back.errors == upload.errors and back.errors_truncated


def test_the_styles_bomb_is_refused_without_parsing():
    with pytest.raises(FileRejected) as info:
        parsing.parse_upload(styles_bomb(34 * MB), "styles.xlsx")
    assert info.value.message.startswith("ファイルの中の書式の情報（xl/styles.xml）が大きすぎます")


def test_a_costly_file_within_the_limits_is_parsed_within_a_bounded_memory_in_the_child():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parsed = parsing.parse_upload(styles_bomb(2 * MB - 4096), "styles.xlsx")
    assert tables(parsed.upload) == {"事業": (["事業コード", "値"], [["P-001", 1]])}
    # Measured by the child: about 25 MB a MB of formats, on top of Python and openpyxl.
    assert 30 * MB < parsed.peak_rss < 200 * MB
    # The web process did not grow by the parse.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 20 * 1024  # KB


def test_a_parse_past_its_memory_limit_is_stopped_in_the_child(settings):
    # The part limit raised, the probe's file is parsed: the child runs out of its
    # address space and the user gets a message, the web process keeps its memory.
    settings.IMPORT_MAX_STYLES_BYTES = 64 * MB
    settings.IMPORT_PARSE_MEMORY_BYTES = 400 * MB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(FileRejected) as info:
        parsing.parse_upload(styles_bomb(34 * MB), "styles.xlsx")
    assert info.value.message == parsing.MSG_TOO_COSTLY
    assert info.value.peak_rss is None or info.value.peak_rss <= 400 * MB
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 20 * 1024


def test_a_parse_past_its_time_limit_is_stopped(settings):
    settings.IMPORT_MAX_STYLES_BYTES = 64 * MB
    settings.IMPORT_PARSE_SECONDS = 0.5
    with pytest.raises(FileRejected) as info:
        parsing.parse_upload(styles_bomb(34 * MB), "styles.xlsx")
    assert info.value.message == parsing.MSG_TOO_SLOW

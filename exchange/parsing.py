"""Reading an upload outside the web process, once, into tables kept as JSON.

`parse_upload` runs `exchange.files.read_upload` in a child process with an address
space limit (``IMPORT_PARSE_MEMORY_BYTES``, RLIMIT_AS) and a time limit
(``IMPORT_PARSE_SECONDS``), and returns the tables, or raises `FileRejected` with a
Japanese message. Whatever a file costs to parse stays in the child and is given back
to the system when it exits: the web worker only holds the tables it gets back, whose
size the row and column limits bound.

Children are forked from a small server process (multiprocessing's "forkserver") that
has imported openpyxl once: a fresh interpreter per upload ("spawn") costs about 0.4 s
of start-up; a fork of the server about 10 ms, and none of the web worker's memory
or threads. The server is started by the first upload a web worker receives.

The child answers in JSON, never pickle: a child that a hostile file took over
cannot make the web process run code by what it sends back. The same JSON is the
parsed result that the upload views keep next to the stored file (`encode`,
`decode`), so preview and confirmation read tables, not the workbook again.
"""

from __future__ import annotations

import datetime
import io
import json
import logging
import math
import multiprocessing
import os
import resource
import time
from dataclasses import dataclass

import tablib
from django.conf import settings

from exchange.files import MSG_CORRUPT, CellError, FileRejected, Upload, read_upload

logger = logging.getLogger(__name__)

MSG_TOO_COSTLY = (
    "ファイルの読み込みに使えるメモリーの上限を超えたため、読み込みを中止しました。"
    "書式だけの行や列、不要なシートを削除するか、値だけを新しいブックに貼り付けて保存し直してください。"
)
MSG_TOO_SLOW = (
    "ファイルの読み込みに時間がかかりすぎるため、中止しました。"
    "行を分けていくつかのファイルにするか、値だけを新しいブックに貼り付けて保存し直してください。"
)


@dataclass
class Parsed:
    """A parsed upload: its tables, their JSON form (to keep), and what the child used."""

    upload: Upload
    encoded: bytes
    peak_rss: int  # bytes, the child's peak resident memory
    child_pid: int


def parse_upload(data: bytes, filename: str) -> Parsed:
    """`read_upload` in a child process with memory and time limits; raise `FileRejected`."""
    limits = {
        "max_bytes": settings.IMPORT_MAX_BYTES,
        "max_rows": settings.IMPORT_MAX_ROWS,
        "max_unzipped_bytes": settings.IMPORT_MAX_UNZIPPED_BYTES,
        "max_part_bytes": settings.IMPORT_MAX_PART_BYTES,
        "max_styles_bytes": settings.IMPORT_MAX_STYLES_BYTES,
    }
    memory, seconds = settings.IMPORT_PARSE_MEMORY_BYTES, settings.IMPORT_PARSE_SECONDS
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, data, filename, limits, memory, seconds),
                            name="akishima-ict-parse", daemon=True)
    child.start()
    sender.close()  # so that the child's death reads as end of file here
    deadline = time.monotonic() + seconds
    try:
        head = json.loads(_receive(receiver, deadline))
        if "refused" in head:
            raise _rejected(head["refused"], head.get("peak_rss"))
        encoded = _receive(receiver, deadline)
    except TimeoutError:
        child.kill()
        logger.warning("upload %r: parsing stopped after %s s", filename, seconds)
        raise _rejected(MSG_TOO_SLOW, None) from None
    except EOFError:
        child.join(5)
        logger.warning("upload %r: the parsing child ended without an answer (exit code %s)",
                       filename, child.exitcode)
        raise _rejected(MSG_TOO_COSTLY, None) from None
    finally:
        receiver.close()
        child.join(5)
    return Parsed(upload=decode(encoded), encoded=encoded, peak_rss=head["peak_rss"], child_pid=head["pid"])


_started = None


def _context():
    """The forkserver, with the reading code imported once in it."""
    global _started
    if _started is None:
        # Python 3.11's forkserver does not take the parent's sys.path: it finds our
        # modules through its working directory, or through PYTHONPATH, which it inherits.
        # (Without them every child would import openpyxl again: 0.2-0.4 s an upload.)
        base = str(settings.BASE_DIR)
        paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        if base not in paths:
            os.environ["PYTHONPATH"] = os.pathsep.join([base, *paths])
        _started = multiprocessing.get_context("forkserver")
        _started.set_forkserver_preload(["__main__", "exchange.files"])
    return _started


def _receive(connection, deadline: float) -> bytes:
    if not connection.poll(max(0.0, deadline - time.monotonic())):
        raise TimeoutError
    return connection.recv_bytes()


def _rejected(message: str, peak_rss: int | None) -> FileRejected:
    error = FileRejected(message)
    error.peak_rss = peak_rss
    return error


def _child(sender, data: bytes, filename: str, limits: dict, memory: int, seconds: float) -> None:
    """In the child: limit ourselves, read, answer a JSON head (and the tables)."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = math.ceil(seconds) + 1  # a backstop to the parent's clock
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    body = None
    try:
        body = encode(read_upload(io.BytesIO(data), filename, **limits))
        head = {}
    except FileRejected as error:
        # lxml reports an allocation that failed as a syntax error ("unknown
        # error"), which reads as a corrupt file: near the limit, it was the limit.
        if error.message == MSG_CORRUPT and _peak_virtual() > 0.9 * memory:
            head = {"refused": MSG_TOO_COSTLY}
        else:
            head = {"refused": error.message}
    except MemoryError:
        body = None
        head = {"refused": MSG_TOO_COSTLY}
    except Exception:  # read_upload refuses what it cannot read; anything else is a bug
        logger.exception("upload %r: unexpected error while parsing", filename)
        head = {"refused": MSG_CORRUPT}
    head["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    head["pid"] = multiprocessing.current_process().pid
    sender.send_bytes(json.dumps(head).encode())
    if body is not None:
        sender.send_bytes(body)
    sender.close()


def _peak_virtual() -> int:
    """The child's peak address space in bytes (Linux), 0 when unknown."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# The JSON form of an Upload ------------------------------------------------------------

_TAGS = {
    "datetime": datetime.datetime.fromisoformat,
    "date": datetime.date.fromisoformat,
    "time": datetime.time.fromisoformat,
    "timedelta": lambda parts: datetime.timedelta(*parts),
}


def _tag(value):
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"time": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"timedelta": [value.days, value.seconds, value.microseconds]}
    raise TypeError(f"not a cell value: {type(value).__name__}")


def _untag(obj: dict):
    if len(obj) == 1:
        ((key, value),) = obj.items()
        if key in _TAGS:
            return _TAGS[key](value)
    return obj


def encode(upload: Upload) -> bytes:
    """The upload as JSON: dates, times and durations tagged, every other value as is."""
    return json.dumps({
        "sheets": [{"title": title, "headers": list(ds.headers or []), "rows": [list(row) for row in ds]}
                   for title, ds in upload.sheets.items()],
        "errors": [[e.sheet, e.row, e.column, e.message] for e in upload.errors],
        "errors_truncated": upload.errors_truncated,
    }, default=_tag, ensure_ascii=False).encode()


def decode(encoded: bytes) -> Upload:
    data = json.loads(encoded, object_hook=_untag)
    sheets = {}
    for sheet in data["sheets"]:
        dataset = tablib.Dataset(headers=sheet["headers"], title=sheet["title"] or None)
        for row in sheet["rows"]:
            dataset.append(row)
        sheets[sheet["title"]] = dataset
    return Upload(sheets=sheets, errors=[CellError(*e) for e in data["errors"]],
                  errors_truncated=data["errors_truncated"])

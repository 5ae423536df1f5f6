"""Uploads kept between the preview and the confirmation, and their expiry.

An upload is kept in MEDIA_ROOT/imports as two files named by the user's id and a
random token: the file as sent (``<user>-<token>``) and its parsed tables
(``<user>-<token>.json``, `exchange.parsing`), so that the preview and the
confirmation read the tables, never the workbook again. The confirmation still runs
the whole import again on those tables: nothing posted from the preview is trusted.

Both files are written under a temporary name and renamed, so a failed write (a full
or read-only disk) leaves no half-written upload; `StorageError` tells the view.
Uploads never confirmed are deleted after ``IMPORT_UPLOAD_KEEP_HOURS`` hours
(`purge_expired`: at every new upload and by ``manage.py purge_uploads``).
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

from django.conf import settings

from exchange import parsing
from exchange.files import Upload

logger = logging.getLogger(__name__)

TEMP_PREFIX = "."


class StorageError(Exception):
    """The upload could not be written (or read) on the server's storage."""


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _paths(user, token: str) -> tuple[Path, Path]:
    raw = folder() / f"{user.pk}-{token}"
    return raw, raw.with_name(raw.name + ".json")


def store_upload(*, user, data: bytes, encoded: bytes) -> str:
    """Keep an upload and its parsed tables; return its token. Raise `StorageError`."""
    purge_expired()
    token = secrets.token_urlsafe(16)
    written: list[Path] = []
    try:
        folder().mkdir(parents=True, exist_ok=True)
        for path, body in zip(_paths(user, token), (data, encoded)):
            temp = path.with_name(f"{TEMP_PREFIX}{path.name}.tmp")
            written.append(temp)
            temp.write_bytes(body)
            os.replace(temp, path)
            written.append(path)
    except OSError as error:
        for path in written:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
        logger.error("uploads: cannot store an upload of user %s in %s (保存できません): %s",
                     user.pk, folder(), error)
        raise StorageError(str(error)) from error
    return token


def load_upload(*, user, token: str, name: str) -> Upload | None:
    """The parsed tables of a kept upload, or None when it is gone (expired, forgotten).

    An upload kept before its tables were (a session older than this code) is parsed
    again, in the child process, once. Raises `FileRejected` if that parse refuses it.
    """
    raw, parsed = _paths(user, token)
    try:
        return parsing.decode(parsed.read_bytes())
    except FileNotFoundError:
        pass
    except OSError as error:
        logger.error("uploads: cannot read %s: %s", parsed, error)
        return None
    try:
        data = raw.read_bytes()
    except OSError:
        return None
    result = parsing.parse_upload(data, name)
    try:
        parsed.write_bytes(result.encoded)
    except OSError as error:
        logger.warning("uploads: cannot keep the parsed tables of %s: %s", raw, error)
    return result.upload


def forget_upload(*, user, token: str) -> None:
    for path in _paths(user, token):
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            logger.warning("uploads: cannot delete %s: %s", path, error)


def purge_expired(*, keep_hours: float | None = None, dry_run: bool = False) -> list[Path]:
    """Delete kept uploads (and leftover temporary files) older than ``keep_hours``
    (default ``IMPORT_UPLOAD_KEEP_HOURS``); return what was (or, dry, would be) deleted."""
    if keep_hours is None:
        keep_hours = settings.IMPORT_UPLOAD_KEEP_HOURS
    cutoff = time.time() - keep_hours * 3600
    expired = []
    try:
        entries = list(os.scandir(folder()))
    except OSError:  # no folder yet, or one we cannot read: nothing to purge
        return expired
    for entry in entries:
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat().st_mtime >= cutoff:
                continue
            if not dry_run:
                os.unlink(entry.path)
        except OSError as error:
            logger.warning("uploads: cannot delete %s: %s", entry.path, error)
            continue
        expired.append(Path(entry.path))
    if expired and not dry_run:
        logger.info("uploads: deleted %d expired files", len(expired))
    return expired

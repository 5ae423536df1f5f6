"""Backup and restore of the whole application in one file (`manage.py backup` / `restore`).

The file is a gzipped tar archive holding:

- `manifest.json`: the engine, the applied Django migrations, the app version, the time
  and the tables, so that a restore can refuse a file it would damage the database with;
- the database: for SQLite a copy made with SQLite's online backup API (a consistent
  snapshot while the application keeps writing in WAL mode), for PostgreSQL a
  `pg_dump -Fc` archive;
- `media/…`: the files under MEDIA_ROOT. These are the PDF books (計画書, 進行管理報告書,
  会議資料) that BookJob rows point to. They are included because a book records the data
  as it was on the day it was made (the papers handed out at a meeting): rendering it
  again from today's data would give a different document, and a restored 「完成」 job
  without its file could not be downloaded.

Timestamps survive to the microsecond because nothing goes through JSON (dumpdata
would cut them to milliseconds).
"""

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MEDIA_PREFIX = "media/"
# Tables that `migrate` fills by itself: a database holding rows only in these is empty.
SCHEMA_TABLES = {
    "django_migrations", "django_content_type", "auth_permission", "auth_group",
    "auth_group_permissions", "sqlite_sequence",
}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, in Japanese."""


@dataclass
class Manifest:
    engine: str
    migrations: list[list[str]]
    tables: list[str]
    app_version: str
    created_at: str
    server_version: int | None = None
    media_files: int = 0
    format: int = FORMAT
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        try:
            values = json.loads(data)
            return cls(**{k: v for k, v in values.items() if k != "warnings"})
        except (ValueError, TypeError) as error:
            raise BackupError("バックアップの説明(manifest.json)が読めません。") from error


def app_version() -> str:
    try:
        return metadata.version("akishima-ict")
    except metadata.PackageNotFoundError:
        return "unknown"


def connection_for(database: dict):
    """A Django connection to the database described by a full settings dict (the
    default one, or another one such as the empty database of a restore drill)."""
    backend = connections["default"].__class__
    if database["ENGINE"] != connections["default"].settings_dict["ENGINE"]:
        from django.db.utils import load_backend

        backend = load_backend(database["ENGINE"]).DatabaseWrapper
    return backend(dict(database), alias="__backup__")


# --- backup ---------------------------------------------------------------------------------


def create_backup(output: Path, *, database: dict, include_media: bool = True) -> Manifest:
    """Write the backup of `database` (a settings dict) and MEDIA_ROOT to `output`.
    The archive is written beside `output` and renamed into place, so a file with the
    final name is always complete."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with closing(connection_for(database)) as conn:
        engine = conn.vendor
        if engine not in DATABASE_MEMBERS:
            raise BackupError(f"このデータベース({engine})のバックアップには対応していません。")
        with conn.cursor() as cursor:
            tables = sorted(conn.introspection.table_names(cursor))
            applied = []
            if "django_migrations" in tables:
                # Raw SQL: the recorder's ORM query would look the connection up by alias.
                cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
                applied = [list(row) for row in cursor.fetchall()]
        server_version = conn.pg_version if engine == "postgresql" else None
    media = _media_files() if include_media else []
    manifest = Manifest(
        engine=engine, migrations=applied, tables=tables, app_version=app_version(),
        created_at=timezone.localtime().isoformat(), server_version=server_version,
        media_files=len(media),
    )
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        dump = Path(work) / DATABASE_MEMBERS[engine]
        if engine == "sqlite":
            _dump_sqlite(database, dump)
        else:
            _dump_postgresql(database, dump, server_version)
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest.__dict__, ensure_ascii=False, indent=1).encode())
            archive.add(dump, arcname=dump.name)
            for path in media:
                archive.add(path, arcname=MEDIA_PREFIX + path.relative_to(settings.MEDIA_ROOT).as_posix())
        os.replace(partial, output)
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    # Not the uploads waiting for their confirmation (exchange: imports/), which are
    # temporary, nor a restore's working folder.
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".restore-")
                  and p.relative_to(root).parts[0] != "imports")


def _dump_sqlite(database: dict, dump: Path) -> None:
    source = Path(database["NAME"])
    if not source.exists():
        raise BackupError(f"データベースのファイルがありません:{source}")
    # The online backup API copies a consistent snapshot: other processes go on writing
    # (WAL mode) and their uncommitted work is not copied. One step (all pages at once)
    # keeps the snapshot from restarting when the application writes meanwhile.
    timeout = database.get("OPTIONS", {}).get("timeout", 20)
    with closing(sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True, timeout=timeout)) as src, \
            closing(sqlite3.connect(dump)) as dst:
        try:
            _copy(src, dst, timeout)
        except (sqlite3.Error, TimeoutError) as error:
            raise BackupError(f"データベースを読めませんでした:{error}") from error
        # A self-contained file: no -wal beside it in the archive.
        dst.execute("PRAGMA journal_mode=DELETE")


def _copy(src: sqlite3.Connection, dst: sqlite3.Connection, timeout: float) -> None:
    """SQLite's backup API, all pages in one step. Python retries a busy step for ever;
    give up after `timeout` seconds instead (nothing is written until a step succeeds)."""
    deadline = time.monotonic() + timeout

    def progress(status, remaining, total):
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise TimeoutError("database is locked")

    src.backup(dst, progress=progress, sleep=0.1)


def _pg_environment(database: dict) -> dict:
    """libpq's environment for the pg_* tools: the password never appears on a command line."""
    env = {**os.environ, "PGDATABASE": str(database["NAME"])}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            env[variable] = str(database[key])
    if database.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = database["OPTIONS"]["sslmode"]
    return env


def pg_tool(name: str, server_version: int) -> str:
    """The pg_dump/pg_restore/psql of the server's major version: Debian installs each
    version under /usr/lib/postgresql/<major>/bin; PG_BINDIR names another place."""
    major = server_version // 10000
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]) / name)
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin/{name}"))
    found = next((str(p) for p in candidates if p.exists()), None) or shutil.which(name)
    if found is None:
        raise BackupError(f"{name} が見つかりません。postgresql-client をインストールしてください。")
    version = subprocess.run([found, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"\(PostgreSQL\) (\d+)", version)
    tool_major = int(match.group(1)) if match else 0
    if tool_major < major:
        raise BackupError(
            f"{name} の版({tool_major})が PostgreSQL サーバーの版({major})より古いため使えません。"
            f"postgresql-client-{major} をインストールするか、PG_BINDIR で場所を指定してください。"
        )
    return found


def _dump_postgresql(database: dict, dump: Path, server_version: int) -> None:
    command = [pg_tool("pg_dump", server_version), "--format=custom", "--no-owner",
               "--no-privileges", f"--file={dump}"]
    _run(command, env=_pg_environment(database), what="pg_dump")


def _run(command, *, env, what, **kwargs) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise BackupError(f"{what} が失敗しました:{result.stderr.strip()[-2000:]}")


# --- restore --------------------------------------------------------------------------------


def read_manifest(path: Path) -> Manifest:
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            manifest = Manifest.from_json(member.read())
    except FileNotFoundError as error:
        raise BackupError(f"バックアップファイルがありません:{path}") from error
    except (tarfile.TarError, KeyError, OSError, EOFError) as error:
        raise BackupError(f"このアプリケーションのバックアップファイルではないか、壊れています:{path}") from error
    if manifest.format != FORMAT:
        raise BackupError(f"対応していない形式のバックアップです(形式 {manifest.format})。")
    return manifest


def check_restorable(manifest: Manifest, *, database: dict) -> list[str]:
    """Refuse a file that does not fit this database and this version of the application;
    return notes for the operator (an older schema that `migrate` will bring up to date)."""
    with closing(connection_for(database)) as conn:
        engine = conn.vendor
        if manifest.engine != engine:
            raise BackupError(
                f"このバックアップは {ENGINE_NAMES.get(manifest.engine, manifest.engine)} のものです。"
                f"現在のデータベース({ENGINE_NAMES.get(engine, engine)})には復元できません。"
            )
        if engine == "postgresql":
            with conn.cursor():
                pass
            pg_tool("pg_restore", max(conn.pg_version, manifest.server_version or 0))
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = {tuple(m) for m in manifest.migrations}
    unknown = sorted(applied - known)
    if unknown:
        names = "、".join(f"{app}.{name}" for app, name in unknown[:3])
        raise BackupError(
            f"このバックアップは新しい版のアプリケーション(版 {manifest.app_version})で作られており、"
            f"この版にないマイグレーション({names} など {len(unknown)} 件)を含むため復元できません。"
            "アプリケーションを更新してから復元してください。"
        )
    if known - applied:
        return ["バックアップは現在の版より古い構成です。復元のあと `python manage.py migrate` を実行してください。"]
    return []


def database_has_data(database: dict) -> bool:
    """True when the database holds anything beyond what `migrate` creates by itself."""
    if database["ENGINE"].endswith("sqlite3") and not Path(database["NAME"]).exists():
        return False
    with closing(connection_for(database)) as conn, conn.cursor() as cursor:
        for table in conn.introspection.table_names(cursor):
            if table in SCHEMA_TABLES:
                continue
            cursor.execute(f"SELECT 1 FROM {conn.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone():
                return True
    return False


def restore_backup(path: Path, *, database: dict, restore_media: bool = True) -> Manifest:
    """Replace the database (and add the media files) with the backup's content, all or
    nothing for the database. The caller has checked the manifest and the overwrite."""
    path = Path(path)
    manifest = read_manifest(path)
    manifest.warnings = check_restorable(manifest, database=database)
    _close_connections_to(database)
    with tarfile.open(path, "r:gz") as archive:
        member_name = DATABASE_MEMBERS[manifest.engine]
        # Every media member is checked before the database is touched, so a tampered
        # file is refused with nothing changed.
        media = _media_members(archive) if restore_media else []
        if manifest.engine == "sqlite":
            _restore_sqlite(archive, member_name, database)
        else:
            _restore_postgresql(archive, member_name, database, manifest)
        if media:
            _restore_media(archive, media)
    return manifest


def _close_connections_to(database: dict) -> None:
    """This process's own connections to the database being replaced would hold locks
    (PostgreSQL) or a view of the old file (SQLite)."""
    for conn in connections.all(initialized_only=True):
        same = all(conn.settings_dict.get(k) == database.get(k) for k in ("ENGINE", "NAME", "HOST", "PORT"))
        if same:
            conn.close()


def _extract_to(archive: tarfile.TarFile, name: str, target: Path) -> None:
    try:
        source = archive.extractfile(name)
    except KeyError as error:
        raise BackupError("バックアップにデータベースが含まれていません。") from error
    with open(target, "wb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)


def _restore_sqlite(archive, member_name, database) -> None:
    target = Path(database["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".restore-") as work:
        copy = Path(work) / member_name
        _extract_to(archive, member_name, copy)
        with closing(sqlite3.connect(copy)) as src:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("バックアップのデータベースが壊れています(integrity_check)。")
            # The backup API writes into the live file in one transaction, through SQLite's
            # own locking and WAL: other connections see the old or the new database, never
            # a mix, and no stale -wal/-shm file is left to be replayed onto the new one
            # (which replacing the file by a rename could do).
            timeout = database.get("OPTIONS", {}).get("timeout", 20)
            try:
                with closing(sqlite3.connect(target, timeout=timeout)) as dst:
                    dst.execute("PRAGMA journal_mode=WAL")
                    _copy(src, dst, timeout)
            except (sqlite3.OperationalError, TimeoutError) as error:
                raise BackupError("データベースが使用中のため復元できませんでした(何も変更していません)。"
                                  "Web サーバーとワーカーを止めてから実行してください。") from error


def _restore_postgresql(archive, member_name, database, manifest) -> None:
    with closing(connection_for(database)) as conn:
        with conn.cursor():
            server_version = conn.pg_version
            current = set(conn.introspection.table_names())
    # A running application holds locks that DROP TABLE would wait for without end.
    env = {**_pg_environment(database), "PGOPTIONS": "-c lock_timeout=30s"}
    # Tables that the backup does not have (a newer schema) would survive --clean and
    # break the next migrate: drop them in the same transaction.
    extra = sorted(current - set(manifest.tables))
    drops = [f'DROP TABLE IF EXISTS "{t}" CASCADE;' for t in extra]
    with tempfile.TemporaryDirectory(prefix="akishima-restore-") as work:
        dump = Path(work) / member_name
        _extract_to(archive, member_name, dump)
        script = Path(work) / "restore.sql"
        # pg_restore writes the SQL; psql runs it with the drops in ONE transaction, so a
        # failure leaves the database as it was.
        _run([pg_tool("pg_restore", server_version), "--clean", "--if-exists", "--no-owner",
              "--no-privileges", f"--file={script}", str(dump)], env=env, what="pg_restore")
        command = [pg_tool("psql", server_version), "--no-psqlrc", "--quiet", "--single-transaction",
                   "--set=ON_ERROR_STOP=1", "--output=/dev/null"]
        if drops:
            command += ["--command", " ".join(drops)]
        try:
            _run(command + [f"--file={script}"], env=env, what="psql")
        except BackupError as error:
            if "lock timeout" in str(error):
                raise BackupError("データベースが使用中のため復元できませんでした(何も変更していません)。"
                                  "Web サーバーとワーカーを止めてから実行してください。") from error
            raise


def _media_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """The media files of the archive, each a plain file whose path stays inside media/
    (no absolute path, no "..", no link): anything else refuses the whole backup."""
    members = []
    for member in archive.getmembers():
        if not member.name.startswith(MEDIA_PREFIX) or member.isdir():
            continue
        parts = PurePosixPath(member.name).parts
        if not member.isfile() or ".." in parts or member.name.startswith("/"):
            raise BackupError(f"バックアップの中に不正なファイルがあります({member.name})。"
                              "このファイルは復元できません(何も変更していません)。")
        members.append(member)
    return members


def _restore_media(archive: tarfile.TarFile, members: list[tarfile.TarInfo]) -> int:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".restore-") as work:
        # The "data" filter refuses absolute paths, "..", links and devices.
        archive.extractall(work, members=members, filter="data")
        for member in members:
            relative = Path(member.name).relative_to(MEDIA_PREFIX.rstrip("/"))
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(Path(work) / member.name, root / relative)
    return len(members)

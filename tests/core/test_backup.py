"""Backup and restore (manage.py backup / restore, core.backup).

The restore drill backs up a populated database, restores it into an empty one and
compares every row of every table, timestamps to the microsecond. It runs with committed
data (a transactional test): on SQLite into a new file, on PostgreSQL (CI) into a new
database through pg_dump/pg_restore.
"""

import io
import json
import sqlite3
import tarfile
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core import backup
from demo.data import create_demo_cycle
from governance.models import BookJob, BookKind, BookStatus
from plans.services import load_demo_master_plan_codes
from projects.models import ProjectSheet
from projects.services import Via, save_sheet
from tests.projects.conftest import edit_for

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite のバックアップだけ")


# --- reading every row ------------------------------------------------------------------------


def all_rows(database: dict) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key, as the database driver returns them."""
    if database["ENGINE"].endswith("sqlite3"):
        with closing(sqlite3.connect(database["NAME"])) as conn:
            tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            rows = {}
            for table in tables:
                info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
                keys = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]] or [c[1] for c in info]
                order = ", ".join(f'"{k}"' for k in keys)
                rows[table] = conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()
            return rows
    with psycopg.connect(**pg_params(database)) as conn:
        tables = [t for (t,) in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")]
        rows = {}
        for table in tables:
            keys = [k for (k,) in conn.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum", [f'"{table}"'])]
            order = ", ".join(f'"{k}"' for k in keys) or "1"
            rows[table] = conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()
        # The next id of every table continues where it was.
        rows["(sequences)"] = conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename").fetchall()
        return rows


def pg_params(database: dict, **changes) -> dict:
    params = {"dbname": database["NAME"], "user": database["USER"], "host": database["HOST"],
              "port": database["PORT"] or 5432}
    if database.get("PASSWORD"):
        params["password"] = database["PASSWORD"]
    return {**params, **changes}


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Backups in these tests read and write their own MEDIA_ROOT, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def empty_database(tmp_path):
    """An empty database of the same engine as the test database, removed afterwards."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {**source, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    name = f"{source['NAME']}_restore_drill"
    with psycopg.connect(**pg_params(source, dbname="postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield {**source, "NAME": name}
    with psycopg.connect(**pg_params(source, dbname="postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def populate(users):
    """A city in use: the demo cycle (reports in every state, meetings), sheet edits with
    their history rows, and a PDF book stored under MEDIA_ROOT."""
    load_demo_master_plan_codes()
    create_demo_cycle()
    for code, text in (("1-2-1-01", "窓口の手続をオンラインで受け付ける。"),
                       ("2-3-1-01", "職員認証を段階的に導入する。")):
        sheet = ProjectSheet.objects.get(project__code=code)
        mine, edit = edit_for(sheet, **{"sheet-activities": text})
        save_sheet(user=users["demo-joho"], sheet=mine, seen_version=sheet.version,
                   changes=edit.changes(complete=False), via=Via.PAGE)
    job = BookJob.objects.create(kind=BookKind.PLAN, title="第二期 計画書", status=BookStatus.DONE,
                                 requested_by=users["demo-joho"])
    job.file.save("plan-1.pdf", ContentFile(b"%PDF-1.7 book of the day"), save=True)
    return job


# --- the drill --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_restore_drill_gives_back_every_row_of_every_table(
        demo_users, empty_database, tmp_path, settings):
    job = populate(demo_users)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    before = all_rows(connection.settings_dict)

    assert not backup.database_has_data(empty_database)
    settings.MEDIA_ROOT = tmp_path / "media-restored"
    backup.restore_backup(archive, database=empty_database)
    after = all_rows(empty_database)

    expected_tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    assert expected_tables | {"django_migrations"} <= set(before)
    assert sum(len(rows) for rows in before.values()) > 1000
    # The compared timestamps carry microseconds, so equal rows mean equal to the microsecond.
    assert any(d.microsecond for d in ProjectSheet.history.values_list("history_date", flat=True))
    assert before.keys() == after.keys()
    for table in before:
        assert after[table] == before[table], f"{table} の行が一致しません"
    restored = Path(settings.MEDIA_ROOT) / job.file.name
    assert restored.read_bytes() == b"%PDF-1.7 book of the day"


# --- safe while the application writes ----------------------------------------------------------


def test_backup_while_a_write_is_under_way_copies_only_committed_data(tmp_path, seed, empty_database):
    from django.contrib.auth.models import Group

    Group.objects.create(name="書きかけの変更")  # this test's transaction stays open, uncommitted
    archive = tmp_path / "backup.tar.gz"
    backup.create_backup(archive, database=connection.settings_dict)

    backup.restore_backup(archive, database=empty_database)
    restored = all_rows(empty_database)
    names = {row[1] for row in restored["auth_group"]}
    assert "書きかけの変更" not in names
    assert len(restored["plans_project"]) == len(all_rows(connection.settings_dict)["plans_project"]) > 0


# --- refusals -------------------------------------------------------------------------------------


def fake_archive(path: Path, **changes) -> Path:
    """A backup file whose manifest says what the test needs (the database inside is empty)."""
    manifest = backup.Manifest(
        engine=connection.vendor, migrations=[], tables=[], app_version="0.1.0",
        created_at="2026-11-26T02:30:00+09:00", server_version=150000,
    ).__dict__ | changes
    with tarfile.open(path, "w:gz") as archive:
        for name, data in ((backup.MANIFEST, json.dumps(manifest).encode()),
                           (backup.DATABASE_MEMBERS[manifest["engine"]], b"")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def applied_migrations():
    from django.db.migrations.recorder import MigrationRecorder

    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


@pytest.mark.django_db
def test_restore_refuses_a_backup_of_the_other_engine(tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    path = fake_archive(tmp_path / "other.tar.gz", engine=other, migrations=applied_migrations())
    with pytest.raises(CommandError, match="現在のデータベース(.*)には復元できません"):
        call_command("restore", str(path), "--force", stdout=io.StringIO())


@pytest.mark.django_db
def test_restore_refuses_a_backup_from_a_newer_schema(tmp_path, seed):
    newer = applied_migrations() + [["governance", "9999_from_the_future"]]
    path = fake_archive(tmp_path / "newer.tar.gz", migrations=newer, app_version="9.0.0")
    with pytest.raises(CommandError, match="新しい版のアプリケーション.*governance.9999_from_the_future"):
        call_command("restore", str(path), "--force", stdout=io.StringIO())


@pytest.mark.django_db
def test_an_older_schema_is_restored_with_a_note_to_migrate(empty_database):
    manifest = backup.Manifest(engine=connection.vendor, migrations=[["plans", "0001_initial"]],
                               tables=[], app_version="0.0.9", created_at="2026-04-01T00:00:00+09:00")
    notes = backup.check_restorable(manifest, database=empty_database)
    assert any("migrate" in note for note in notes)


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    path = tmp_path / "notes.tar.gz"
    path.write_text("これはバックアップではありません")
    with pytest.raises(CommandError, match="バックアップファイルではないか、壊れています"):
        call_command("restore", str(path), "--force", stdout=io.StringIO())


@pytest.mark.django_db
def test_restore_does_not_overwrite_data_without_force(tmp_path, seed, monkeypatch):
    path = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(path), stdout=io.StringIO())
    projects = ProjectSheet.objects.count()

    with pytest.raises(CommandError, match="データがあります。上書きする場合は --force"):
        call_command("restore", str(path), "--noinput", stdout=io.StringIO())
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="復元を中止しました"):
        call_command("restore", str(path), stdout=io.StringIO())
    assert ProjectSheet.objects.count() == projects > 0


@on_sqlite
def test_restore_replaces_a_database_in_use_atomically(tmp_path, empty_database):
    """Restoring over an SQLite file that another connection has open (WAL mode): that
    connection then reads the restored data, and no old -wal content comes back."""
    target = Path(empty_database["NAME"])
    with closing(sqlite3.connect(target)) as app:
        app.execute("PRAGMA journal_mode=WAL")
        app.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        app.execute("INSERT INTO t VALUES (1, 'old')")
        app.commit()
        source = tmp_path / "source.sqlite3"
        with closing(sqlite3.connect(source)) as src:
            src.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
            src.execute("INSERT INTO t VALUES (1, 'new'), (2, 'new')")
            src.commit()
        archive = tmp_path / "backup.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(source, arcname=backup.DATABASE_MEMBERS["sqlite"])
        backup._restore_sqlite(tarfile.open(archive, "r:gz"), backup.DATABASE_MEMBERS["sqlite"],
                               empty_database)
        assert app.execute("SELECT * FROM t ORDER BY id").fetchall() == [(1, "new"), (2, "new")]
    with closing(sqlite3.connect(target)) as reopened:
        assert reopened.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert reopened.execute("SELECT count(*) FROM t").fetchone() == (2,)


@pytest.mark.django_db
def test_restore_over_a_newer_database_leaves_no_table_the_backup_lacks(tmp_path, empty_database):
    archive = tmp_path / "backup.tar.gz"
    backup.create_backup(archive, database=connection.settings_dict, include_media=False)
    extra = backup.connection_for(empty_database)
    with closing(extra), extra.cursor() as cursor:
        cursor.execute("CREATE TABLE governance_from_a_newer_version (id integer PRIMARY KEY)")
        cursor.execute("INSERT INTO governance_from_a_newer_version VALUES (1)")
    assert backup.database_has_data(empty_database)

    backup.restore_backup(archive, database=empty_database)
    assert "governance_from_a_newer_version" not in all_rows(empty_database)


@on_sqlite
def test_restore_into_a_database_being_written_stops_with_a_message(tmp_path, empty_database):
    archive = tmp_path / "backup.tar.gz"
    source = tmp_path / "source.sqlite3"
    with closing(sqlite3.connect(source)) as src:
        src.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        src.commit()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source, arcname=backup.DATABASE_MEMBERS["sqlite"])
    busy = {**empty_database, "OPTIONS": {**empty_database.get("OPTIONS", {}), "timeout": 0.1}}
    with closing(sqlite3.connect(empty_database["NAME"], isolation_level=None)) as app:
        app.execute("PRAGMA journal_mode=WAL")
        app.execute("CREATE TABLE kept (id INTEGER PRIMARY KEY)")
        app.execute("BEGIN IMMEDIATE")  # the application is in the middle of a save
        app.execute("INSERT INTO kept VALUES (1)")
        with pytest.raises(backup.BackupError, match="使用中のため復元できませんでした"):
            backup._restore_sqlite(tarfile.open(archive, "r:gz"), backup.DATABASE_MEMBERS["sqlite"], busy)
        app.execute("COMMIT")
        assert app.execute("SELECT count(*) FROM kept").fetchone() == (1,)


# --- a tampered file ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["media/../escaped.txt", "media/books/../../escaped.txt"])
def test_a_media_member_leaving_media_root_refuses_the_whole_restore(
        tmp_path, seed, empty_database, settings, name):
    good = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(good), stdout=io.StringIO())
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(good, "r:gz") as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member) if member.isfile() else None)
        info = tarfile.TarInfo(name)
        info.size = 4
        target.addfile(info, io.BytesIO(b"evil"))
    settings.MEDIA_ROOT = tmp_path / "restored" / "media"

    with pytest.raises(backup.BackupError, match="不正なファイル"):
        backup.restore_backup(tampered, database=empty_database)

    assert not list(tmp_path.rglob("escaped.txt"))
    assert not backup.database_has_data(empty_database)  # refused before the database was touched


def test_the_uploads_waiting_for_confirmation_are_not_backed_up(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "imports").mkdir(parents=True)
    (tmp_path / "media" / "imports" / "token.xlsx").write_bytes(b"upload")
    (tmp_path / "media" / "books").mkdir()
    (tmp_path / "media" / "books" / "plan.pdf").write_bytes(b"%PDF")
    assert [p.name for p in backup._media_files()] == ["plan.pdf"]

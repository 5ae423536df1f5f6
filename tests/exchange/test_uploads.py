"""Stored uploads: parsed once, a storage that cannot be written answered with a
message (nothing half-written), and files never confirmed deleted after a while."""

import errno
import logging
import os
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from exchange import parsing, uploads
from projects.models import ScheduleEntry
from tests.exchange.conftest import SHIMIN_CODES, digest, edit_xlsx, template_bytes
from tests.exchange.hostile import styles_bomb
from tests.exchange.conftest import post_file

CODE = SHIMIN_CODES[0]
YEAR = "平成28年度(2016年度)"
MSG_STORAGE = "ファイルを保存できませんでした(サーバーの保存領域に書き込めません)。情報推進課に連絡してください。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def edited(demo_users, plan, cycle):
    return edit_xlsx(template_bytes(demo_users["demo-staff-a"], plan), "スケジュール",
                     {"事業コード": CODE, "年度": YEAR}, {"実績": "開始した"})


def stored_files(media):
    folder = Path(media) / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def confirm(client):
    token = client.session["exchange_upload"]["token"]
    return client.post(reverse("exchange:import_preview"), {"token": token})


def actual(plan):
    return ScheduleEntry.objects.get(sheet__project__code=CODE, sheet__project__plan=plan, fiscal_year=2016).actual


def test_an_upload_is_parsed_once_for_upload_preview_and_confirmation(staff_client, edited, plan, monkeypatch):
    calls = []
    real = parsing.parse_upload
    monkeypatch.setattr(parsing, "parse_upload", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    assert post_file(staff_client, edited).status_code == 302
    assert staff_client.get(reverse("exchange:import_preview")).status_code == 200
    assert staff_client.get(reverse("exchange:import_preview")).status_code == 200
    assert confirm(staff_client).status_code == 302
    assert calls == ["t.xlsx"]
    assert actual(plan) == "開始した"


def test_the_probes_styles_file_is_refused_at_upload_with_a_message(staff_client, cycle):
    before = digest()
    response = post_file(staff_client, styles_bomb(34 * 1024 * 1024))
    assert response.status_code == 400
    assert "書式やスタイルが極端に多いブックです" in response.content.decode()
    assert digest() == before


def test_a_media_folder_that_cannot_be_written_gives_a_message_not_a_500(staff_client, edited, settings,
                                                                        tmp_path, caplog):
    # Tests run as root, whom chmod does not stop: a folder under a regular file
    # cannot be created by anyone.
    (tmp_path / "not-a-folder").write_text("")
    settings.MEDIA_ROOT = tmp_path / "not-a-folder" / "media"
    before = digest()
    with caplog.at_level(logging.ERROR, logger="exchange"):
        response = post_file(staff_client, edited)
    assert response.status_code == 503
    assert MSG_STORAGE in response.content.decode()
    assert "exchange_upload" not in staff_client.session
    assert digest() == before
    assert any("保存できません" in r.getMessage() or "cannot store" in r.getMessage() for r in caplog.records)


def test_a_write_that_fails_half_way_leaves_no_file(staff_client, edited, media, monkeypatch):
    real_replace = os.replace
    moved = []

    def replace(src, dst):
        if moved:  # the second file (the parsed tables) cannot be written
            raise OSError(errno.EROFS, "Read-only file system")
        moved.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(uploads.os, "replace", replace)
    response = post_file(staff_client, edited)
    assert response.status_code == 503 and MSG_STORAGE in response.content.decode()
    assert stored_files(media) == []
    assert "exchange_upload" not in staff_client.session


def age(path: Path, hours: float):
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_purge_removes_old_uploads_and_keeps_fresh_ones(staff_client, edited, plan, media, settings, capsys):
    settings.IMPORT_UPLOAD_KEEP_HOURS = 24
    assert post_file(staff_client, edited).status_code == 302  # fresh, pending its preview
    fresh = stored_files(media)
    assert len(fresh) == 2
    folder = Path(media) / "imports"
    for name in ("9-old", "9-old.json", ".9-left.tmp"):
        (folder / name).write_bytes(b"x" * 1000)
        age(folder / name, 25)

    call_command("purge_uploads", "--dry-run")
    assert "3 件" in capsys.readouterr().out
    assert len(stored_files(media)) == 5

    call_command("purge_uploads")
    assert stored_files(media) == fresh
    # The fresh upload's preview is still there and can be confirmed.
    assert confirm(staff_client).status_code == 302
    assert actual(plan) == "開始した"


def test_a_new_upload_removes_expired_ones(staff_client, edited, media):
    folder = Path(media) / "imports"
    folder.mkdir(parents=True)
    (folder / "9-old").write_bytes(b"x")
    age(folder / "9-old", 30)
    assert post_file(staff_client, edited).status_code == 302
    assert "9-old" not in stored_files(media)


def test_an_expired_upload_asks_for_the_file_again(staff_client, edited, media):
    assert post_file(staff_client, edited).status_code == 302
    for path in (Path(media) / "imports").iterdir():
        age(path, 25)
    call_command("purge_uploads")
    response = staff_client.get(reverse("exchange:import_preview"), follow=True)
    assert "取り込むファイルが見つかりません" in response.content.decode()


def test_the_upload_page_says_how_long_files_are_kept(staff_client, cycle, settings):
    settings.IMPORT_UPLOAD_KEEP_HOURS = 24
    response = staff_client.get(reverse("exchange:import_upload"))
    assert "24 時間" in response.content.decode()

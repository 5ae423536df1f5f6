"""A book that cannot be made fails at once and says why; a job whose worker
vanished is failed when a worker starts, shown failed before that without a write,
and can be ordered again."""

import errno
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from governance.books import render as books
from governance.books import workers
from governance.books.services import fail_vanished_jobs
from governance.books.tasks import render_book
from governance.models import BookJob, BookKind, BookStatus


@pytest.fixture
def exec_user(demo_users):
    return demo_users["demo-exec"]


def new_job(user, **fields):
    return BookJob.objects.create(kind=BookKind.PLAN, params={"plan": "second"}, title="計画書",
                                  requested_by=user, **fields)


def dead_worker():
    """The identity of a worker process on this machine that has ended."""
    process = subprocess.Popen(["true"])
    process.wait()
    return f"{socket.gethostname()}:{process.pid}:1"


@pytest.fixture
def quick_render(monkeypatch):
    monkeypatch.setattr(books, "render", lambda kind, params: b"%PDF-1.7 test")


# ─── Storage that cannot be written ───────────────────────────────────────

@pytest.mark.parametrize("code, cause", [(errno.EROFS, "書き込めません"), (errno.ENOSPC, "空きがありません")])
def test_a_pdf_that_cannot_be_saved_fails_the_job_at_once_with_the_cause(
        client, exec_user, quick_render, monkeypatch, caplog, code, cause):
    def refuse(self, name, content):
        raise OSError(code, os.strerror(code), name)

    monkeypatch.setattr(FileSystemStorage, "_save", refuse)
    job = new_job(exec_user)
    with caplog.at_level(logging.ERROR), pytest.raises(OSError):
        render_book.func(job.pk)
    job.refresh_from_db()
    assert job.status == BookStatus.FAILED and job.finished_at is not None
    assert job.error.startswith("PDF を保存できませんでした") and cause in job.error
    assert job.error_detail.startswith("OSError")
    assert any(record.exc_info and isinstance(record.exc_info[1], OSError) for record in caplog.records)
    client.force_login(exec_user)
    page = client.get(job.get_absolute_url())
    assert "作成できませんでした" in page.text and cause in page.text
    assert "情報推進課に連絡してください" in page.text  # department staff are told whom to ask
    assert 'http-equiv="refresh"' not in page.text


def refuse_with(monkeypatch, code):
    def refuse(self, name, content):
        raise OSError(code, os.strerror(code), name)

    monkeypatch.setattr(FileSystemStorage, "_save", refuse)


def test_the_systems_own_words_are_kept_out_of_the_message(client, exec_user, quick_render, monkeypatch):
    refuse_with(monkeypatch, errno.ENOTDIR)
    job = new_job(exec_user)
    with pytest.raises(OSError):
        render_book.func(job.pk)
    job.refresh_from_db()
    assert job.error == "PDF を保存できませんでした(保存領域に書き込めません)。"
    assert "Not a directory" in job.error_detail
    client.force_login(exec_user)
    page = client.get(job.get_absolute_url()).text
    assert "保存領域に書き込めません" in page and "Not a directory" not in page


def test_the_ict_office_is_told_what_to_check_not_to_call_itself(client, demo_users, quick_render, monkeypatch):
    refuse_with(monkeypatch, errno.ENOTDIR)
    joho = demo_users["demo-joho"]
    job = new_job(joho)
    with pytest.raises(OSError):
        render_book.func(job.pk)
    client.force_login(joho)
    page = client.get(job.get_absolute_url()).text
    assert "情報推進課に連絡" not in page
    assert "ディスクの空き容量" in page and "db_worker" in page and "ログ" in page
    main, _, details = page.partition("<details")
    assert "Not a directory" not in main and "Not a directory" in details


# ─── A job nobody picks up ────────────────────────────────────────────────

STALLED_HINT = "裏側の処理(タスク処理)が止まっている可能性があります"


def test_a_job_waiting_over_a_minute_says_the_worker_may_be_stopped(client, exec_user):
    job = new_job(exec_user)
    client.force_login(exec_user)
    assert STALLED_HINT not in client.get(job.get_absolute_url()).text  # just ordered: no alarm
    BookJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timezone.timedelta(seconds=90))
    page = client.get(job.get_absolute_url()).text
    assert STALLED_HINT in page and "情報推進課に連絡してください" in page


def test_the_ict_office_is_told_to_check_the_worker(client, demo_users):
    joho = demo_users["demo-joho"]
    job = new_job(joho)
    BookJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timezone.timedelta(seconds=90))
    client.force_login(joho)
    page = client.get(job.get_absolute_url()).text
    assert "manage.py db_worker" in page and "情報推進課に連絡" not in page


def test_a_worker_stopped_mid_render_fails_the_job(exec_user, monkeypatch):
    def stopped(kind, params):
        raise SystemExit(1)  # what db_worker does on a second SIGTERM

    monkeypatch.setattr(books, "render", stopped)
    job = new_job(exec_user)
    with pytest.raises(SystemExit):
        render_book.func(job.pk)
    job.refresh_from_db()
    assert job.status == BookStatus.FAILED and "停止" in job.error


def test_the_task_records_which_worker_renders_it(exec_user, quick_render):
    job = new_job(exec_user)
    render_book.func(job.pk)
    job.refresh_from_db()
    assert job.status == BookStatus.DONE and job.worker == workers.current()


# ─── A worker that vanished ───────────────────────────────────────────────

def test_a_job_left_running_by_a_dead_worker_is_failed_by_the_recovery(exec_user):
    gone = new_job(exec_user, status=BookStatus.RUNNING, started_at=timezone.now(), worker=dead_worker())
    alive = new_job(exec_user, status=BookStatus.RUNNING, started_at=timezone.now(), worker=workers.current())
    elsewhere = new_job(exec_user, status=BookStatus.RUNNING, started_at=timezone.now(),
                        worker="another-machine:4242:1")
    assert fail_vanished_jobs() == 1
    gone.refresh_from_db(), alive.refresh_from_db(), elsewhere.refresh_from_db()
    assert gone.status == BookStatus.FAILED and "ワーカー" in gone.error and gone.finished_at
    assert alive.status == BookStatus.RUNNING and elsewhere.status == BookStatus.RUNNING


def test_the_recovery_also_fails_the_vanished_workers_task_result(exec_user):
    result = render_book.enqueue(job_id=0)
    DBTaskResult.objects.filter(id=result.id).update(status="RUNNING", worker_ids=["x"])
    job = new_job(exec_user, status=BookStatus.RUNNING, started_at=timezone.now(), worker=dead_worker(),
                  task_id=result.id)
    assert fail_vanished_jobs() == 1
    assert DBTaskResult.objects.get(id=result.id).status == "FAILED"
    job.refresh_from_db()
    assert job.status == BookStatus.FAILED


def test_the_next_task_fails_the_jobs_of_a_vanished_worker_first(exec_user, quick_render):
    gone = new_job(exec_user, status=BookStatus.RUNNING, started_at=timezone.now(), worker=dead_worker())
    render_book.func(new_job(exec_user).pk)
    gone.refresh_from_db()
    assert gone.status == BookStatus.FAILED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the worker is pointed at the SQLite test file")
def test_starting_db_worker_fails_the_jobs_of_a_vanished_worker():
    """`manage.py db_worker` as systemd and `make run` start it, on the test database."""
    from accounts.services import create_demo_users
    from tests.conftest import load_seed

    load_seed()
    user = create_demo_users()[0]
    gone = new_job(user, status=BookStatus.RUNNING, started_at=timezone.now(), worker=dead_worker())
    alive = new_job(user, status=BookStatus.RUNNING, started_at=timezone.now(), worker=workers.current())
    env = {**os.environ, "SQLITE_PATH": settings.DATABASES["default"]["NAME"],
           "DJANGO_SETTINGS_MODULE": "akishima_ict.settings", "SECRET_KEY": "x" * 60, "DEBUG": "true"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
                   cwd=Path(settings.BASE_DIR), env=env, check=True, capture_output=True, timeout=120)
    gone.refresh_from_db(), alive.refresh_from_db()
    assert gone.status == BookStatus.FAILED and "ワーカー" in gone.error
    assert alive.status == BookStatus.RUNNING


def test_a_running_job_whose_task_ended_is_shown_failed_without_a_write(client, exec_user):
    result = render_book.enqueue(job_id=0)
    DBTaskResult.objects.filter(id=result.id).update(status="FAILED")
    job = new_job(exec_user, status=BookStatus.RUNNING, started_at=timezone.now(),
                  worker="another-machine:4242:1", task_id=result.id)
    missing = new_job(exec_user, status=BookStatus.RUNNING, started_at=timezone.now(),
                      worker="another-machine:4242:1", task_id="0b7e3d6a-51b4-4b47-9d0e-2f6c3a1d9e11")
    client.force_login(exec_user)
    for shown in (job, missing):
        page = client.get(shown.get_absolute_url())
        assert "作成できませんでした" in page.text and "もう一度作成" in page.text
        assert 'http-equiv="refresh"' not in page.text
    # The same book twice: only the later order offers to order it again.
    assert client.get("/books/").text.count(">もう一度作成</button>") == 1
    assert set(BookJob.objects.values_list("status", flat=True)) == {BookStatus.RUNNING}


def test_a_running_job_of_a_dead_worker_on_this_machine_is_shown_failed(client, exec_user):
    job = new_job(exec_user, status=BookStatus.RUNNING, started_at=timezone.now(), worker=dead_worker())
    client.force_login(exec_user)
    page = client.get(job.get_absolute_url())
    assert "作成できませんでした" in page.text and "ワーカー" in page.text
    job.refresh_from_db()
    assert job.status == BookStatus.RUNNING


# ─── Ordering again ───────────────────────────────────────────────────────

def test_a_failed_book_can_be_ordered_again(client, exec_user):
    failed = new_job(exec_user, status=BookStatus.FAILED, error="失敗しました")
    client.force_login(exec_user)
    page = client.get(failed.get_absolute_url())
    assert "もう一度作成" in page.text
    response = client.post(f"/books/{failed.pk}/retry/")
    again = BookJob.objects.exclude(pk=failed.pk).get()
    assert response["Location"] == again.get_absolute_url()
    assert (again.kind, again.params, again.title, again.status) == (
        failed.kind, failed.params, failed.title, BookStatus.QUEUED)


def test_the_order_form_takes_the_same_book_again_after_a_failure(client, exec_user):
    client.force_login(exec_user)
    client.post("/books/order/", {"kind": "plan", "plan": "second"})
    BookJob.objects.update(status=BookStatus.FAILED, error="失敗しました")
    client.post("/books/order/", {"kind": "plan", "plan": "second"})
    assert sorted(BookJob.objects.values_list("status", flat=True)) == [BookStatus.FAILED, BookStatus.QUEUED]


def test_a_book_still_being_made_is_not_ordered_again_by_retry(client, exec_user):
    running = new_job(exec_user, status=BookStatus.RUNNING, started_at=timezone.now(), worker=workers.current())
    client.force_login(exec_user)
    response = client.post(f"/books/{running.pk}/retry/")
    assert response["Location"] == running.get_absolute_url()
    assert BookJob.objects.count() == 1


def test_only_the_latest_order_of_a_book_offers_to_order_it_again(client, exec_user):
    failed = new_job(exec_user, status=BookStatus.FAILED, error="失敗しました")
    client.force_login(exec_user)
    client.post(f"/books/{failed.pk}/retry/")
    again = BookJob.objects.exclude(pk=failed.pk).get()
    BookJob.objects.filter(pk=again.pk).update(status=BookStatus.DONE)
    listing = client.get("/books/").text
    assert f"/books/{failed.pk}/retry/" not in listing and "依頼し直し済み" in listing
    detail = client.get(failed.get_absolute_url()).text
    assert f"/books/{failed.pk}/retry/" not in detail and again.get_absolute_url() in detail
    # An old page's button: leads to the newer order, orders nothing.
    assert client.post(f"/books/{failed.pk}/retry/")["Location"] == again.get_absolute_url()
    assert BookJob.objects.count() == 2


def test_the_latest_failed_order_still_offers_to_order_again(client, exec_user):
    new_job(exec_user, status=BookStatus.FAILED, error="失敗しました")
    latest = new_job(exec_user, status=BookStatus.FAILED, error="失敗しました")
    other = BookJob.objects.create(kind=BookKind.PLAN, params={"plan": "first"}, title="第一期",
                                   requested_by=exec_user, status=BookStatus.FAILED, error="失敗しました")
    client.force_login(exec_user)
    listing = client.get("/books/").text
    assert listing.count("もう一度作成</button>") == 2
    assert f"/books/{latest.pk}/retry/" in listing and f"/books/{other.pk}/retry/" in listing


def test_someone_elses_failed_book_cannot_be_ordered_again(client, demo_users, exec_user):
    failed = new_job(exec_user, status=BookStatus.FAILED, error="失敗しました")
    client.force_login(demo_users["demo-staff-a"])
    assert client.post(f"/books/{failed.pk}/retry/").status_code == 404
    assert BookJob.objects.count() == 1

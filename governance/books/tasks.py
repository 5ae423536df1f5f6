"""Background rendering of PDF books (django-tasks, run by `manage.py db_worker`)."""

import errno
import logging
import signal
import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import task

from governance.books import workers
from governance.models import BookJob, BookStatus

logger = logging.getLogger(__name__)


class RenderTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds):
    """Stop the render after `seconds` (WeasyPrint has no timeout of its own).
    The worker runs tasks on its main thread, where SIGALRM can interrupt it."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise RenderTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@task()
def render_book(job_id: int) -> str:
    from governance.books.render import render
    from governance.books.services import fail_vanished_jobs

    fail_vanished_jobs()  # a worker that vanished since this one started: its jobs end here
    job = BookJob.objects.get(pk=job_id)
    BookJob.objects.filter(pk=job_id).update(status=BookStatus.RUNNING, started_at=timezone.now(),
                                             worker=workers.current())
    limit = settings.BOOK_RENDER_TIME_LIMIT
    try:
        with time_limit(limit):
            data = render(job.kind, job.params)
    except RenderTimeout:
        _fail(job_id, f"作成に {limit} 秒以上かかったため中止しました。条件を絞って依頼し直してください。",
              detail=f"BOOK_RENDER_TIME_LIMIT = {limit} 秒")
        return "timeout"
    except Exception as error:  # reported to the user; the worker itself goes on
        _fail(job_id, "作成中にエラーが発生しました。", detail=_detail(error))
        raise
    except BaseException:  # the worker is being stopped (a second SIGTERM, Ctrl+C)
        _fail(job_id, "PDF を作るワーカーが停止されたため、作成を中止しました。「もう一度作成」で依頼し直してください。")
        raise
    try:
        job.file.save(f"{job.kind}-{job.pk}.pdf", ContentFile(data), save=False)
    except OSError as error:
        logger.error("Book job %s: the PDF could not be saved", job_id, exc_info=error)
        _fail(job_id, f"PDF を保存できませんでした({_storage_cause(error)})。", detail=_detail(error))
        raise
    BookJob.objects.filter(pk=job_id).update(
        status=BookStatus.DONE, file=job.file.name, size=len(data), finished_at=timezone.now()
    )
    return job.file.name


def _storage_cause(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "保存領域に空きがありません"
    return "保存領域に書き込めません"  # the system's own words (「Not a directory」) go to the detail


def _detail(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _fail(job_id, message, *, detail=""):
    """`message` in Japanese for whoever ordered the book; what to do next is the page's
    (templates/governance/book_detail.html, by role); `detail` for 情報推進課."""
    BookJob.objects.filter(pk=job_id).update(status=BookStatus.FAILED, error=message, error_detail=detail,
                                             finished_at=timezone.now())

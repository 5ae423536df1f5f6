"""Background rendering of PDF books (django-tasks, run by `manage.py db_worker`)."""

import signal
import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import task

from governance.models import BookJob, BookStatus


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

    job = BookJob.objects.get(pk=job_id)
    BookJob.objects.filter(pk=job_id).update(status=BookStatus.RUNNING, started_at=timezone.now())
    limit = settings.BOOK_RENDER_TIME_LIMIT
    try:
        with time_limit(limit):
            data = render(job.kind, job.params)
    except RenderTimeout:
        _fail(job_id, f"作成に {limit} 秒以上かかったため中止しました。条件を絞るか、情報推進課に連絡してください。")
        return "timeout"
    except Exception as error:  # reported to the user; the worker itself goes on
        _fail(job_id, f"作成中にエラーが発生しました({type(error).__name__})。情報推進課に連絡してください。")
        raise
    job.file.save(f"{job.kind}-{job.pk}.pdf", ContentFile(data), save=False)
    BookJob.objects.filter(pk=job_id).update(
        status=BookStatus.DONE, file=job.file.name, size=len(data), finished_at=timezone.now()
    )
    return job.file.name


def _fail(job_id, message):
    BookJob.objects.filter(pk=job_id).update(status=BookStatus.FAILED, error=message, finished_at=timezone.now())

"""Ordering PDF books, and failing the jobs that will never finish."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from governance.models import BookJob, BookStatus

logger = logging.getLogger(__name__)


class TooManyOrders(Exception):
    def __init__(self, limit):
        super().__init__(f"作成中の PDF が {limit} 件あります。できあがってから(または失敗と表示されてから)"
                         "依頼してください。")


def orders_per_user() -> int:
    """At most this many books being made per user (settings.BOOK_ORDERS_PER_USER): a book
    takes the worker up to BOOK_RENDER_TIME_LIMIT, and one user's orders must not keep
    everyone else's waiting."""
    return settings.BOOK_ORDERS_PER_USER


def order_book(*, user, kind: str, params: dict, title: str) -> tuple[BookJob, bool]:
    """The job that makes this book for `user`, and whether it is new: the same book
    still being made is not ordered twice. Raises TooManyOrders past the user's limit."""
    from governance.books.tasks import render_book

    with transaction.atomic():
        # One order at a time per user, so that parallel requests cannot pass the limit
        # together (SQLite: the IMMEDIATE transaction already serialises writers).
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        pending = [job for job in BookJob.objects.filter(requested_by=user).unfinished().with_task_status()
                   if job.unfinished]
        same = next((job for job in pending if job.kind == kind and job.params == params), None)
        if same:
            return same, False
        if len(pending) >= orders_per_user():
            raise TooManyOrders(orders_per_user())
        job = BookJob.objects.create(kind=kind, params=params, title=title, requested_by=user)
        transaction.on_commit(lambda: _enqueue(render_book, job.pk))
    return job, True


def _enqueue(render_book, job_pk):
    """After the order's commit: queue its task. If the queue cannot take it (the database
    busy or gone), the order fails at once with a message, so that it never waits for
    ever and can be ordered again; the order itself is never turned into an error."""
    try:
        result = render_book.enqueue(job_id=job_pk)
        BookJob.objects.filter(pk=job_pk).update(task_id=result.id)
    except Exception:  # noqa: BLE001 -- the order is committed: say so on its page, not as a 500
        logger.exception("book job %s could not be queued", job_pk)
        try:
            BookJob.objects.filter(pk=job_pk, task_id=None).update(
                status=BookStatus.FAILED, finished_at=timezone.now(),
                error="作成の依頼を受け付けられませんでした(裏側の処理が混み合っています)。「もう一度作成」で依頼し直してください。")
        except Exception:  # noqa: BLE001
            logger.exception("book job %s could not be marked failed", job_pk)


def fail_vanished_jobs() -> int:
    """Mark failed every unfinished job that never will finish (its worker is gone, its
    task ended, or it ran far past the time limit), and the task of a vanished worker.
    Run when a worker starts and before each book. Returns how many jobs it failed."""
    from django_tasks_db.models import DBTaskResult

    failed = 0
    for job in BookJob.objects.unfinished().with_task_status():
        reason = job.left_behind
        if not reason:
            continue
        failed += BookJob.objects.filter(pk=job.pk, status=job.status).update(
            status=BookStatus.FAILED, error=reason, finished_at=timezone.now())
        task = DBTaskResult.objects.filter(id=job.task_id, status="RUNNING").first() if job.task_id else None
        if task:
            task.set_failed(WorkerVanished(f"book job {job.pk}: worker {job.worker} is gone"))
    return failed


class WorkerVanished(Exception):
    """Recorded as the failure of a task whose worker process ended mid-task."""

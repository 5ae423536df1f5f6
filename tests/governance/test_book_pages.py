"""The book pages only read: a job the worker left behind is shown as failed
without the page writing anything."""

from datetime import timedelta

from django.utils import timezone

from governance.models import BookJob, BookKind, BookStatus


def _abandoned_job(user, settings):
    settings.BOOK_RENDER_TIME_LIMIT = 60
    started = timezone.now() - timedelta(seconds=60 + 121)
    return BookJob.objects.create(kind=BookKind.PLAN, params={"plan": "second"}, title="計画書",
                                  requested_by=user, status=BookStatus.RUNNING, started_at=started)


def test_a_job_left_running_past_the_limit_is_shown_failed_without_a_write(
        client, demo_users, settings):
    user = demo_users["demo-exec"]
    job = _abandoned_job(user, settings)
    client.force_login(user)
    client.get(job.get_absolute_url())  # warm the session

    page = client.get(job.get_absolute_url())
    listing = client.get("/books/")

    assert "作成できませんでした" in page.text and BookJob.ABANDONED_MESSAGE in page.text
    assert 'http-equiv="refresh"' not in page.text
    assert "失敗" in listing.text
    job.refresh_from_db()
    assert job.status == BookStatus.RUNNING and job.error == ""


def test_a_job_running_within_the_limit_is_still_waited_for(client, demo_users, settings):
    user = demo_users["demo-exec"]
    settings.BOOK_RENDER_TIME_LIMIT = 600
    job = BookJob.objects.create(kind=BookKind.PLAN, params={"plan": "second"}, title="計画書",
                                 requested_by=user, status=BookStatus.RUNNING,
                                 started_at=timezone.now() - timedelta(seconds=30))
    client.force_login(user)
    page = client.get(job.get_absolute_url())
    assert "作成しています" in page.text and 'http-equiv="refresh"' in page.text

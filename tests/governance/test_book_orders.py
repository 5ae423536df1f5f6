"""Orders of PDF books: limited per user, the same book not ordered twice while it
is being made, and a meeting's papers made in the background like every book."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.books import render as books
from governance.books.tasks import render_book
from governance.cycles import services
from governance.models import BodyKind, BookJob, BookKind, BookStatus
from tests.governance.conftest import fill, meeting_for


@pytest.fixture
def exec_client(client, demo_users):
    client.force_login(demo_users["demo-exec"])
    return client


@pytest.fixture
def meeting(cycle, shimin_sheets, demo_users):
    report = fill(cycle.reports.get(sheet=shimin_sheets[0]))
    services.submit_report(user=demo_users["demo-staff-a"], report=report)
    report = services.confirm_report(user=demo_users["demo-joho"], report=report)
    return meeting_for(BodyKind.COMMITTEE, cycle, [report], demo_users["demo-joho"])


def order_plan(client, plan="second", with_sheets=False):
    return client.post("/books/order/", {"kind": "plan", "plan": plan, **({"with_sheets": "on"} if with_sheets else {})})


def test_a_user_may_have_three_books_being_made_and_the_fourth_is_refused(exec_client, cycle, meeting):
    order_plan(exec_client)
    order_plan(exec_client, with_sheets=True)
    exec_client.post("/books/order/", {"kind": "report", "cycle": cycle.pk})
    assert BookJob.objects.count() == 3
    refused = exec_client.post("/books/order/", {"kind": "papers", "meeting": meeting.pk}, follow=True)
    assert refused.redirect_chain == [("/books/", 302)]
    assert "作成中の PDF が 3 件あります" in refused.text
    assert BookJob.objects.count() == 3


def test_the_limit_is_a_setting_and_counts_only_unfinished_books(exec_client, settings):
    settings.BOOK_ORDERS_PER_USER = 1
    order_plan(exec_client)
    assert "作成中の PDF が 1 件あります" in exec_client.post(
        "/books/order/", {"kind": "plan", "plan": "second", "with_sheets": "on"}, follow=True).text
    BookJob.objects.update(status=BookStatus.DONE)
    order_plan(exec_client, with_sheets=True)
    assert BookJob.objects.count() == 2
    # A job its worker left behind does not hold the user back either.
    BookJob.objects.filter(status=BookStatus.QUEUED).update(
        status=BookStatus.RUNNING, started_at=timezone.now() - timedelta(days=1))
    order_plan(exec_client)
    assert BookJob.objects.count() == 3


def test_another_users_orders_do_not_count(client, demo_users, settings):
    settings.BOOK_ORDERS_PER_USER = 1
    client.force_login(demo_users["demo-exec"])
    order_plan(client)
    client.force_login(demo_users["demo-joho"])
    order_plan(client)
    assert BookJob.objects.count() == 2


def test_the_same_book_ordered_again_while_being_made_is_the_pending_job(exec_client):
    first = order_plan(exec_client)
    job = BookJob.objects.get()
    again = order_plan(exec_client)
    assert again["Location"] == first["Location"] == job.get_absolute_url()
    assert BookJob.objects.count() == 1
    assert "同じ PDF を作成中です" in exec_client.get(job.get_absolute_url()).text
    order_plan(exec_client, with_sheets=True)  # another book
    assert BookJob.objects.count() == 2


def test_an_order_is_enqueued_with_its_task_recorded(exec_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order_plan(exec_client)
    job = BookJob.objects.get()
    assert job.task_id is not None


# ─── A meeting's papers ───────────────────────────────────────────────────

def test_the_meeting_page_offers_the_papers_through_the_queue(client, demo_users, meeting, monkeypatch):
    client.force_login(demo_users["demo-joho"])
    page = client.get(meeting.get_absolute_url()).text
    assert 'action="/books/order/"' in page and 'name="kind" value="papers"' in page
    assert f'name="meeting" value="{meeting.pk}"' in page and "会議資料(PDF)を作成" in page
    assert f"/meetings/{meeting.pk}/papers.pdf" not in page

    rendered = []
    monkeypatch.setattr(books, "meeting_papers", lambda m: rendered.append(m) or b"%PDF-1.7 papers")
    response = client.post("/books/order/", {"kind": "papers", "meeting": meeting.pk})
    job = BookJob.objects.get()
    assert rendered == []  # nothing rendered in the request
    assert (job.kind, job.params, response["Location"]) == (
        BookKind.PAPERS, {"meeting": meeting.pk}, job.get_absolute_url())
    assert "進み具合を見る" in client.get(meeting.get_absolute_url()).text

    render_book.func(job.pk)
    assert rendered == [meeting]
    page = client.get(meeting.get_absolute_url()).text
    assert f"/books/{job.pk}/download/" in page
    assert b"".join(client.get(f"/books/{job.pk}/download/").streaming_content).startswith(b"%PDF")


def test_the_old_papers_address_renders_nothing_and_leads_to_the_order(client, demo_users, meeting, monkeypatch):
    monkeypatch.setattr(books, "meeting_papers", lambda m: pytest.fail("rendered in the request"))
    client.force_login(demo_users["demo-joho"])
    response = client.get(f"/meetings/{meeting.pk}/papers.pdf")
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/#papers"
    client.post("/books/order/", {"kind": "papers", "meeting": meeting.pk})
    job = BookJob.objects.get()
    assert client.get(f"/meetings/{meeting.pk}/papers.pdf")["Location"] == job.get_absolute_url()


def test_an_order_the_queue_cannot_take_fails_at_once_and_can_be_ordered_again(
        exec_client, monkeypatch, django_capture_on_commit_callbacks):
    """The order is committed; if the task queue then refuses it (the database busy), the
    order's page says it failed instead of waiting for ever, and the page is not a 500."""
    def refused(task, *args, **kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(type(render_book), "enqueue", refused)
    with django_capture_on_commit_callbacks(execute=True):
        response = order_plan(exec_client)
    assert response.status_code == 302
    job = BookJob.objects.get()
    assert job.status == BookStatus.FAILED and "もう一度作成" in job.error
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        order_plan(exec_client)
    assert BookJob.objects.count() == 2  # a failed order does not block the same book

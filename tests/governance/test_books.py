"""The PDF books: the plan's text in the plan's order, the yearly report, and
rendering in the background with failures reported instead of hanging."""

import re
import subprocess

import pytest
from django.core.management import call_command

from governance.books import render as books
from governance.books.tasks import render_book
from governance.models import BookJob, BookKind, BookStatus
from plans.models import Plan, PlanItem


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True)
    return re.sub(r"\s+", "", out.stdout.decode())


def squash(text):
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def plan_text(django_db_blocker, django_db_setup):
    with django_db_blocker.unblock():
        return pdf_text(books.plan_book(Plan.objects.get(code="second")))


def book_entries(plan):
    """What the plan book's chapter 2 prints, in order: the first level's items as
    「Ⅰ.title」, the deeper ones as 「【level】code title」, and each project of the
    last level's items with its start year, 〔予定事業〕 and (再掲) marks."""
    entries = []
    leaf = plan.leaf_level.depth
    for item in PlanItem.objects.filter(plan=plan).in_order():
        mark = "(再掲)" if item.is_repost else ""
        if item.level.depth == 1:
            entries.append(squash(f"{item.code}.{item.title}"))
        else:
            entries.append(squash(f"【{item.level.name}】{item.code}{item.title}{mark}"))
        if item.level.depth == leaf:
            for placement in item.placements.select_related("project").order_by("position"):
                entry = placement.project.name
                if placement.project.since_year:
                    entry += f"({placement.project.since_label})"
                if placement.project.is_planned:
                    entry += "〔予定事業〕"
                if not placement.is_home:
                    entry += "(再掲)"
                entries.append(squash(entry))
    return entries


def assert_in_order(text, expected):
    position = 0
    for item in expected:
        found = text.find(item, position)
        assert found >= 0, f"missing or out of order: {item}"
        position = found + len(item)


@pytest.mark.django_db
def test_plan_book_holds_every_title_and_project_in_the_plans_order(plan_text):
    plan = Plan.objects.get(code="second")
    chapter = plan_text.index("事業及び取り組み", plan_text.index("事業及び取り組み") + 1)
    body = plan_text[plan_text.index("【基本方針】"):]
    assert chapter > 0
    text = plan_text[plan_text.index(squash(plan.philosophy)):]
    assert_in_order(text, [squash(plan.philosophy), *book_entries(plan)])
    assert "【情報化施策】Ⅱ-3-1情報セキュリティの強化" in body
    assert body.count("(再掲)") >= 7  # six reposted entries and the measure Ⅰ-3-3
    assert "【情報化施策】Ⅰ-3-3電子行政サービスの拡充(再掲)" in body


@pytest.mark.django_db
def test_plan_book_prints_the_texts_the_marks_and_the_security_groups_as_the_plan_does(plan_text):
    body = plan_text[plan_text.index("【基本方針】"):]
    # Texts of the goals and measures, the start years, and Ⅱ-3-1's kinds of measure.
    assert squash("ホームページや Twitter(ツイッター)など即応性に優れた情報発信媒体") in body
    assert "社会保障・税番号制度対応(平成26年度〜)" in body
    assert "動画制作・発信(市の魅力発信)〔予定事業〕" in body
    groups = [body.index(f"〔{kind}〕") for kind in ("組織的・人的対策", "技術的対策", "物理的対策")]
    assert groups == sorted(groups)
    # The book is the plan's chapters (fixtures/plans/second_book.txt): chapter 2 with 図2-3 drawn
    # from the tree, its goals as the plan names them; the city on the cover.
    assert "第2章情報化の施策体系及び事業" in plan_text
    assert "図2-3情報化施策体系(全体像)2.事業及び取り組み" in plan_text  # the figure, then §2
    goal = plan_text.index("【目標】Ⅰ.市民ニーズに合ったe(いい)行政サービスの提供(顧客としての市民)")
    assert goal < plan_text.index("【基本方針】Ⅰ-1市民へのタイムリーな情報提供")
    assert plan_text.startswith(squash("第二期昭島市情報化推進計画")) and "昭島市" in plan_text[:80]


@pytest.mark.django_db
def test_plan_book_has_a_table_of_contents_with_page_numbers(plan_text):
    toc = plan_text[plan_text.index("目次"):plan_text.index("情報化の基本理念及び目標", plan_text.index("目次") + 10)]
    assert re.search(r"情報化の基本理念及び目標\.*\d+", plan_text)
    assert "-1-" in plan_text or "-2-" in plan_text
    assert toc


def test_plan_book_with_sheets_appends_every_sheet(seed, tmp_path):
    output = tmp_path / "plan.pdf"
    call_command("export_plan_pdf", "--output", str(output), "--with-sheets")
    text = pdf_text(output.read_bytes())
    assert "資料情報化事業シート" in text
    assert text.count("情報化事業シート") >= 46


def test_cycle_report_has_summary_tables_and_each_project(cycle, tmp_path):
    output = tmp_path / "report.pdf"
    call_command("export_report_pdf", "--cycle", str(cycle.pk), "--output", str(output))
    text = pdf_text(output.read_bytes())
    assert "進行管理報告書" in text and "集計表" in text
    for report in cycle.reports.select_related("sheet__project"):
        assert squash(report.sheet.project.name) in text


def test_ordered_book_is_rendered_by_the_task_and_downloaded(client, demo_users):
    client.force_login(demo_users["demo-exec"])
    response = client.post("/books/order/", {"kind": "plan", "plan": "second"})
    job = BookJob.objects.get(requested_by=demo_users["demo-exec"])
    assert response["Location"] == job.get_absolute_url()
    # The task runs when the transaction commits; run it as the worker would.
    render_book.func(job.pk)
    job.refresh_from_db()
    assert job.status == BookStatus.DONE and job.size > 0
    page = client.get(job.get_absolute_url())
    assert "できあがりました" in page.text
    download = client.get(f"/books/{job.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_failing_render_marks_the_job_failed_and_says_so(client, demo_users, monkeypatch):
    client.force_login(demo_users["demo-exec"])
    job = BookJob.objects.create(kind=BookKind.PLAN, params={"plan": "second"}, title="計画書",
                                 requested_by=demo_users["demo-exec"])

    def broken(kind, params):
        from django.template import TemplateSyntaxError

        raise TemplateSyntaxError("injected")

    monkeypatch.setattr(books, "render", broken)
    with pytest.raises(Exception):
        render_book.func(job.pk)
    job.refresh_from_db()
    assert job.status == BookStatus.FAILED
    page = client.get(job.get_absolute_url())
    assert "作成できませんでした" in page.text and "情報推進課に連絡してください" in page.text
    assert "TemplateSyntaxError" in job.error_detail  # for 情報推進課, beside the log
    assert 'http-equiv="refresh"' not in page.text  # nothing left waiting


def test_a_render_over_the_time_limit_is_stopped(demo_users, monkeypatch, settings):
    import time

    settings.BOOK_RENDER_TIME_LIMIT = 1
    job = BookJob.objects.create(kind=BookKind.PLAN, params={"plan": "second"}, title="計画書",
                                 requested_by=demo_users["demo-exec"])
    monkeypatch.setattr(books, "render", lambda kind, params: time.sleep(5))
    assert render_book.func(job.pk) == "timeout"
    job.refresh_from_db()
    assert job.status == BookStatus.FAILED and "中止しました" in job.error


def test_someone_elses_book_is_not_found(client, demo_users):
    job = BookJob.objects.create(kind=BookKind.PLAN, params={"plan": "second"}, title="計画書",
                                 requested_by=demo_users["demo-exec"])
    client.force_login(demo_users["demo-staff-a"])
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(f"/books/{job.pk}/download/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_renders_an_ordered_book(client, run_worker_once):
    """End to end through the queue: the order is stored in the database and the
    worker (`manage.py db_worker`, as `make run` starts it) renders it."""
    from accounts.services import create_demo_users
    from tests.conftest import load_seed

    load_seed()
    users = {u.username: u for u in create_demo_users()}
    client.force_login(users["demo-exec"])
    client.post("/books/order/", {"kind": "plan", "plan": "second"})
    job = BookJob.objects.get()
    assert job.status == BookStatus.QUEUED
    assert "作成を待っています" in client.get(job.get_absolute_url()).text
    run_worker_once()
    job.refresh_from_db()
    assert job.status == BookStatus.DONE, job.error
    assert "できあがりました" in client.get(job.get_absolute_url()).text


# ─── A large yearly report: rendered in parts, joined, numbered ───────────

def pages_text(data: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return [squash(page) for page in out.stdout.decode().split("\f")[:-1]]


@pytest.fixture
def five_reports(cycle):
    keep = list(cycle.reports.order_by("sheet__project__code").values_list("pk", flat=True)[:5])
    cycle.reports.exclude(pk__in=keep).delete()
    return cycle


def test_report_in_parts_reads_page_for_page_as_the_one_document(five_reports, monkeypatch):
    """Header, body, 「- n -」 footers and the contents' page numbers of the book made
    of parts (several worker processes) are those of the same book as one document."""
    whole = books.cycle_report(five_reports)
    monkeypatch.setattr(books, "SINGLE_UP_TO", 2)
    monkeypatch.setattr(books, "PART_SIZE", 2)
    monkeypatch.setattr(books, "PROCESSES", 2)
    in_parts = books.cycle_report(five_reports)
    assert pages_text(in_parts) == pages_text(whole)
    pages = pages_text(in_parts)
    assert "-1-" not in pages[0]  # the cover has no number
    assert all(page.endswith(f"-{n}-") for n, page in enumerate(pages[1:], start=2))
    toc = re.search(r"事業ごとの実績\.+(\d+)", pages[1])
    first = five_reports.reports.order_by("sheet__project__code")[0].sheet.project
    assert squash(f"{first.code} {first.name}") in pages[int(toc.group(1)) - 1]


def test_a_failing_part_fails_the_whole_render():
    with pytest.raises(TypeError):
        books.render_parts(["<p>一</p>", None, "<p>三</p>"])


def test_a_failing_part_marks_the_job_failed(five_reports, demo_users, monkeypatch):
    monkeypatch.setattr(books, "SINGLE_UP_TO", 2)
    real = books.render_parts
    monkeypatch.setattr(books, "render_parts", lambda htmls: real([*htmls, None]))
    job = BookJob.objects.create(kind=BookKind.REPORT, params={"cycle": five_reports.pk}, title="報告書",
                                 requested_by=demo_users["demo-exec"])
    with pytest.raises(TypeError):
        render_book.func(job.pk)
    job.refresh_from_db()
    assert job.status == BookStatus.FAILED and "TypeError" in job.error_detail


def test_a_render_in_parts_over_the_time_limit_is_stopped_with_its_workers(demo_users, monkeypatch, settings):
    import multiprocessing

    settings.BOOK_RENDER_TIME_LIMIT = 1
    job = BookJob.objects.create(kind=BookKind.PLAN, params={"plan": "second"}, title="計画書",
                                 requested_by=demo_users["demo-exec"])
    heavy = "<p>" + "長い文章。" * 20000 + "</p>"
    monkeypatch.setattr(books, "render", lambda kind, params: books.render_parts([heavy] * 4))
    assert render_book.func(job.pk) == "timeout"
    job.refresh_from_db()
    assert job.status == BookStatus.FAILED and "中止しました" in job.error
    assert multiprocessing.active_children() == []

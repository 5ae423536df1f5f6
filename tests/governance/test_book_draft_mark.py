"""The plan book of a plan in preparation is marked 「(案)」 / 「策定中」 on its cover,
in its title and on every page's header, so that a draft printout never passes for
the adopted plan; the book of an adopted plan carries no such mark."""

import subprocess

import pytest

from governance.books import render as books
from plans import structure
from plans.models import Plan
from tests.governance.test_books import pages_text


@pytest.fixture
def draft(seed):
    plan = structure.create_plan(levels=[structure.LevelSpec("基本目標", has_text=True), structure.LevelSpec("施策")],
                                 code="draft", name="第三次昭島市情報化推進計画", start_year=2026, end_year=2030,
                                 philosophy="デジタルで、つながるまち")
    for goal in ("便利な行政サービス", "安全なデジタル基盤"):
        top = structure.add_item(plan, parent=None, title=goal, text="説明文。" * 40)
        measure = structure.add_item(plan, parent=top, title=f"{goal}の施策")
        structure.create_project(measure, name=f"{goal}の事業")
    return Plan.objects.get(pk=plan.pk)


def title_of(data: bytes) -> str:
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Title:"))


def test_a_plan_in_preparation_is_marked_on_its_cover_and_every_page(draft):
    data = books.plan_book(draft)
    pages = pages_text(data)
    assert len(pages) > 3
    assert "策定中の計画(案)" in pages[0] and "第三次昭島市情報化推進計画(案)" in pages[0]
    assert all("策定中(案)" in page for page in pages), [n for n, page in enumerate(pages, 1) if "策定中(案)" not in page]
    assert title_of(data) == "第三次昭島市情報化推進計画(案)"


def test_an_adopted_plan_carries_no_draft_mark(draft):
    Plan.objects.filter(pk=draft.pk).update(in_preparation=False)
    data = books.plan_book(Plan.objects.get(pk=draft.pk))
    pages = pages_text(data)
    assert "第三次昭島市情報化推進計画" in pages[0]
    assert not any("(案)" in page or "策定中" in page for page in pages)
    assert title_of(data) == "第三次昭島市情報化推進計画"


def test_the_order_of_a_draft_plan_book_is_titled_as_a_draft(client, demo_users):
    from governance.models import BookJob
    from plans.models import Plan

    draft = Plan.objects.create(code="draft-title", name="次期計画", start_year=2021, end_year=2025,
                                in_preparation=True)
    client.force_login(demo_users["demo-joho"])
    client.post("/books/order/", {"kind": "plan", "plan": draft.code})
    assert BookJob.objects.get(params__plan=draft.code).title == "次期計画(案)"

"""メール送信状況 and PDF の作成 on a phone (390 px) and a desktop (1280 px): nothing widens
the page, no short label breaks between its characters, each row's button is on screen."""

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser

LONG_SUBJECT = "【進行管理】平成28年度(2016年度) 年次進行管理の実績報告をお願いします(期限 2017年05月31日)"


def lines(page, selector):
    """How many lines the first element matching `selector` takes."""
    return page.eval_on_selector(selector, """el => {
        const range = document.createRange(); range.selectNodeContents(el);
        return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
    }""")


def page_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture
def failed_mails(seeded):
    from core.models import MailStatus, OutgoingMail

    OutgoingMail.objects.bulk_create(
        OutgoingMail(recipient=f"demo-hoken-nenkin-{i}@city.akishima.example", subject=LONG_SUBJECT, body="本文",
                     cause="平成28年度(2016年度) 年次進行管理の開始", link="/cycles/", status=MailStatus.FAILED,
                     attempts=1, last_attempt_at=timezone.now(), last_error="メールサーバーに接続できませんでした",
                     last_error_detail="ConnectionRefusedError: [Errno 111] Connection refused")
        for i in range(3))
    OutgoingMail.objects.create(recipient="demo-joho@city.akishima.example", subject=LONG_SUBJECT, body="本文",
                                status=MailStatus.SENT, attempts=1, sent_at=timezone.now())


def test_the_mail_page_fits_a_phone(page, login, failed_mails):
    page.set_viewport_size({"width": 390, "height": 844})
    login("demo-joho", next_url="/mail/")
    page.goto("/mail/")
    assert page_overflow(page) <= 0
    button = page.get_by_role("button", name="demo-hoken-nenkin-0@city.akishima.example 宛を送信する")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert lines(page, ".mail-actions button") == 1
    assert lines(page, ".mail-table tbody td .nowrap") == 1  # 2026/12/05 whole


def test_the_mail_page_keeps_short_labels_whole_on_a_desktop(page, login, failed_mails):
    page.set_viewport_size({"width": 1280, "height": 900})
    login("demo-joho", next_url="/mail/")
    page.goto("/mail/")
    assert page_overflow(page) <= 0
    assert lines(page, ".mail-table tbody td:first-child") == 1  # 送信失敗
    assert lines(page, ".mail-table thead th.num") == 1  # 試行
    assert lines(page, ".mail-actions button") == 1  # 送信する
    assert "最近の 50 通" not in page.content()  # one mail sent: it does not claim fifty


@pytest.fixture
def books(seeded):
    from accounts.models import User
    from governance.models import BookJob, BookKind, BookStatus, ReviewCycle

    joho = User.objects.get(username="demo-joho")
    ReviewCycle.objects.create(plan_id=seeded["second"].pk, fiscal_year=2018, deadline="2019-05-31", opened_by=joho)
    for title in ("第二期昭島市情報化推進計画(情報化事業シート付き)", "平成28年度(2016年度) 年次進行管理 進行管理報告書"):
        BookJob.objects.create(kind=BookKind.PLAN, params={"t": title}, title=title, status=BookStatus.DONE,
                               requested_by=joho, size=10)


def test_the_book_page_fits_a_phone(page, login, books):
    page.set_viewport_size({"width": 390, "height": 844})
    login("demo-joho", next_url="/books/")
    page.goto("/books/")
    assert page_overflow(page) <= 0
    download = page.get_by_role("link", name="ダウンロード").first
    assert lines(page, "td.book-actions a") == 1
    assert download.bounding_box()["width"] > download.bounding_box()["height"]
    title_width = page.eval_on_selector("table.book-jobs td a", "el => el.parentElement.getBoundingClientRect().width")
    assert title_width > 250  # a title reads across the screen, not two characters a line
    # The chosen 進行管理 is readable in its box.
    fits = page.eval_on_selector("#book-cycle", """select => {
        const probe = document.createElement("span");
        probe.style.font = getComputedStyle(select).font;  /* set from script: not an inline style attribute */
        probe.textContent = select.options[select.selectedIndex].text;
        document.body.appendChild(probe);
        const width = probe.getBoundingClientRect().width; probe.remove();
        return width + 40 <= select.clientWidth;  /* room for the arrow and padding */
    }""")
    assert fits

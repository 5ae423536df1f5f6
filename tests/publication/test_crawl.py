"""The anonymous crawl: every page reachable from /open/ and direct addresses of
what is not published answer 200 or 404 (never a login redirect, never 500), and no
planted string (internal comments, staff, drafts, unpublished plans and cycles)
appears in any of them."""

import re
from collections import deque

from django.test import Client

from tests.publication.conftest import PLANTED, TWITTER

HREF = re.compile(r'href="(/open/[^"#?]*)')


def crawl(client, start="/open/"):
    """{url: response} of every /open/ page reachable by links from `start`."""
    seen, queue, pages = {start}, deque([start]), {}
    while queue:
        url = queue.popleft()
        response = client.get(url)
        pages[url] = response
        if response.status_code == 200:
            for link in HREF.findall(response.content.decode()):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
    return pages


def assert_nothing_planted(pages):
    leaks = [(url, name) for url, r in pages.items() for name, text in PLANTED.items()
             if text in r.content.decode()]
    assert leaks == []


def test_anonymous_crawl_shows_only_published_data(published):
    client = Client(raise_request_exception=False)
    pages = crawl(client)
    # The index, the plan's tree and every one of its projects (the seed plan has dozens).
    assert "/open/plans/second/" in pages
    project_pages = [u for u in pages if u.startswith("/open/projects/second/")]
    assert len(project_pages) == published["plan"].projects.count()
    assert {u: r.status_code for u, r in pages.items() if r.status_code != 200} == {}
    direct = [
        "/open/plans/third/",  # in preparation
        f"/open/projects/third/{published['third_project'].code}/",
        "/open/plans/first/",  # adopted but never published
        "/open/plans/nothing/", "/open/projects/second/9-9-9-99/",
    ]
    for url in direct:
        pages[url] = client.get(url)
        assert pages[url].status_code == 404, url
    assert_nothing_planted(pages)


def test_the_published_project_page_shows_the_sheet_targets_results_and_decision(client, published):
    page = client.get(f"/open/projects/second/{TWITTER}/").content.decode()
    for text in ("昭島市公式 Twitter", "市の情報を即時に届ける", "公式アカウントで情報を発信する",
                 "フォロワー数", "1,000", "1,250", "125.0%", "運用を開始した",
                 "平成28年度(2016年度) 年次進行管理", "○ 計画どおり"):
        assert text in page, text
    # One row of results: the FY2017 cycle is decided for Twitter but not published.
    assert page.count("平成28年度(2016年度) 年次進行管理</th>") == 1


def test_a_draft_sheet_shows_no_fields_until_it_is_complete(client, published):
    page = client.get("/open/projects/second/1-1-1-03/").content.decode()
    assert "作成中のため、まだ掲載していません" in page


def test_a_signed_in_visitor_sees_the_same_page_as_anyone(client, published, demo_users):
    url = f"/open/projects/second/{TWITTER}/"
    anonymous = client.get(url)
    client.force_login(demo_users["demo-joho"])
    signed_in = client.get(url)
    assert signed_in.content == anonymous.content
    assert signed_in["ETag"] == anonymous["ETag"]
    # Its session cookie may be renewed on the way out: no shared cache may keep the answer.
    assert signed_in["Cache-Control"] == "private, max-age=300"
    assert anonymous["Cache-Control"] == "public, max-age=300"

"""A published cycle's results for citizens: the chart and tables counted as inside,
the projects' published results, the same on A4; the plan book; gone at once when
withdrawn; a flat number of queries."""

import subprocess

from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import ReportState
from publication import services
from tests.publication.conftest import TWITTER
from tests.publication.test_pages import published_generated

RESULTS = "/open/plans/second/results/annual/2016/"


def pdf_text(response) -> str:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    return " ".join(subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True,
                                   check=True).stdout.decode().split())


def test_results_page_counts_every_decided_report_as_the_tables_do(client, published):
    """Every report of FY2016 was decided 継続 with ○ 計画どおり (decide_all): the whole
    plan's row is all ○, and each top item's row sums to its projects."""
    cycle = published["cycle"]
    total = cycle.reports.count()
    response = client.get(RESULTS)
    assert response.status_code == 200
    label, cells, whole = response.context["chart_rows"][0]
    assert (label, [n for _, n in cells], whole) == ("計画全体", [total, 0, 0, 0], total)
    items = response.context["chart_rows"][1:]
    assert [label.split()[0] for label, _, _ in items] == ["目標Ⅰ", "目標Ⅱ", "目標Ⅲ"]
    assert sum(t for _, _, t in items) == total
    page = response.content.decode()
    assert "昭島市公式 Twitter" in page and f"/open/projects/second/{TWITTER}/" in page
    # The 進捗度 table of the whole plan: 計画どおり total, 100.0%.
    assert f"<td class=\"num\">{total}</td><td class=\"num\">100.0%</td>" in page


def test_the_pdf_prints_the_same_figures(client, published):
    total = published["cycle"].reports.count()
    text = pdf_text(client.get("/open/plans/second/results/annual/2016.pdf"))
    assert f"計画全体 {total} 0 0 0 {total}" in text
    assert "昭島市公式 Twitter" in text
    assert "平成28年度(2016年度) 年次進行管理の結果" in text


def test_the_plan_book_is_the_plans_own_text(client, published):
    text = pdf_text(client.get("/open/plans/second/book.pdf"))
    assert "第二期昭島市情報化推進計画" in text and "情報化施策体系" in text


def test_a_withdrawn_cycle_is_gone_at_once(client, published, ict):
    assert client.get(RESULTS).status_code == 200
    services.withdraw_cycle(user=ict, cycle=published["cycle"], reason="数値の誤りを訂正するため")
    assert client.get(RESULTS).status_code == 404
    assert client.get("/open/plans/second/results/annual/2016.pdf").status_code == 404
    assert RESULTS not in client.get("/open/plans/second/").content.decode()


def test_a_report_no_longer_decided_is_not_counted(client, published):
    """Only 判断済/反映済 reports are public: one set back is neither listed nor counted."""
    cycle = published["cycle"]
    total = cycle.reports.count()
    twitter = cycle.reports.get(sheet__project__code=TWITTER)
    type(twitter).objects.filter(pk=twitter.pk).update(state=ReportState.CONFIRMED)
    from core import stamps
    stamps.bump("work")
    response = client.get(RESULTS)
    assert response.context["chart_rows"][0][2] == total - 1
    assert f"/open/projects/second/{TWITTER}/" not in response.content.decode()


def test_results_query_count_does_not_grow_with_the_plan(client, seed, ict):
    published_generated(ict, code="small", projects=6)
    published_generated(ict, code="large", projects=40)
    counts = []
    for code in ("small", "large"):
        client.get(f"/open/plans/{code}/results/annual/2021/")  # warm up (the plan's outline is cached)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/open/plans/{code}/results/annual/2021/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_atom_feed_lists_published_results_only(client, published, ict):
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    response = client.get("/open/feed.atom")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    assert "public" in response["Cache-Control"]
    entries = ET.fromstring(response.content).findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text for e in entries] == \
        ["第二期昭島市情報化推進計画 平成28年度(2016年度) 年次進行管理の結果を公表しました"]
    assert entries[0].find(f"{atom}link").get("href").endswith(RESULTS)
    # Withdrawn: gone from the feed at once.
    services.withdraw_cycle(user=ict, cycle=published["cycle"], reason="数値の誤りを訂正するため")
    assert ET.fromstring(client.get("/open/feed.atom").content).findall(f"{atom}entry") == []


def test_a_citizen_finds_a_project_by_name_or_code(client, published):
    """The search lists only projects of published plans (never the plan in preparation),
    each word narrowing the list."""
    from tests.publication.conftest import PLANTED

    page = client.get("/open/search/", {"q": "Twitter"}).content.decode()
    assert f'href="/open/projects/second/{TWITTER}/"' in page and "(1件)" in page
    page = client.get("/open/search/", {"q": "昭島市 メール"}).content.decode()
    assert "/open/projects/second/1-1-1-03/" in page and f"/open/projects/second/{TWITTER}/" not in page
    assert "/open/projects/second/1-1-1-03/" in client.get("/open/search/", {"q": "1-1-1-03"}).content.decode()
    hidden = client.get("/open/search/", {"q": PLANTED["third_project"]}).content.decode()
    assert "該当する事業はありません" in hidden and "/open/projects/third/" not in hidden
    assert 'role="search"' in client.get("/open/").content.decode()


def test_public_years_are_written_in_their_own_era(client, published):
    """A citizen reads 令和元年度 and 令和2年度, never the plan's 平成31・32年度."""
    page = client.get(f"/open/projects/second/{TWITTER}/").content.decode()
    assert "令和元年度" in page and "令和2年度" in page
    assert "31年度" not in page and "32年度" not in page


def test_the_public_tree_is_cached_and_never_stale(client, published, django_capture_on_commit_callbacks):
    """A large plan's tree is kept under the data stamps: the second visit reads less, and
    a project renamed afterwards shows at once."""
    from plans.models import Project

    url = "/open/plans/second/"
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    cached = len(first)
    with django_capture_on_commit_callbacks(execute=True):
        project = Project.objects.get(plan=published["plan"], code=TWITTER)
        project.name = "昭島市公式Xの利用促進"
        project.save()
    with CaptureQueriesContext(connection) as after:
        page = client.get(url).content.decode()
    assert "昭島市公式Xの利用促進" in page
    assert len(after) > cached  # the tree was built again

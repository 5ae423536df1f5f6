"""The executive view at the top of the dashboard, and the dashboard on paper (#17).

The expected figures are worked out by hand from SPEC_2022 of test_dashboard:

  home Ⅰ-1-1: 0, 4, 8    home Ⅰ-2-1: 1, 5, 9    home Ⅱ-1-1: 2, 6    home Ⅱ-2-1: 3, 7
"""

import subprocess

from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import AnnualReport, IndicatorResult
from tests.governance.test_dashboard import DASHBOARD, GOAL_1, GOAL_2, generated, get, page, text
from tests.governance.test_dashboard import exec_client, known  # noqa: F401 -- fixtures

PDF = "/dashboard/print.pdf"
HTML = "{http://www.w3.org/1999/xhtml}"

# 目標Ⅰ: 0 ○, 4 ×, 8 ○, 1 △, 9 ×, 5 作成中 → 2 of 6 計画どおり, 33.3%: × 遅れ.
# 目標Ⅱ: 2 ○, 3 ○, 7 -, 6 差戻し中 → 2 of 4, 50.0%: △ 一部に遅れ (50% exactly is not below).
STATUS_BY_HAND = [(GOAL_1, "×", "遅れ", 2, 6, "33.3"), (GOAL_2, "△", "一部に遅れ", 2, 4, "50.0")]
# × 未実施 (4, 9), △ 計画を下回っている (1), 未報告 (5 作成中, 6 差戻し中), each by code.
BEHIND_BY_HAND = [(4, "× 未実施"), (9, "× 未実施"), (1, "△ 計画を下回っている"),
                  (5, "未報告(作成中)"), (6, "未報告(差戻し中)")]
# Every target is 1000: 7 reached 0 (0.0%), 1 reached 500 (50.0%), 3 reached 900 (90.0%);
# 0 (100%), 2 (120%), 8 (下向き, 1000 ≤ 1000) reached it; 4 and 9 have no actual; 5 and 6
# are not reported.
SHORT_BY_HAND = [(7, "0.0%"), (1, "50.0%"), (3, "90.0%")]
# 拡充 継続 改善・見直し 縮小 休止・廃止 完了 判断前: 3 拡充, 7 休止・廃止; the rest not decided.
DECISIONS_BY_HAND = [(GOAL_1, [0, 0, 0, 0, 0, 0, 6]), (GOAL_2, [1, 0, 0, 0, 1, 0, 2])]
DECISION_TOTAL_BY_HAND = [1, 0, 0, 0, 1, 0, 8]


def test_status_per_top_item_by_the_share_on_plan(exec_client, known):
    figures = get(exec_client, DASHBOARD, plan="dash", year=2022).context["figures"]
    assert [(r.label, r.symbol, r.words, r.on_plan, r.total, str(r.share)) for r in figures["item_status"]] \
        == STATUS_BY_HAND
    # The whole of each item is the same as the department view's: together the cycle's 10.
    assert sum(r.total for r in figures["item_status"]) == 10


def test_status_rule_is_a_symbol_and_words_not_colour_alone(exec_client, known):
    root = page(get(exec_client, DASHBOARD, plan="dash", year=2022))
    rows = [[text(c) for c in tr] for tr in root.iter(f"{HTML}tr") if any(
        text(c) in (GOAL_1, GOAL_2) for c in tr) and any("遅れ" in text(c) for c in tr)]
    assert [r[1] for r in rows] == ["× 遅れ", "△ 一部に遅れ"]


def test_behind_and_unreported_projects_worst_first_with_their_section(exec_client, known):
    response = get(exec_client, DASHBOARD, plan="dash", year=2022)
    projects = known["projects"]
    behind = response.context["figures"]["behind"]
    assert [(r.name, r.standing_label) for r in behind] == \
        [(projects[i].name, label) for i, label in BEHIND_BY_HAND]
    assert behind[0].section == f"{projects[4].sheet.section.department.name}{projects[4].sheet.section.name}"
    # Each links to its report.
    report = AnnualReport.objects.get(cycle=known["cycles"][2022], sheet__project=projects[4])
    assert f'href="/reports/{report.pk}/"'.encode() in response.content or \
        report.get_absolute_url().encode() in response.content


def test_the_department_filter_narrows_the_list(exec_client, known):
    figures = get(exec_client, DASHBOARD, plan="dash", year=2022, department="kankyo").context["figures"]
    # 環境部: 5 (作成中), 6 (差戻し中), 9 (× 未実施)
    assert [r.name for r in figures["behind"]] == [known["projects"][i].name for i in (9, 5, 6)]


def test_indicators_furthest_from_target(exec_client, known):
    figures = get(exec_client, DASHBOARD, plan="dash", year=2022).context["figures"]
    assert [(r.project, r.rate_text) for r in figures["shortfalls"]] == \
        [(known["projects"][i].name, rate) for i, rate in SHORT_BY_HAND]


def test_a_rating_changed_to_met_leaves_the_list_and_one_without_a_target_still_counts(exec_client, known):
    """情報推進課 rated 3's 90% 達成: it leaves the list. 7 has no target for the year any
    more but was rated 達成 too: the achievement table still counts it (it used to vanish)."""
    from governance.dashboard.views import figures  # noqa: F401 -- the same code path as the page
    from projects.models import IndicatorTarget

    cycle = known["cycles"][2022]
    projects = known["projects"]
    IndicatorResult.objects.filter(report__cycle=cycle, report__sheet__project=projects[3]).update(
        override_met=True, override_reason="年度途中で目標を見直したため")
    IndicatorResult.objects.filter(report__cycle=cycle, report__sheet__project=projects[7]).update(
        override_met=True, override_reason="事業の休止により評価対象外")
    IndicatorTarget.objects.filter(indicator__sheet__project=projects[7], fiscal_year=2022).delete()
    from core import stamps
    stamps.bump("work")
    figures_ = get(exec_client, DASHBOARD, plan="dash", year=2022).context["figures"]
    assert [r.project for r in figures_["shortfalls"]] == [projects[1].name]
    # 目標Ⅱ: 2 (120%), 3 (rated 達成), 7 (rated 達成, no target): 3 of 3.
    assert [(label, total, met) for label, total, met, _ in figures_["achievement"]] == [("目標Ⅰ", 3, 2), ("目標Ⅱ", 3, 3)]


def test_decisions_of_the_year_by_item_with_a_total_row(exec_client, known):
    response = get(exec_client, DASHBOARD, plan="dash", year=2022)
    figures = response.context["figures"]
    assert figures["decision_rows"] == DECISIONS_BY_HAND
    assert figures["decision_total"] == DECISION_TOTAL_BY_HAND
    assert [r.name for r in figures["acting"]] == [known["projects"][7].name]  # 休止・廃止


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def test_the_pdf_prints_the_same_figures_as_the_page(exec_client, known):
    params = {"plan": "dash", "year": 2022}
    response = get(exec_client, DASHBOARD, **params)
    root = page(response)
    headline = [" ".join(text(li).split()) for ul in root.iter(f"{HTML}ul")
                if ul.get("class") == "headline__counts" for li in ul]
    assert headline  # 計画どおり 4件 …
    pdf = exec_client.get(PDF, params)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    data = b"".join(pdf.streaming_content)
    assert data.startswith(b"%PDF")
    printed = " ".join(pdf_text(data).split())
    # The headline: 計画どおり 4件 (0, 2, 3, 8), 計画を下回っている 1件 (1), 未実施・評価対象外 3件
    # (4, 9 | 7), 未報告 2件 (5, 6): on the page and on paper.
    for label, count in (("計画どおり", 4), ("計画を下回っている", 1), ("未実施・評価対象外", 3), ("未報告", 2)):
        assert any(h.startswith(f"{label} {count}件") for h in headline), (label, headline)
        assert f"{label} {count}件" in printed, label
    # The status per item, the projects behind and the decisions, as on the page.
    for label, symbol, words, on_plan, total, share in STATUS_BY_HAND:
        assert f"{symbol} {words} {on_plan} {total} {share}%" in printed
    for i, _ in BEHIND_BY_HAND:
        assert known["projects"][i].name in printed
    assert "合計 1 0 0 0 1 0 8" in printed
    # The department table (未報告 included) sums to the cycle's 10 as the headline does.
    assert "環境部 0 (0.0%) 0 (0.0%) 1 (33.3%) 0 (0.0%) 2 (66.7%)" in printed
    assert "対象 10 事業のうち 8 事業が報告済み" in printed


def test_the_pdf_follows_the_filters(exec_client, known):
    data = b"".join(exec_client.get(PDF, {"plan": "dash", "year": 2022, "department": "kankyo"}).streaming_content)
    printed = " ".join(pdf_text(data).split())
    assert "部:環境部" in printed
    assert "対象 3 事業のうち 1 事業が報告済み" in printed
    assert known["projects"][1].name not in printed  # 市民部's 1 is not in 環境部's list


def test_no_pdf_for_a_year_not_started(exec_client, known):
    assert exec_client.get(PDF, {"plan": "dash", "year": 2024}).status_code == 404


def test_pdf_needs_a_login(client, known):
    response = client.get(PDF, {"plan": "dash", "year": 2022})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_pdf_query_count_does_not_grow_with_projects_or_years(exec_client, demo_users, django_assert_num_queries):
    """The dashboard's PDF reads the same facts as the page: 30 projects × 1 year and
    300 × 5 years cost the same number of queries (the page's own test covers the page)."""
    joho = demo_users["demo-joho"]
    generated(joho, code="small", projects=30, years=[2021])
    generated(joho, code="large", projects=300, years=[2021, 2022, 2023, 2024, 2025])
    for code in ("small", "large"):  # warm up (session, content types, each plan's outline), no figures
        exec_client.get("/dashboard/projects/", {"plan": code, "year": 2022})
    with CaptureQueriesContext(connection) as queries:
        small = b"".join(exec_client.get(PDF, {"plan": "small", "year": 2021}).streaming_content)
    with django_assert_num_queries(len(queries)):
        large = b"".join(exec_client.get(PDF, {"plan": "large", "year": 2021, "by": "decision"}).streaming_content)
    assert small.startswith(b"%PDF") and large.startswith(b"%PDF")
    assert "対象 300 事業" in " ".join(pdf_text(large).split())


def test_a_closed_cycle_says_so_on_the_page_and_on_paper(exec_client, known, demo_users):
    """The figures of a 確定 cycle no longer change: the dashboard and its PDF say 確定;
    before closing the PDF says its figures are those of the day it was made."""
    from governance.cycles.closing import close_cycle

    params = {"plan": "dash", "year": 2022}
    assert "未確定" in pdf_text(b"".join(exec_client.get(PDF, params).streaming_content))
    close_cycle(user=demo_users["demo-joho"], cycle=known["cycles"][2022], reason="令和4年度分を確定",
                include_unconcluded=True)
    page_text = " ".join(text(page(get(exec_client, DASHBOARD, **params))).split())
    assert "年次進行管理 確定(" in page_text
    printed = " ".join(pdf_text(b"".join(exec_client.get(PDF, params).streaming_content)).split())
    assert "(確定 " in printed and "未確定" not in printed


def test_the_cycle_page_orders_its_yearly_report_and_a_closed_one_no_longer_warns(client, known, demo_users):
    """情報推進課 orders the 進行管理報告書 from the cycle's own page; once the cycle is 確定,
    its page no longer says the deadline has passed with reports missing."""
    from governance.cycles.closing import close_cycle
    from governance.models import BookJob

    client.force_login(demo_users["demo-joho"])
    cycle = known["cycles"][2021]
    page_html = client.get(cycle.get_absolute_url()).content.decode()
    assert "進行管理報告書(PDF)を作成" in page_html and "提出期限を過ぎています" in page_html
    response = client.post("/books/order/", {"kind": "report", "cycle": cycle.pk})
    assert response.status_code == 302
    assert BookJob.objects.get(requested_by=demo_users["demo-joho"]).params == {"cycle": cycle.pk}
    close_cycle(user=demo_users["demo-joho"], cycle=cycle, reason="確定する", include_unconcluded=True)
    assert "提出期限を過ぎています" not in client.get(cycle.get_absolute_url()).content.decode()

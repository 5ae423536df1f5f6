"""The briefing books (#17): the yearly report and the meeting papers open with a front page
that answers 「どこが遅れているか」, print every summary table whole with its 合計 row, the
dashboard's charts with their data tables and the bodies' conclusions; each project keeps
to its page (no near-blank pages); the 検討会議 gets a box to evaluate each project in, the
戦略本部 the 検討会議's evaluation beside each decision; covers are dated in 和暦.

A fixture cycle of the second plan (46 projects: 13 at home under 目標Ⅰ, 23 under Ⅱ, 10 under
Ⅲ, as the plan lists them), reported as follows:
  1-2-1-02 ○ 計画どおり (確認済, then 評価 A)    1-2-1-03 △ 計画を下回っている (確認済, then 評価 C)
  2-1-1-01 - 評価対象外 (提出済)                 2-1-1-03 × 未実施 (提出済)
  2-1-1-02 差戻し中 (未報告)                     the other 41: 作成中 (未報告)
"""

import re
import subprocess
from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.books import render as books
from governance.books.briefing import briefing
from governance.books.papers import render_meeting_papers
from governance.cycles import services
from governance.models import AnnualReport, BodyKind, ReportState
from tests.governance.conftest import fill, generated_cycle, meeting_for

TODAY = date(2026, 12, 5)
A4_HEIGHT = 841.89
BODY_TOP, BODY_BOTTOM = 51.02, A4_HEIGHT - 56.69  # base.css: @page margin 18mm 15mm 20mm
# The books' chapter headings (h1): a page before one of them ends a section.
CHAPTERS = ("目次", "概要—どこが遅れているか", "遅れている事業・未報告の事業(続き)", "議題", "グラフ",
            "集計表", "検討会議の評価・戦略本部の判断", "事業ごとの資料", "事業ごとの実績")
SUMMARY_HEAD = re.compile(r"^(実施状況|進捗度|今後の方向性) 事業数 割合$")  # a summary table's header row
SUMMARY_TOTAL = re.compile(r"^合計 \d+ (100\.0|0\.0)%$")


def squash(text):
    return re.sub(r"\s+", "", text)


def pages(data: bytes) -> list[dict]:
    """Per page: `lines` of the body (header and footer left out) from top to bottom,
    `raw` lines in reading order, and `fill`: how far down the body its text reaches (0-1)."""
    bbox = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    raw = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    found = []
    for page, raw_page in zip(re.findall(r"<page [^>]*>(.*?)</page>", bbox, re.S), raw.split("\f")):
        words = [(float(y0), float(y1), float(x0), unescape(text)) for x0, y0, y1, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>', page)]
        body = sorted(w for w in words if w[0] >= BODY_TOP - 2 and w[1] <= BODY_BOTTOM + 2)
        lines = []
        for y0, y1, x0, text in body:
            if lines and abs(lines[-1][0] - y0) < 2:
                lines[-1][1].append((x0, text))
            else:
                lines.append((y0, [(x0, text)]))
        bottom = max((w[1] for w in body), default=BODY_TOP)
        found.append({
            "lines": [squash("".join(t for _, t in sorted(words))) for _, words in lines],
            "raw": [re.sub(r"\s+", " ", line).strip() for line in raw_page.splitlines() if line.strip()],
            "fill": (bottom - BODY_TOP) / (BODY_BOTTOM - BODY_TOP),
        })
    return found


def section_end(book, i):
    """The last page, or a page followed by one that opens with a chapter heading."""
    return i == len(book) - 1 or (book[i + 1]["lines"] or [""])[0] in CHAPTERS


def assert_no_near_blank_page(book):
    thin = [(i + 1, round(page["fill"], 2)) for i, page in enumerate(book)
            if page["fill"] < 0.25 and not section_end(book, i)]
    assert thin == [], f"pages with less than a quarter of content (page, fill): {thin}"


def assert_every_summary_table_whole_with_its_total(book):
    """Each summary table's header row is followed on the same page by its 合計 row (a table
    split across pages would repeat its header on the next page, before the 合計)."""
    tables = 0
    for number, page in enumerate(book, start=1):
        marks = [("head" if SUMMARY_HEAD.match(line) else "total") for line in page["raw"]
                 if SUMMARY_HEAD.match(line) or SUMMARY_TOTAL.match(line)]
        assert marks == ["head", "total"] * (len(marks) // 2), f"page {number}: {marks}"
        tables += len(marks) // 2
    return tables


def front_page(book):
    return next(page for page in book if page["lines"][:1] == ["概要—どこが遅れているか"])


@pytest.fixture
def briefed(cycle, shimin_sheets, demo_users, monkeypatch):
    """The fixture cycle described above; the books are printed on TODAY."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: TODAY)
    reports = {r.sheet.project.code: r for r in cycle.reports.select_related("sheet__project")}
    on_plan, behind = (reports["1-2-1-02"], reports["1-2-1-03"])
    for report, progress in ((on_plan, "on_plan"), (behind, "behind")):
        fill(report, progress=progress)
        services.submit_report(user=demo_users["demo-staff-a"], report=report)
        services.confirm_report(user=demo_users["demo-joho"], report=report)
    for code, state, status, progress, direction in (
            ("2-1-1-01", ReportState.SUBMITTED, "postponed", "not_rated", "undecided"),
            ("2-1-1-03", ReportState.SUBMITTED, "not_started", "not_done", "continue"),
            ("2-1-1-02", ReportState.RETURNED, "continuing", "behind", "continue")):
        AnnualReport.objects.filter(pk=reports[code].pk).update(
            state=state, implementation_status=status, progress=progress, direction=direction)
    return cycle


def confirmed_pair(cycle):
    return list(cycle.reports.filter(sheet__project__code__in=["1-2-1-02", "1-2-1-03"])
                .order_by("sheet__project__code"))


def evaluate_pair(cycle, committee, user):
    on_plan, behind = confirmed_pair(cycle)
    services.evaluate_report(user=user, report=on_plan, meeting=committee, evaluation="A",
                             comment="窓口の負担が減っている。")
    services.evaluate_report(user=user, report=behind, meeting=committee, evaluation="C",
                             comment="周知の方法を見直すこと。")
    return confirmed_pair(cycle)


# ─── The yearly report ───────────────────────────────────────────────────────

def test_yearly_report_front_page_says_where_the_plan_is_behind(briefed, demo_users):
    committee = meeting_for(BodyKind.COMMITTEE, briefed, confirmed_pair(briefed), demo_users["demo-joho"])
    evaluate_pair(briefed, committee, demo_users["demo-joho"])
    data = books.cycle_report(briefed)
    book = pages(data)

    front = front_page(book)
    text = "".join(front["lines"])
    # 46 reports: 1 on plan, 1 behind, 2 not done or not rated, 42 not reported (41 作成中 + 1 差戻し中);
    # shares to one decimal adding up to 100.0%; no previous year to compare with.
    raw = front["raw"]
    heads = raw.index("計画どおり 計画を下回っている 未実施・評価対象外 未報告")
    assert raw[heads + 1:heads + 9] == ["1 件 (2.2%)", "前年度比 ―", "1 件 (2.2%)", "前年度比 ―",
                                        "2 件 (4.3%)", "前年度比 ―", "42 件 (91.3%)", "前年度比 ―"]
    # Per goal, the dashboard's status (on plan: 80% or more ○ 順調, 50% or more △ 一部に遅れ, less × 遅れ,
    # nothing reported － 報告なし), then on plan, behind, not done / not rated, not reported, total, share on plan.
    for status, goal, counts in (("× 遅れ", "目標Ⅰ", "1 1 0 11 13 7.7%"), ("× 遅れ", "目標Ⅱ", "0 0 2 21 23 0.0%"),
                                 ("－ 報告なし", "目標Ⅲ", "0 0 0 10 10 0.0%")):
        row = next(i for i, line in enumerate(raw) if line.startswith(f"{status} {goal}"))
        assert counts in raw[row:row + 3], goal
    # The projects behind or not reported, worst first as the dashboard lists them: × 未実施, △ 計画を
    # 下回っている, then 未報告 (作成中 or 差戻し中) by project code; with the goal and the section.
    assert "遅れている事業・未報告の事業(44件)" in text
    rows = [line for line in front["lines"] if re.match(r"^\d+(×|△|未報告)", line)]
    assert rows[0].startswith("1×未実施2-1-1-03") and rows[0].endswith("目標Ⅱ(担当部署未定)")
    assert rows[1].startswith("2△計画を下回っている1-2-1-03") and rows[1].endswith("目標Ⅰ市民部市民課")
    assert rows[2].startswith("3未報告(作成中)1-1-1-01")
    assert len(rows) == 12 and "ほか32件は次のページに続きます。" in text
    # The front page is one page: the next page opens the list's continuation, from No. 13.
    following = book[book.index(front) + 1]["lines"]
    assert following[0] == "遅れている事業・未報告の事業(続き)"
    assert any(line.startswith("13未報告(作成中)") for line in following)
    assert any(re.match(r"^\d+" + re.escape("未報告(差戻し中)2-1-1-02"), line) for line in following)
    assert any(line.startswith("44未報告(作成中)3-3-1-02") for page in book for line in page["lines"])


def test_yearly_report_prints_every_table_whole_with_its_total_and_no_near_blank_page(briefed, demo_users):
    committee = meeting_for(BodyKind.COMMITTEE, briefed, confirmed_pair(briefed), demo_users["demo-joho"])
    evaluate_pair(briefed, committee, demo_users["demo-joho"])
    data = books.cycle_report(briefed)
    book = pages(data)
    assert_no_near_blank_page(book)
    # 3 vocabularies × (the plan, 3 goals, 8 policies with reports, the departments reported).
    assert assert_every_summary_table_whole_with_its_total(book) >= 3 * (1 + 3)
    text = [line for page in book for line in page["raw"]]
    assert not [line for line in text if "{#" in line or "{%" in line]  # no template text leaks into the book
    assert "実施状況(計画全体)" in text and "合計 4 100.0%" in text  # the four reported
    # The dashboard's charts, each with its data table summing to the 46 reports.
    for caption in ("目標ごとの進捗度(グラフの数値)", "部ごとの進捗度(グラフの数値)", "進捗度の推移(グラフの数値)"):
        assert caption in text
    assert text.count("合計 1 1 1 1 42 46") == 2  # the goals, the departments
    assert "平成28年度(2016年度) 1 1 1 1 42 46" in text  # the trend: a row per year, no sum over years
    assert "平成29年度(2017年度)(未開始) 0 0 0 0 0 0" in text
    # The bodies' conclusions over the plan: A 1 and C 1 under 目標Ⅰ, nothing decided yet.
    assert "合計 1 0 1 44 46" in text
    assert "合計 0 0 0 0 0 0 46 46" in text
    # The cover: not closed, so the day the figures stand at.
    assert "(令和8年12月5日時点)" in book[0]["raw"] and "令和8年(2026年)12月5日" in book[0]["raw"]


# ─── The meeting papers ──────────────────────────────────────────────────────

def test_committee_papers_give_each_project_a_box_to_evaluate_in(briefed, demo_users):
    committee = meeting_for(BodyKind.COMMITTEE, briefed, confirmed_pair(briefed), demo_users["demo-joho"])
    data = render_meeting_papers(committee)
    book = pages(data)
    assert_no_near_blank_page(book)
    assert assert_every_summary_table_whole_with_its_total(book) >= 3
    cover = "".join(book[0]["lines"])
    assert "平成29年(2017年)6月20日" in cover and "(令和8年12月5日時点)" in cover and "確定" not in cover
    assert "1 件 (2.2%)" in front_page(book)["raw"]
    projects = [page for page in book if any(re.match(r"^\d\.1-2-1-0[23]", line) for line in page["lines"])]
    assert len(projects) == 2  # each project on one page, its schedule with it
    for page in projects:
        lines = page["lines"]
        assert "評価A・B・C意見" in lines and "(○で囲んでください)" in lines
        assert "スケジュール" in lines and any(line.startswith("予定") for line in lines)
    agenda = next(page for page in book if page["lines"][:1] == ["議題"])["lines"]
    assert "No.事業コード事業名担当部署状態評価" in agenda
    assert any(line.startswith("11-2-1-02") and line.endswith("A・B・C") for line in agenda)


def test_headquarters_papers_print_the_committees_evaluation_beside_each_decision(briefed, demo_users):
    joho = demo_users["demo-joho"]
    committee = meeting_for(BodyKind.COMMITTEE, briefed, confirmed_pair(briefed), joho)
    evaluated = evaluate_pair(briefed, committee, joho)
    headquarters = meeting_for(BodyKind.HEADQUARTERS, briefed, evaluated, joho)
    data = render_meeting_papers(headquarters)
    book = pages(data)
    assert_no_near_blank_page(book)
    agenda = next(page for page in book if page["lines"][:1] == ["議題"])["lines"]
    assert "No.事業コード事業名担当部署状態検討会議の評価" in agenda
    assert any(line.startswith("11-2-1-02") and line.endswith("A") for line in agenda)
    assert any(line.startswith("21-2-1-03") and line.endswith("C") for line in agenda)
    for code, evaluation, comment in (("1-2-1-02", "A効果的に活用されている", "窓口の負担が減っている。"),
                                      ("1-2-1-03", "C活用が不十分で見直しが必要", "周知の方法を見直すこと。")):
        page = next(page for page in book if any(line.startswith(f"{code[0]}.{code}") or
                                                 re.match(rf"^\d\.{code}", line) for line in page["lines"]))
        text = "".join(page["lines"])
        assert f"検討会議の評価{evaluation}{comment}" in text
        raw = squash("".join(page["raw"]))
        assert "判断拡充・継続・改善・見直し・縮小・休止・廃止・完了(○で囲んでください)指示" in raw


@pytest.mark.parametrize("words", [700, 5000])
def test_a_long_project_leaves_no_near_blank_page(briefed, demo_users, words):
    """A project a little too long for its page is set to fit it, schedule included; one far
    too long runs over, and the next project follows on its last page."""
    long, other = confirmed_pair(briefed)
    AnnualReport.objects.filter(pk=long.pk).update(work_done="周知を行った。" * (words // 7),
                                                   problems="課題がある。" * (words // 12))
    committee = meeting_for(BodyKind.COMMITTEE, briefed, [long, other], demo_users["demo-joho"])
    book = pages(render_meeting_papers(committee))
    assert_no_near_blank_page(book)
    if words == 700:
        page = next(page for page in book if any(line.startswith("1.1-2-1-02") for line in page["lines"]))
        assert "スケジュール" in page["lines"] and "予定周知周知周知周知周知" in page["lines"]


def test_a_closed_cycles_papers_say_final(briefed, demo_users):
    committee = meeting_for(BodyKind.COMMITTEE, briefed, confirmed_pair(briefed), demo_users["demo-joho"])
    type(briefed).objects.filter(pk=briefed.pk).update(status="closed")
    committee.refresh_from_db()
    committee.cycle.refresh_from_db()
    cover = pages(render_meeting_papers(committee))[0]["lines"]
    assert "確定" in cover and not any("時点" in line for line in cover)


# ─── The summary page on screen ──────────────────────────────────────────────

def test_summary_page_prints_the_total_row(client, briefed, demo_users):
    client.force_login(demo_users["demo-joho"])
    page = client.get(f"/cycles/{briefed.pk}/summary/").text
    # 4 reported: 1-2-1-02, 1-2-1-03, 2-1-1-01, 3-1-1-01 (the returned one is not reported).
    assert '<tr class="total"><th scope="row">合計</th><td class="num">4</td><td class="num">100.0%</td></tr>' in page


def test_briefing_takes_as_many_queries_for_any_size_of_plan(demo_users):
    counts = []
    for code, projects in (("small", 6), ("large", 60)):
        cycle = generated_cycle(demo_users["demo-joho"], code=code, projects=projects)
        with CaptureQueriesContext(connection) as captured:
            facts = briefing(cycle, today=TODAY)
        counts.append(len(captured.captured_queries))
        assert facts["total"] == projects
    assert counts[0] == counts[1]

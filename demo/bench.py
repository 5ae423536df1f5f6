"""`make bench`: a large generated city in a separate SQLite database, and the
measurements the performance targets are stated in.

The city (built once, kept for the next run): 12 departments and 100 sections,
200 users (department staff in every section, 情報推進課, executives), a plan of
5,000 projects (3 goals × 3-4 policies × 3-4 measures, every third project
reposted) with a sheet per project (1-3 indicators, yearly targets, schedule),
and one annual cycle per plan year with reports in every state and indicator
results. A second plan of 500 projects with one cycle gives the yearly report of
500 projects; the real seed (`load_plan`) gives the plan book. Generated rows are
bulk-created without history rows.

Pages are timed through Django's test client, warm, with DEBUG off as in
production, each beside a floor: a view that renders only templates/base.html,
reachable only through this module's URLconf (`urlpatterns` below), requested
by the same user right after each page request. A page is OK when its median is
within 3× the floor's median and its p95 under 150 ms. The books
are rendered by the real commands in child processes; wall time and peak memory
are per render, memory as the peak of the summed RSS of the command's whole
process tree (a large report renders in worker processes), sampled every 50 ms
from /proc, and never less than the command's own peak RSS (os.wait4's rusage). Results are measurements, not tests: the
table says OK or NG and the command succeeds either way.
"""

import os
import random
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.shortcuts import render
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from accounts.models import Department, Position, Section, User
from accounts.roles import Role
from akishima_ict import urls as root_urls
from governance.models import (
    AgendaItem, AnnualReport, Body, BodyKind, CycleKind, CycleStatus, IndicatorResult, Meeting, ReportState,
    ReviewCycle,
)
from governance.vocab import Decision, Direction, Evaluation, ImplementationStatus, Progress
from plans import structure
from plans.models import Numbering, Placement, Plan, Project
from projects.models import (
    Indicator, IndicatorKind, IndicatorTarget, ProjectSheet, ScheduleEntry, SheetStatus,
)

CITY_PLAN, REPORT_PLAN, START = "bench", "bench500", 2021
PAGE_MS, PAGE_RATIO, PLAN_BOOK_S, REPORT_S, REPORT_MIB = 150, 3.0, 10, 90, 1536
PAPERS_ITEMS, PAPERS_S, PAPERS_MIB = 100, 90, 1024  # the meeting papers of 100 agenda items
BOOK_TIME_LIMIT = 900  # seconds; a render still running is stopped and reported NG
S = ReportState
CENT = Decimal("0.01")


@login_not_required  # the anonymous visitor of the public pages has a floor too
def floor(request):
    """The framework's floor: the base layout and nothing else."""
    return render(request, "base.html")
FLOOR = "/__bench__/floor/"
urlpatterns = [path(FLOOR.lstrip("/"), floor), *root_urls.urlpatterns]


# ─── The generated city ──────────────────────────────────────────────────────

def city_built() -> bool:
    return Plan.objects.filter(code__in=[CITY_PLAN, REPORT_PLAN]).count() == 2


def build_city() -> None:
    call_command("load_plan", stdout=StringIO())  # organisation, bodies, seed plans
    rng = random.Random(2016)
    with transaction.atomic():
        sections = _organisation()
        joho = _users(sections)
        _cycles(*_plan(CITY_PLAN, 5000, sections, rng), joho, rng, years=5)
        _cycles(*_plan(REPORT_PLAN, 500, sections, rng), joho, rng, years=1)


def _organisation() -> list[Section]:
    departments = Department.objects.bulk_create(
        Department(code=f"bench-d{d:02d}", name=f"生成{d:02d}部", sort_order=100 + d)
        for d in range(1, 13))
    return Section.objects.bulk_create(
        Section(department=departments[i % 12], code=f"bench-s{i + 1:03d}",
                name=f"生成{i + 1:03d}課", sort_order=i) for i in range(100))


def _users(sections: list[Section]) -> User:
    """200 users: 6 of 情報推進課, 14 executives, 180 department staff (a chief per section)."""
    joho = Section.objects.get(code="joho-suishin")
    departments = sorted({s.department for s in sections}, key=lambda d: d.sort_order)
    specs = [(f"bench-joho-{i}", joho, Position.STAFF, [Role.ICT_OFFICE, Role.DEPARTMENT_STAFF])
             for i in range(1, 7)]
    specs.append(("bench-exec-01", None, Position.DEPUTY_MAYOR, [Role.HEADQUARTERS, Role.VIEWER]))
    specs += [(f"bench-exec-{i + 2:02d}", d, Position.DIRECTOR, [Role.COMMITTEE, Role.HEADQUARTERS])
              for i, d in enumerate(departments)]
    specs.append(("bench-exec-14", None, Position.ADVISOR, [Role.CIO_ADVISOR]))
    specs += [(f"bench-staff-{j + 1:03d}", sections[j % len(sections)],
               Position.SECTION_CHIEF if j < len(sections) else Position.STAFF,
               [Role.DEPARTMENT_STAFF] + ([Role.COMMITTEE] if j < 10 else [])) for j in range(180)]
    password = make_password(None)  # unusable: the bench signs in with force_login
    users = User.objects.bulk_create(
        User(username=name, last_name="生成", first_name=name.rsplit("-", 1)[1], password=password,
             email=f"{name}@city.akishima.example", position=position,
             is_staff=Role.ICT_OFFICE in roles,
             section=unit if isinstance(unit, Section) else None,
             department=unit.department if isinstance(unit, Section) else unit)
        for name, unit, position, roles in specs)
    groups = {g.name: g for g in Group.objects.all()}
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=groups[role.value].pk)
        for user, (_, _, _, roles) in zip(users, specs) for role in roles)
    return users[0]


SheetIndicators = list[tuple[ProjectSheet, list[Indicator]]]


def _plan(code: str, projects: int, sections: list[Section],
          rng: random.Random) -> tuple[Plan, SheetIndicators]:
    plan = structure.create_plan(
        code=code, name=f"生成計画({projects:,}事業)", start_year=START, end_year=START + 4,
        philosophy="生成された基本理念", in_preparation=False,
        levels=[structure.LevelSpec("目標", Numbering.ROMAN, True), structure.LevelSpec("基本方針"),
                structure.LevelSpec("情報化施策", has_text=True)])
    measures = []
    for g in range(1, 4):
        goal = structure.add_item(plan, parent=None, title=f"生成目標{g}", subtitle="生成")
        for p in range(1, rng.choice([3, 4]) + 1):
            policy = structure.add_item(plan, parent=goal, title=f"生成方針{g}-{p}")
            measures += [structure.add_item(plan, parent=policy, title=f"生成施策{g}-{p}-{m}",
                                            text="施策の説明。" * 8) for m in range(1, rng.choice([3, 4]) + 1)]
    positions = {m.pk: 0 for m in measures}
    serials = {m.pk: 0 for m in measures}
    rows, places = [], []  # as tests.factories.make_plan: every third project reposted
    for i in range(projects):
        home, other = measures[i % len(measures)], measures[(i + 1) % len(measures)]
        for measure in [home, other] if i % 3 == 0 and other != home else [home]:
            positions[measure.pk] += 1
            places.append((i, measure, positions[measure.pk], measure is home))
        serials[home.pk] += 1
        rows.append(Project(plan=plan, name=f"生成事業{i + 1:04d}", is_planned=i % 5 == 0,
                            code=structure.project_code(home.path, serials[home.pk])))
    rows = Project.objects.bulk_create(rows)
    Placement.objects.bulk_create(Placement(project=rows[i], item=m, position=n, is_home=is_home)
                                  for i, m, n, is_home in places)
    sheets = ProjectSheet.objects.bulk_create(
        ProjectSheet(project=project, section=sections[(i * 7) % len(sections)], start_year=START,
                     end_year=None if i % 3 else START + 4, legal_basis="生成された根拠", target="市民",
                     objective="生成された目標。" * 4, activities="生成された実施内容。" * 10,
                     status=SheetStatus.DRAFT if i % 10 == 0 else SheetStatus.COMPLETE)
        for i, project in enumerate(rows))
    indicators = Indicator.objects.bulk_create(
        Indicator(sheet=sheet, position=k, name=f"生成指標{k}",
                  kind=IndicatorKind.OUTCOME if k == 2 else IndicatorKind.OUTPUT, unit="件",
                  baseline_value=Decimal(100), baseline_year=START - 1,
                  direction="down" if k == 3 else "up", data_source="業務統計")
        for i, sheet in enumerate(sheets) for k in range(1, i % 3 + 2))
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(indicator=ind, fiscal_year=y, value=_target(ind, y)) for ind in indicators
        for y in range(START, START + 5))
    ScheduleEntry.objects.bulk_create(
        ScheduleEntry(sheet=sheet, fiscal_year=y, planned=f"{y}年度の予定", actual=f"{y}年度の実績")
        for sheet in sheets for y in range(START, START + 5))
    by_sheet: dict[int, list[Indicator]] = {}
    for ind in indicators:
        by_sheet.setdefault(ind.sheet_id, []).append(ind)
    return plan, [(sheet, by_sheet[sheet.pk]) for sheet in sheets]


def _target(indicator: Indicator, year: int) -> Decimal:
    step = -5 if indicator.direction == "down" else 10
    return Decimal(100 + step * (year - START + 1))


def _cycles(plan: Plan, sheets: SheetIndicators, joho: User, rng: random.Random, *,
            years: int) -> None:
    """One annual cycle per year; the last is still open when there are several."""
    for year in range(START, START + years):
        is_open = years > 1 and year == START + years - 1
        cycle = ReviewCycle.objects.create(plan=plan, kind=CycleKind.ANNUAL, fiscal_year=year,
                                           deadline=date(year + 1, 5, 31), opened_by=joho,
                                           status=CycleStatus.OPEN if is_open else CycleStatus.CLOSED)
        # Most reports in later states; some still draft or returned, more in the open cycle.
        states = ([S.DRAFT, S.RETURNED, S.SUBMITTED, S.CONFIRMED, S.EVALUATED, S.DECIDED,
                   S.REFLECTED], [10, 5, 15, 20, 20, 20, 10] if is_open else [2, 1, 2, 5, 5, 25, 60])
        reports = []
        for sheet, _ in sheets:
            state = rng.choices(*states)[0]
            filled = state != S.DRAFT or rng.random() < 0.5
            evaluated = state in (S.EVALUATED, S.DECIDED, S.REFLECTED)
            decided = state in (S.DECIDED, S.REFLECTED)
            pick = (lambda vocab, weights: rng.choices(vocab.values, weights)[0] if filled else "")
            reports.append(AnnualReport(
                cycle=cycle, sheet=sheet, section_id=sheet.section_id, state=state,
                implementation_status=pick(ImplementationStatus, [15, 70, 5, 3, 7]),
                progress=pick(Progress, [60, 25, 10, 5]), direction=pick(Direction, [15, 75, 5, 5]),
                work_done="生成された実施内容。" * 6 if filled else "", problems="生成された課題。" * 3,
                evaluation=rng.choice(Evaluation.values) if evaluated else "",
                evaluation_comment="評価の意見。" if evaluated else "",
                decision=rng.choices(Decision.values, [10, 60, 15, 5, 5, 5])[0] if decided else "",
                sheet_version_at_decision=1 if decided else None,
                reflected_sheet_version=1 if state == S.REFLECTED else None))
        reports = AnnualReport.objects.bulk_create(reports)
        IndicatorResult.objects.bulk_create(
            IndicatorResult(report=report, indicator=ind, actual=None if report.state == S.DRAFT
                            else (_target(ind, year) * Decimal(rng.uniform(0.7, 1.2))).quantize(CENT))
            for report, (_, inds) in zip(reports, sheets) for ind in inds)


# ─── Measurements ────────────────────────────────────────────────────────────

@dataclass
class Row:
    label: str
    median: float | None = None  # ms
    p95: float | None = None
    floor: tuple[float, float] | None = None  # the floor's median and p95 beside it, ms
    queries: int | None = None
    seconds: float | None = None
    peak_mib: float | None = None
    target: str = ""
    ok: bool | None = None
    note: str = ""


def _get(client: Client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return elapsed


def _time(label: str, client: Client, url: str, n: int, *, uncached=False) -> Row:
    """n requests of the page, each followed by one of the floor as the same user,
    so that both see the same machine (other work on it included). `uncached`
    empties the cache before each page request: the page as the first request
    after a write sees it (a reference figure; the targets are for the page as
    it is usually served)."""
    for warm in [url, FLOOR] * 3:  # warm: templates, caches, the session
        _get(client, warm)

    def page_time():
        if uncached:
            cache.clear()
        return _get(client, url)

    if uncached:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    queries = len(captured)  # now: the next request empties the log it reads
    page, floor_ = zip(*((page_time(), _get(client, FLOOR)) for _ in range(n)))
    median, p95, floor_median = statistics.median(page), _p95(page), statistics.median(floor_)
    ratio = median / floor_median
    if uncached:
        return Row(label, median, p95, (floor_median, _p95(floor_)), queries, target="参考",
                   note=f"{ratio:.1f}×")
    return Row(label, median, p95, (floor_median, _p95(floor_)), queries,
               target=f"≤{PAGE_RATIO:g}×床, p95<{PAGE_MS}ms", ok=ratio <= PAGE_RATIO and p95 < PAGE_MS,
               note=f"{ratio:.1f}×")


def _p95(times: tuple[float, ...]) -> float:
    return sorted(times)[max(0, -(-len(times) * 95 // 100) - 1)]


def measure_pages(n: int = 30) -> list[Row]:
    plan = Plan.objects.get(code=CITY_PLAN)
    staff = User.objects.filter(username__startswith="bench-staff",
                                position=Position.STAFF).order_by("username")[0]
    joho = User.objects.get(username="bench-joho-1")
    executive = User.objects.get(username="bench-exec-01")
    sheet = (ProjectSheet.objects.filter(project__plan=plan, section_id=staff.section_id)
             .annotate(n=Count("indicators")).order_by("-n", "project__code")
             .select_related("project")[0])
    cycle = ReviewCycle.objects.get(plan=plan, status=CycleStatus.OPEN)
    pages = [
        ("計画体系 /plans/<計画>/", executive, f"/plans/{plan.code}/"),
        ("ダッシュボード", executive, f"/dashboard/?plan={plan.code}&year={plan.end_year}"),
        ("事業シート /sheets/<計画>/<コード>/", staff, f"/sheets/{plan.code}/{sheet.project.code}/"),
        ("進行管理 /cycles/<pk>/(情報推進課)", joho, f"/cycles/{cycle.pk}/"),
        ("自課の実績報告 /cycles/mine/", staff, "/cycles/mine/"),
        # Rendered in the request and kept under the figures' key: the (書き込み直後) row
        # is the rendering itself.
        ("ダッシュボードの PDF", executive, f"/dashboard/print.pdf?plan={plan.code}&year={plan.end_year}"),
    ]
    cached = {0, 1, 2, 3, 4, 5}  # pages with parts cached under the data stamps (core.stamps)
    project = Placement.objects.filter(item__plan=plan, is_home=True).order_by("-item__sort_key").first().project
    _publish(plan, joho)
    pages += [  # anonymous, as a proxy would ask for them (no session)
        ("公開:施策体系 /open/plans/<計画>/", None, f"/open/plans/{plan.code}/"),
        ("公開:事業 /open/projects/<計画>/<コード>/", None, f"/open/projects/{plan.code}/{project.code}/"),
    ]
    warnings.filterwarnings("ignore", "No directory at")  # whitenoise: no collectstatic here
    rows, uncached = [], []
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
        for i, (label, user, url) in enumerate(pages):
            client = Client(HTTP_HOST="127.0.0.1")
            if user is not None:
                client.force_login(user)
            rows.append(_time(label, client, url, n))
            if i in cached:
                uncached.append(_time(f"{label}(書き込み直後)", client, url, n, uncached=True))
    return rows + uncached


def _publish(plan: Plan, joho: User) -> None:
    """The city's plan published, and its first cycle (whose reports are mostly 判断済 or
    反映済: the others are not shown), so that the public pages show what a city's would.
    The cycle's record is written directly: publish_cycle refuses a cycle with reports
    not yet decided, which the generated cycles have."""
    from publication import services
    from publication.models import CyclePublication, PublicationStatus

    if not hasattr(plan, "publication"):
        services.publish_plan(user=joho, plan=plan)
    first = ReviewCycle.objects.filter(plan=plan).order_by("fiscal_year").first()
    CyclePublication.objects.get_or_create(cycle=first, defaults={
        "status": PublicationStatus.PUBLISHED, "published_on": date.today(), "published_by": joho})


def _render(label: str, args: list[str], seconds: float, mib: float | None = None) -> Row:
    """Run one manage.py command in its own child; wall time and that child's peak RSS."""
    err = Path(settings.BASE_DIR) / "var" / "bench-stderr.txt"
    start = time.perf_counter()
    with err.open("wb") as stderr:
        child = subprocess.Popen([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR,
                                 stdout=subprocess.DEVNULL, stderr=stderr)
        timer = threading.Timer(BOOK_TIME_LIMIT, child.kill)
        timer.start()
        sampler = _TreeMemory(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        sampler.stop.set()
        sampler.join()
        timer.cancel()
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    peak = max(usage.ru_maxrss * 1024, sampler.peak) / 2**20
    target = f"<{seconds}s" + (f", <{mib / 1024:g}GiB" if mib else "")
    ok = child.returncode == 0 and elapsed < seconds and (mib is None or peak < mib)
    note = "" if child.returncode == 0 else (
        f"失敗 (終了コード {child.returncode}): " + err.read_text(errors="replace").strip()[-200:])
    return Row(label, seconds=elapsed, peak_mib=peak, target=target, ok=ok, note=note)


class _TreeMemory(threading.Thread):
    """Samples the summed RSS (bytes) of a process and all its descendants."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self):
        page = os.sysconf("SC_PAGE_SIZE")
        while not self.stop.wait(0.05):
            children: dict[int, list[int]] = {}
            for entry in os.scandir("/proc"):
                if entry.name.isdecimal():
                    try:
                        stat = Path(entry.path, "stat").read_text()
                    except OSError:
                        continue
                    parent = int(stat.rsplit(")", 1)[1].split()[1])
                    children.setdefault(parent, []).append(int(entry.name))
            total, todo = 0, [self.pid]
            while todo:
                pid = todo.pop()
                todo += children.get(pid, [])
                try:
                    total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
                except (OSError, IndexError):
                    pass
            self.peak = max(self.peak, total)


def measure_books() -> list[Row]:
    cycle = ReviewCycle.objects.filter(plan__code=REPORT_PLAN).order_by("fiscal_year")[0]
    reports = cycle.reports.count()
    connection.close()  # the children read the database on their own
    plan_book = ["export_plan_pdf", "--plan", "second", "--with-sheets",
                 "--output", "var/bench-plan.pdf"]
    report = ["export_report_pdf", "--cycle", str(cycle.pk), "--output", "var/bench-report.pdf"]
    return [_render("計画書(second、シート付き)", plan_book, PLAN_BOOK_S),
            _render(f"進行管理報告書({reports} 事業)", report, REPORT_S, REPORT_MIB),
            measure_papers(cycle)]


def measure_papers(cycle: ReviewCycle) -> Row:
    """The 検討会議's papers for PAPERS_ITEMS reports of `cycle`, by the real command in a child."""
    meeting = papers_meeting(cycle)
    connection.close()  # the child reads the database on its own
    papers = ["export_papers_pdf", "--meeting", str(meeting.pk), "--output", "var/bench-papers.pdf"]
    return _render(f"会議資料({PAPERS_ITEMS} 議題)", papers, PAPERS_S, PAPERS_MIB)


def papers_meeting(cycle: ReviewCycle) -> Meeting:
    """A 検討会議 meeting of `cycle` with its first PAPERS_ITEMS reports on the agenda: made
    the first time (bulk-created, as the rest of the city), kept for the next run."""
    title = f"生成会議({PAPERS_ITEMS} 議題)"
    meeting = Meeting.objects.filter(cycle=cycle, title=title).first()
    if meeting is None:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                body=Body.objects.get(kind=BodyKind.COMMITTEE), cycle=cycle, title=title,
                held_on=date(cycle.fiscal_year + 1, 6, 20), place="庁議室",
                prepared_by=User.objects.filter(is_staff=True).order_by("pk").first())
            reports = cycle.reports.order_by("sheet__project__code")[:PAPERS_ITEMS]
            AgendaItem.objects.bulk_create(AgendaItem(meeting=meeting, report=report, position=i)
                                           for i, report in enumerate(reports, 1))
    return meeting


# ─── The table ───────────────────────────────────────────────────────────────

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _f(value: float | None, spec: str) -> str:
    return "" if value is None else spec.format(value)


def format_table(rows: list[Row]) -> str:
    head = ["項目", "中央値", "p95", "床 中央値", "床 p95", "倍率", "SQL", "実時間", "最大メモリ",
            "目標", "判定"]
    body = [[r.label, _f(r.median, "{:.1f} ms"), _f(r.p95, "{:.1f} ms"),
             _f(r.floor and r.floor[0], "{:.1f} ms"), _f(r.floor and r.floor[1], "{:.1f} ms"),
             r.note if r.median is not None else "", _f(r.queries, "{}"), _f(r.seconds, "{:.1f} s"),
             _f(r.peak_mib, "{:.0f} MiB") if (r.peak_mib or 0) < 1024
             else f"{r.peak_mib / 1024:.2f} GiB",
             r.target, "" if r.ok is None else ("OK" if r.ok else "NG ✗")] for r in rows]
    widths = [max(_width(line[i]) for line in [head, *body]) for i in range(len(head))]
    right = set(range(1, 9))

    def line(cells):
        return "  ".join(" " * (w - _width(c)) + c if i in right else c + " " * (w - _width(c))
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(head), "  ".join("-" * w for w in widths)] + [line(cells) for cells in body]
    failures = [f"  {r.label}: {r.note}" for r in rows if r.median is None and r.note]
    return "\n".join(out + failures)

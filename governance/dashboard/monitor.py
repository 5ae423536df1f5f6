"""情報推進課's monitor: what is going stale in a plan — sheets nobody has updated for
months, sections with sheets but no one who can act for them, and reports still being
written as their deadline comes. Plain reads, a fixed number of queries each."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from accounts.models import Section, User
from governance.cycles.services import active_sheets
from governance.models import AnnualReport, CycleStatus, ReportState
from projects.models import ProjectSheet

MONTHS = (3, 6, 12, 24)  # the choices of 「更新がない期間」
DAYS = (7, 14, 30)  # the choices of 「提出期限まで」
LIST_LIMIT = 200  # rows shown per list; the count says how many there are


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when it has no such day)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def stale_sheets(plan, months: int, today: date):
    """(count, the first LIST_LIMIT) of the plan's sheets (those whose period overlaps
    the plan's) whose last save is `months` or more ago, oldest first."""
    since = timezone.make_aware(datetime.combine(months_before(today, months), time.min))
    sheets = (active_sheets(plan, range(plan.start_year, plan.end_year + 1)).prefetch_related(None)
              .filter(updated_at__lt=since).with_basics().order_by("updated_at", "project__code"))
    return sheets.count(), list(sheets[:LIST_LIMIT])


@dataclass
class Orphan:
    section: Section
    sheets: int


def sections_without_staff(plan):
    """The sections that keep sheets of the plan but have no active user who can act for
    them (department staff or the 課長: User.objects.acting(), the one rule)."""
    acting = User.objects.acting().filter(section=OuterRef("pk"))
    rows = (Section.objects.filter(sheets__project__plan=plan)
            .annotate(sheet_count=Count("sheets", distinct=True), staffed=Exists(acting))
            .filter(staffed=False).select_related("department")
            .order_by("department__sort_order", "sort_order"))
    return [Orphan(section, section.sheet_count) for section in rows]


@dataclass
class Pending:
    report: AnnualReport
    days_left: int

    @property
    def when(self):
        if self.days_left < 0:
            return f"期限を {-self.days_left} 日過ぎています"
        return "本日が期限" if self.days_left == 0 else f"あと {self.days_left} 日"


def reports_near_deadline(plan, days: int, today: date):
    """The reports still 作成中 or 差戻し中 in the plan's open cycles whose deadline is
    at most `days` away (or past), the nearest deadline first."""
    reports = (AnnualReport.objects.filter(cycle__plan=plan, cycle__status=CycleStatus.OPEN,
                                           cycle__deadline__lte=today + timedelta(days=days),
                                           state__in=[ReportState.DRAFT, ReportState.RETURNED])
               .select_related("cycle", "sheet__project", "section__department")
               .order_by("cycle__deadline", "section__department__sort_order", "section__sort_order",
                         "sheet__project__code"))
    count = reports.count()
    return count, [Pending(report, (report.cycle.deadline - today).days) for report in reports[:LIST_LIMIT]]

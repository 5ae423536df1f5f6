"""`make bench`: import of a 10,000-row yearly-results xlsx on the bench city, dry
run and real, beside the time openpyxl alone takes to read the same file.

Everything happens in one transaction that is rolled back: the reports are
given to one section in the 作成中 state so that one department user may change
them all, every 実績値 is raised by one, and the city is left as it was.
Target: the real import within 10× openpyxl's read.
"""

import io
import time

from django.db import transaction
from openpyxl import load_workbook

from accounts.models import Position, User
from exchange import services
from exchange.files import SheetSpec, read_upload, write_xlsx
from governance.models import AnnualReport, IndicatorResult, ReportState, ReviewCycle
from governance.resources import ResultResource

ROWS, RATIO = 10_000, 10.0


def _timed(run):
    start = time.perf_counter()
    value = run()
    return time.perf_counter() - start, value


def _openpyxl_read(data):
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    return sum(1 for sheet in book.worksheets for _ in sheet.iter_rows(values_only=True))


def measure_import(rows: int = ROWS):
    from demo.bench import CITY_PLAN, Row

    with transaction.atomic():
        cycle = ReviewCycle.objects.filter(plan__code=CITY_PLAN).order_by("-fiscal_year").first()
        user = User.objects.filter(username__startswith="bench-staff", position=Position.STAFF,
                                   is_active=True).order_by("username").first()
        results = IndicatorResult.objects.filter(report__cycle=cycle).order_by("pk")[:rows]
        report_ids = set(results.values_list("report_id", flat=True))
        AnnualReport.objects.filter(pk__in=report_ids).update(section_id=user.section_id, state=ReportState.DRAFT)
        resource = ResultResource(user=user, cycle=cycle)
        dataset = resource.export(queryset=resource.export_queryset().filter(pk__in=results.values("pk")))
        column = dataset.headers.index("実績値")
        for index, values in enumerate(dataset):
            values = list(values)
            values[column] = (values[column] or 0) + 1
            dataset[index] = values
        data = write_xlsx([SheetSpec(title=resource.title, dataset=dataset)])
        read_s, count = _timed(lambda: _openpyxl_read(data))

        def run(commit):
            upload = read_upload(io.BytesIO(data), "results.xlsx")
            return services.run_import(upload, user=user, plan=cycle.plan, commit=commit)

        dry_s, dry = _timed(lambda: run(False))
        real_s, real = _timed(lambda: run(True))
        transaction.set_rollback(True)

    label = f"{len(dataset):,} 行の指標の実績(xlsx)"
    note = f"変更 {real.changed_rows:,} 行、誤り {len(real.errors)} 件"
    return [
        Row(f"openpyxl での読み込み({label})", seconds=read_s, note=f"{count:,} 行"),
        Row(f"取り込みの確認(dry run、{label})", seconds=dry_s, target=f"≤{RATIO:g}×openpyxl",
            ok=dry_s <= RATIO * read_s and not dry.errors, note=f"{dry_s / read_s:.1f}×"),
        Row(f"取り込み({label})", seconds=real_s, target=f"≤{RATIO:g}×openpyxl",
            ok=real_s <= RATIO * read_s and real.applied, note=f"{real_s / read_s:.1f}×、{note}"),
    ]

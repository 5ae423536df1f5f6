"""Write a cycle's 進行管理報告書 as a PDF.

    python manage.py export_report_pdf --cycle 1 --output report.pdf
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.books.render import cycle_report
from governance.models import ReviewCycle


class Command(BaseCommand):
    help = "進行管理報告書を PDF に出力します。"

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, required=True, help="進行管理の番号(画面の URL の数字)")
        parser.add_argument("--output", required=True, help="出力する PDF ファイル")

    def handle(self, *args, cycle, output, **options):
        cycle_obj = ReviewCycle.objects.select_related("plan").filter(pk=cycle).first()
        if cycle_obj is None:
            raise CommandError(f"進行管理 {cycle} が見つかりません。")
        data = cycle_report(cycle_obj)
        Path(output).write_bytes(data)
        self.stdout.write(f"{output} に出力しました({len(data):,} バイト)。")

"""Write the plan book as a PDF, as the 「PDF の作成」 page does in the background.

    python manage.py export_plan_pdf --output plan.pdf [--plan second] [--with-sheets]
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.books.render import plan_book
from plans.models import Plan


class Command(BaseCommand):
    help = "計画書を PDF に出力します。"

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="出力する PDF ファイル")
        parser.add_argument("--plan", help="計画コード(省略時は現行計画。現行計画でない計画、例えば前の計画も指定できます)")
        parser.add_argument("--with-sheets", action="store_true", help="全事業の情報化事業シートを付ける")

    def handle(self, *args, output, plan=None, with_sheets=False, **options):
        plan_obj = Plan.objects.filter(code=plan).first() if plan else Plan.objects.current()
        if plan_obj is None:
            raise CommandError(f"計画「{plan}」が見つかりません。" if plan else "策定済みの計画がありません。")
        data = plan_book(plan_obj, with_sheets=with_sheets)
        Path(output).write_bytes(data)
        self.stdout.write(f"{output} に出力しました({len(data):,} バイト)。")

"""Write the PDF of one 情報化事業シート, as the sheet page's 「PDF」 button does.

    python manage.py export_sheet_pdf 2-3-1-01 --output sheet.pdf [--plan second]
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from projects.layout import layout_for
from projects.models import ProjectSheet
from projects.pdf import render_sheet_pdf


class Command(BaseCommand):
    help = "情報化事業シートを PDF に出力します。"

    def add_arguments(self, parser):
        parser.add_argument("code", help="事業コード(例:2-3-1-01)")
        parser.add_argument("--output", required=True, help="出力する PDF ファイル")
        parser.add_argument("--plan", help="計画コード(省略時は現行計画。現行計画でない計画、例えば前の計画も指定できます)")

    def handle(self, *args, code, output, plan=None, **options):
        plan_obj = Plan.objects.filter(code=plan).first() if plan else Plan.objects.current()
        if plan_obj is None:
            raise CommandError(f"計画「{plan}」が見つかりません。" if plan else "策定済みの計画がありません。")
        sheet = ProjectSheet.objects.with_details().filter(project__plan=plan_obj, project__code=code).first()
        if sheet is None:
            raise CommandError(f"{plan_obj.name} に事業コード「{code}」のシートはありません。")
        data = render_sheet_pdf(layout_for(sheet))
        Path(output).write_bytes(data)
        self.stdout.write(f"{output} に出力しました({len(data):,} バイト)。")

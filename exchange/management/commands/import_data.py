"""Import an xlsx or CSV file with the same resources and checks as the data pages.

    python manage.py import_data results results.xlsx --user demo-staff-a --dry-run
    python manage.py import_data template 入力用_市民課.xlsx --user demo-staff-a
    python manage.py import_data template 入力用_市民課.xlsx --user demo-staff-a --plan second

Nothing is written unless every row is valid; --dry-run only lists what would change.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchange import services
from exchange.files import FileRejected, read_upload
from exchange.management.commands.export_data import _user
from plans.models import Plan


class Command(BaseCommand):
    help = "xlsx または CSV を取り込みます(誤りが1つでもあれば何も変更しません)"

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=[*services.IMPORTABLE, "template"],
                            help="CSV の内容(xlsx はシート名で判断します。入力用ファイルは template)")
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="取り込む利用者(履歴に記録されます)")
        parser.add_argument("--plan", help="取り込み先の計画コード(省略時は現行計画。現行計画でない計画、例えば前の計画も指定できます)")
        parser.add_argument("--dry-run", action="store_true", help="変わる内容と誤りを表示するだけで保存しません")

    def handle(self, *args, resource, file, user, plan=None, dry_run=False, **options):
        user = _user(user)
        plans = Plan.objects.visible_to(user)
        plan_obj = plans.filter(code=plan).first() if plan else plans.current()
        if plan_obj is None:
            raise CommandError(f"計画「{plan}」が見つかりません。" if plan else "策定済みの計画がありません。")
        path = Path(file)
        if not path.exists():
            raise CommandError(f"{file} がありません。")
        try:
            with path.open("rb") as stream:
                upload = read_upload(stream, path.name)
        except FileRejected as error:
            raise CommandError(error.message) from None
        outcome = services.run_import(upload, user=user, plan=plan_obj, commit=not dry_run,
                                      resource_name=None if resource == "template" else resource)
        for change in outcome.changes:
            for column, before, after in change.changes:
                self.stdout.write(f"{change.sheet} {change.row}行 {change.key} {column}: {before!r} → {after!r}")
        for error in outcome.errors:
            self.stderr.write(f"{error.sheet or '-'} {error.row}行 {error.column or '-'}: {error.message}")
        summary = (f"変更 {outcome.changed_rows} 行、変更なし {outcome.unchanged} 行、"
                   f"変更のない他の課の行 {outcome.outside} 行(取り込まず)、誤り {len(outcome.errors)} 件")
        if outcome.errors:
            raise CommandError(summary + "。何も変更していません。")
        self.stdout.write(summary + ("。確認のみ(保存していません)。" if dry_run else "。取り込みました。"))

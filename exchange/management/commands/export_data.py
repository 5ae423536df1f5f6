"""Export a resource to xlsx or CSV (UTF-8 with BOM), as the data pages do.

    python manage.py export_data sheets --output sheets.xlsx --user demo-joho
    python manage.py export_data results --cycle 1 --output results.csv --user demo-joho
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from exchange import services
from exchange.files import write_csv, write_xlsx
from governance.models import ReviewCycle
from plans.models import Plan


class Command(BaseCommand):
    help = "データを xlsx または CSV に取り出します(RESOURCE: " + ", ".join([*services.RESOURCES, "summary"]) + ")"

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=[*services.RESOURCES, "summary"])
        parser.add_argument("--output", required=True, help="出力ファイル(.xlsx または .csv)")
        parser.add_argument("--user", required=True, help="取り出す利用者(その人が読める範囲を取り出します)")
        parser.add_argument("--cycle", type=int, help="進行管理の番号(実績報告・指標の実績・集計表)")
        parser.add_argument("--plan", help="計画コード(省略時は現行計画。現行計画でない計画、例えば前の計画も指定できます)")

    def handle(self, *args, resource, output, user, cycle=None, plan=None, **options):
        user = _user(user)
        plan_obj = Plan.objects.filter(code=plan).first() if plan else Plan.objects.current()
        if plan_obj is None:
            raise CommandError(f"計画「{plan}」が見つかりません。" if plan else "策定済みの計画がありません。")
        cycle_obj = None
        if cycle is not None:
            cycle_obj = ReviewCycle.objects.filter(pk=cycle).select_related("plan").first()
            if cycle_obj is None:
                raise CommandError(f"進行管理 {cycle} はありません。")
            plan_obj = cycle_obj.plan
        elif resource == "summary":
            raise CommandError("集計表には --cycle が必要です。")
        specs = services.export_specs(resource, user=user, plan=plan_obj, cycle=cycle_obj)
        path = Path(output)
        body = write_csv(specs[0].dataset) if path.suffix.lower() == ".csv" else write_xlsx(specs)
        path.write_bytes(body)
        self.stdout.write(f"{path}: {len(specs[0].dataset)} 行")


def _user(username):
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"利用者 {username} はいません。")
    return user

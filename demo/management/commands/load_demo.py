"""Load the demo data of the README (never in production): demo master-plan codes,
the demo users (password 「demo」) and a 平成28年度 cycle with reports in every state.

    python manage.py load_demo          (`load_plan --demo` runs it after the seed)

Refused unless DEMO_USERS_ALLOWED is set (it is with DEBUG on, as `make run` runs).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import create_demo_users
from demo.data import create_demo_cycle
from plans.services import load_demo_master_plan_codes


class Command(BaseCommand):
    help = "デモ用の利用者・総合基本計画コード・進行管理を作成します(開発・説明用)。"

    def handle(self, *args, **options):
        if not settings.DEMO_USERS_ALLOWED:
            raise CommandError(
                "デモ利用者は DEMO_USERS_ALLOWED=true(または DEBUG=true)のときだけ作成できます。"
            )
        codes = load_demo_master_plan_codes()
        self.stdout.write(f"デモ用の総合基本計画コード: {codes} 件を作成しました。")
        users = create_demo_users()
        self.stdout.write(f"デモ利用者: {len(users)} 人を作成しました。")
        cycle = create_demo_cycle()
        if cycle:
            self.stdout.write(f"デモ用の進行管理: {cycle}({cycle.reports.count()} 件の実績報告)を作成しました。")

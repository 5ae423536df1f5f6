"""Load the organisation, the governance bodies, the seed plans (fixtures/) and
their sheets into a new database.

Safe to run again: what exists already is left as it is, so users' edits
survive. `--demo` also creates the demo users (password 「demo」); it is refused
unless DEMO_USERS_ALLOWED is set (it is with DEBUG on, as `make run` runs).
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts.services import load_organisation
from governance.meetings.seed import load_bodies
from plans.models import Plan
from plans.services import load_seed_plans
from projects.services import ensure_sheets


class Command(BaseCommand):
    help = "組織と計画の初期データを読み込みます(既にあるデータは変更しません)。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo", action="store_true", help="デモ用の利用者(パスワード demo)も作成します。"
        )

    def handle(self, *args, demo=False, **options):
        if demo and not settings.DEMO_USERS_ALLOWED:
            raise CommandError(
                "デモ利用者は DEMO_USERS_ALLOWED=true(または DEBUG=true)のときだけ作成できます。"
            )
        sections = load_organisation()
        self.stdout.write(f"組織: {sections} 課を追加しました。")
        bodies = load_bodies()
        self.stdout.write(f"会議体: {bodies} 件を追加しました。")
        plans = load_seed_plans()
        if plans:
            for plan in plans:
                self.stdout.write(f"計画: {plan.name} を読み込みました。")
        else:
            self.stdout.write("計画: 読み込み済みのため変更しませんでした。")
        sheets = sum(ensure_sheets(plan=plan) for plan in Plan.objects.all())
        self.stdout.write(f"情報化事業シート: {sheets} 件を作成しました。")
        if demo:
            # The demo data live in the demo app, outside the product's packages.
            call_command("load_demo", stdout=self.stdout)

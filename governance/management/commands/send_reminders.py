"""Send the reminders that are due: for each open cycle whose deadline is within
--days days or past, one e-mail a day to each section with unsubmitted reports.
The mails are recorded and sent by the task worker (`manage.py db_worker`); those
that fail are listed on メール送信状況 (/mail/) for 情報推進課 to send again.

Ready for cron, e.g. every weekday at 8:30:
    30 8 * * 1-5  cd /srv/akishima-ict && .venv/bin/python manage.py send_reminders
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from governance.notifications import send_reminders


class Command(BaseCommand):
    help = "提出期限が近い・過ぎた実績報告の督促メールを送ります(同じ日に同じ課へは 1 回だけ)。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="期限の何日前から督促するか(既定 7)")

    def handle(self, *args, days=7, **options):
        sent = send_reminders(today=timezone.localdate(), days_before=days)
        self.stdout.write(f"{sent} 課に督促メールを送りました。")

"""Delete uploaded files that were never confirmed, older than IMPORT_UPLOAD_KEEP_HOURS.

    python manage.py purge_uploads            # e.g. daily from cron or a systemd timer
    python manage.py purge_uploads --dry-run  # only list them

Each new upload also deletes the expired ones; this command covers a server that
receives no upload for a long time.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from exchange.uploads import purge_expired


class Command(BaseCommand):
    help = "確定されずに残った取り込みファイルのうち、保存期間を過ぎたものを削除します"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="削除するファイルを表示するだけで削除しません")
        parser.add_argument("--hours", type=float, default=None,
                            help=f"保存期間(時間。既定は IMPORT_UPLOAD_KEEP_HOURS = {settings.IMPORT_UPLOAD_KEEP_HOURS})")

    def handle(self, *args, dry_run=False, hours=None, **options):
        expired = purge_expired(keep_hours=hours, dry_run=dry_run)
        for path in expired:
            self.stdout.write(f"  {path.name}")
        verb = "削除します(--dry-run のため削除していません)" if dry_run else "削除しました"
        self.stdout.write(f"保存期間を過ぎた取り込みファイル {len(expired)} 件を{verb}。")

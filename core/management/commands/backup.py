"""Back up the database and the PDF books (MEDIA_ROOT) into one file (see core.backup).

    python manage.py backup --output /var/backups/akishima-ict/
    python manage.py backup --output akishima.tar.gz [--no-media]

Safe while the application runs. With a folder as --output, the file is named after the
time, e.g. akishima-ict-20261126-0230.tar.gz.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "データベースと作成済みの PDF を 1 つのファイルにバックアップします(アプリケーションの稼働中でも可)。"

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True,
                            help="書き出すファイル、またはフォルダ(フォルダなら日時の名前で作成)")
        parser.add_argument("--no-media", action="store_true", help="MEDIA_ROOT の PDF を含めません")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="データベースの別名(既定 default)")

    def handle(self, *args, output, no_media=False, database=DEFAULT_DB_ALIAS, **options):
        target = Path(output)
        if target.is_dir() or output.endswith("/"):
            target = target / f"akishima-ict-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        try:
            manifest = create_backup(target, database=connections[database].settings_dict,
                                     include_media=not no_media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = target.stat().st_size
        self.stdout.write(
            f"バックアップを作成しました:{target}({size / 1024 / 1024:.1f} MiB、"
            f"{manifest.engine}、テーブル {len(manifest.tables)}、PDF など {manifest.media_files} ファイル)"
        )

"""Restore a file made by `manage.py backup` (see core.backup and the README).

    python manage.py restore akishima-ict-20261126-0230.tar.gz [--force] [--noinput]

Refuses a file from another engine or from a newer version of the application, and asks
before overwriting a database that holds data (--force to overwrite; --noinput never asks).
Stop the web servers and the task worker first.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from core.backup import (BackupError, check_restorable, database_has_data, read_manifest,
                         restore_backup)


class Command(BaseCommand):
    help = "backup で作ったファイルからデータベースと PDF を復元します。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup で作ったファイル")
        parser.add_argument("--force", action="store_true",
                            help="データのあるデータベースでも確認せずに上書きします")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="何も尋ねません(データがあれば --force がない限り中止)")
        parser.add_argument("--no-media", action="store_true", help="PDF などのファイルは復元しません")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="データベースの別名(既定 default)")

    def handle(self, *args, file, force=False, interactive=True, no_media=False,
               database=DEFAULT_DB_ALIAS, **options):
        settings_dict = connections[database].settings_dict
        try:
            manifest = read_manifest(Path(file))
            check_restorable(manifest, database=settings_dict)
            self.stdout.write(
                f"バックアップ:{manifest.created_at} 作成、版 {manifest.app_version}、{manifest.engine}、"
                f"PDF など {manifest.media_files} ファイル"
            )
            if not force and database_has_data(settings_dict):
                self._confirm_overwrite(settings_dict, interactive)
            manifest = restore_backup(Path(file), database=settings_dict, restore_media=not no_media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS("復元しました。"))
        for warning in manifest.warnings:
            self.stdout.write(self.style.WARNING(warning))

    def _confirm_overwrite(self, settings_dict, interactive):
        refusal = (f"データベース {settings_dict['NAME']} にはデータがあります。"
                   "上書きする場合は --force を付けて実行してください。")
        if not interactive:
            raise CommandError(refusal)
        answer = input(f"データベース {settings_dict['NAME']} にはデータがあります。"
                       "すべてバックアップの内容で置き換えます。よろしければ yes と入力してください:")
        if answer.strip().lower() != "yes":
            raise CommandError("復元を中止しました。データベースは変更していません。")

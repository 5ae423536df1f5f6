"""Measure the pages and books on a large generated city (see demo.bench).

    SQLITE_PATH=var/bench.sqlite3 DEBUG=true python manage.py bench [--rebuild]

`make bench` runs it. The city is built in that separate database the first time
and kept; --rebuild deletes the file and builds it again.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo import bench


class Command(BaseCommand):
    help = "大規模な生成データで画面と PDF の性能を測ります(make bench)。"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="生成データを作り直します")
        parser.add_argument("--requests", type=int, default=30, help="画面ごとの計測回数(既定 30)")
        parser.add_argument("--no-books", action="store_true", help="PDF の計測を省きます")

    def handle(self, *args, rebuild=False, requests=30, no_books=False, **options):
        database = settings.DATABASES["default"]
        name = Path(str(database["NAME"])).resolve()
        if database["ENGINE"] != "django.db.backends.sqlite3" or name == Path(
            settings.BASE_DIR, "var", "db.sqlite3"
        ).resolve():
            raise CommandError("別の SQLite ファイルで実行してください:SQLITE_PATH=var/bench.sqlite3(make bench)")
        if rebuild:
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{name}{suffix}").unlink(missing_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if not bench.city_built():
            self.stderr.write(f"生成データを {name} に作成しています(初回は数分かかります)…")
            start = time.perf_counter()
            bench.build_city()
            self.stderr.write(f"作成しました({time.perf_counter() - start:.0f} 秒)。")
        self.stderr.write(f"画面を計測しています(各 {requests} 回)…")
        rows = bench.measure_pages(requests)
        if not no_books:
            self.stderr.write("PDF を作成して計測しています…")
            rows += bench.measure_books()
        from demo.bench_import import measure_import  # exchange sits above governance

        self.stderr.write("Excel の取り込み(1 万行)を計測しています…")
        rows += measure_import()
        self.stdout.write(bench.format_table(rows))

"""Write a meeting's papers as a PDF, as the meeting page orders them in the background.

    python manage.py export_papers_pdf --meeting 1 --output papers.pdf
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.books.render import meeting_papers
from governance.models import Meeting


class Command(BaseCommand):
    help = "会議資料を PDF に出力します。"

    def add_arguments(self, parser):
        parser.add_argument("--meeting", type=int, required=True, help="会議の番号(画面の URL の数字)")
        parser.add_argument("--output", required=True, help="出力する PDF ファイル")

    def handle(self, *args, meeting, output, **options):
        meeting_obj = Meeting.objects.select_related("body", "cycle__plan").filter(pk=meeting).first()
        if meeting_obj is None:
            raise CommandError(f"会議 {meeting} が見つかりません。")
        data = meeting_papers(meeting_obj)
        Path(output).write_bytes(data)
        self.stdout.write(f"{output} に出力しました({len(data):,} バイト)。")

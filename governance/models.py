"""Governance: the bodies (by post, not by name), the yearly review cycles, the
実績報告 with its workflow events, and the meetings that evaluate and decide."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Position
from core import fiscal
from core.constraints import PythonChecks
from governance.querysets import BookJobQuerySet, ReportQuerySet
from governance.vocab import Decision, Direction, Evaluation, ImplementationStatus, Progress, ReportAction

TEXT_LIMIT = 4000


class BodyKind(models.TextChoices):
    HEADQUARTERS = "headquarters", "情報化戦略本部"
    COMMITTEE = "committee", "情報化推進検討会議"
    SECURITY = "security", "情報セキュリティ委員会"
    ADVISOR = "advisor", "CIO補佐官"
    WORKING_GROUP = "working_group", "ワーキンググループ"
    ICT_LEADERS = "ict_leaders", "ICT推進リーダー"
    SECRETARIAT = "secretariat", "事務局"


class Body(models.Model):
    """A governance body of 表1-1 / the 要綱."""

    code = models.SlugField("コード", max_length=40, unique=True)
    kind = models.CharField("種類", max_length=20, choices=BodyKind)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name="設置元")
    role = models.TextField("主な役割", blank=True)
    makeup = models.TextField(
        "体制(職の席で表さない場合)", blank=True,
        help_text="席(職)を持たない体制の書き方。1 行ずつ表1-1 に載ります(例:各業務部門職員/兼情報セキュリティリーダー)。",
    )

    class Meta:
        verbose_name = "会議体"
        verbose_name_plural = "会議体"
        ordering = ["pk"]

    def __str__(self):
        return self.name


class SeatRole(models.TextChoices):
    CHAIR = "chair", "長(本部長・会長・委員長)"
    VICE_CHAIR = "vice_chair", "副(副本部長・副会長)"
    MEMBER = "member", "構成員"


class Seat(models.Model):
    """A seat on a body, held by whoever holds a post (職): 「総務部長」, 「企画政策課長」,
    「部長職」. The rights follow the post to its new holder."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="seats", verbose_name="会議体")
    role = models.CharField("役割", max_length=12, choices=SeatRole, default=SeatRole.MEMBER)
    position = models.CharField("職", max_length=20, choices=Position)
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, null=True,
                                   blank=True, verbose_name="部(特定の部の職)")
    section = models.ForeignKey("accounts.Section", on_delete=models.PROTECT, null=True,
                                blank=True, verbose_name="課(特定の課の職)")
    sort_order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "構成(職による)"
        verbose_name_plural = "構成(職による)"
        ordering = ["body", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["body"], condition=Q(role="chair"), name="seat_one_chair_per_body"
            ),
            models.UniqueConstraint(
                fields=["body"], condition=Q(role="vice_chair"), name="seat_one_vice_chair_per_body"
            ),
        ]

    def __str__(self):
        return f"{self.body} {self.get_role_display()}:{self.post_label}"

    @property
    def post_label(self):
        if self.section_id:
            return f"{self.section}長"
        if self.department_id:
            return f"{self.department.name}長"
        return f"{self.get_position_display()}職"

    def holder_filter(self, prefix=""):
        """A Q for the users who hold this seat's post."""
        q = Q(**{f"{prefix}position": self.position, f"{prefix}is_active": True})
        if self.section_id:
            q &= Q(**{f"{prefix}section_id": self.section_id})
        if self.department_id:
            q &= Q(**{f"{prefix}department_id": self.department_id})
        return q


class CycleKind(models.TextChoices):
    ANNUAL = "annual", "年次進行管理"
    MIDTERM = "midterm", "中間見直し"
    FINAL = "final", "最終見直し"


class CycleStatus(models.TextChoices):
    OPEN = "open", "実施中"
    CLOSED = "closed", "確定"


class ReviewCycle(models.Model):
    """進行管理: one round of reporting on a fiscal year's results."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="cycles",
                             verbose_name="計画")
    kind = models.CharField("種類", max_length=10, choices=CycleKind, default=CycleKind.ANNUAL)
    fiscal_year = models.PositiveSmallIntegerField("対象年度", help_text="実績を報告する年度")
    deadline = models.DateField("提出期限")
    status = models.CharField("状態", max_length=10, choices=CycleStatus, default=CycleStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="開始した人")
    opened_at = models.DateTimeField("開始日時", auto_now_add=True)
    # Set and cleared by governance.cycles.closing (close_cycle / reopen_cycle), which also
    # write a CycleEvent with the reason; never edited directly.
    closed_at = models.DateTimeField("確定日時", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="確定した人")

    class Meta:
        verbose_name = "進行管理"
        verbose_name_plural = "進行管理"
        ordering = ["-fiscal_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "fiscal_year", "kind"], condition=Q(status="open"),
                name="cycle_one_open_per_year_and_kind",
            ),
        ]

    def __str__(self):
        return f"{fiscal.fy_label(self.fiscal_year)} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("governance:cycle_detail", kwargs={"pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.status == CycleStatus.CLOSED

    @property
    def result_year(self):
        """The year whose targets and actual values the reports compare: the
        cycle's year, or the last year a review covers."""
        return self.covered_years[-1]

    @property
    def covered_years(self):
        """The years whose results the cycle looks at (図3-3)."""
        start = self.plan.start_year
        if self.kind == CycleKind.MIDTERM:
            return [start, start + 1]
        if self.kind == CycleKind.FINAL:
            return [start + 2, start + 3]
        return [self.fiscal_year]


class CycleAction(models.TextChoices):
    CLOSE = "close", "確定"
    REOPEN = "reopen", "確定の取消し"


class CycleEvent(models.Model):
    """A cycle closed (確定) or opened again: who, when and why."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="events",
                              verbose_name="進行管理")
    action = models.CharField("操作", max_length=10, choices=CycleAction)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="操作した人")
    at = models.DateTimeField("日時", auto_now_add=True)
    reason = models.TextField("理由", max_length=TEXT_LIMIT, blank=True)

    class Meta:
        verbose_name = "進行管理の確定・取消し"
        verbose_name_plural = "進行管理の確定・取消し"
        ordering = ["cycle", "at", "pk"]

    def __str__(self):
        return f"{self.cycle} {self.get_action_display()}"


class ReportState(models.TextChoices):
    DRAFT = "draft", "作成中"
    SUBMITTED = "submitted", "提出済"
    RETURNED = "returned", "差戻し中"
    CONFIRMED = "confirmed", "確認済"
    EVALUATED = "evaluated", "評価済"
    DECIDED = "decided", "判断済"
    REFLECTED = "reflected", "反映済"


class AnnualReport(models.Model):
    """実績報告: a project's results for the cycle's year, and what the bodies made of them."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="reports",
                              verbose_name="進行管理")
    sheet = models.ForeignKey("projects.ProjectSheet", on_delete=models.PROTECT,
                              related_name="reports", verbose_name="情報化事業シート")
    section = models.ForeignKey("accounts.Section", on_delete=models.PROTECT, null=True,
                                related_name="reports", verbose_name="担当部署",
                                help_text="報告を作成する課(開始時のシートの担当部署)")
    state = models.CharField("状態", max_length=12, choices=ReportState, default=ReportState.DRAFT)

    implementation_status = models.CharField("実施状況", max_length=16,
                                             choices=ImplementationStatus, blank=True)
    progress = models.CharField("進捗度", max_length=12, choices=Progress, blank=True)
    work_done = models.TextField("実施した内容", max_length=TEXT_LIMIT, blank=True)
    problems = models.TextField("課題・問題点", max_length=TEXT_LIMIT, blank=True)
    direction = models.CharField("今後の方向性", max_length=12, choices=Direction, blank=True)

    evaluation = models.CharField("検討会議の評価", max_length=1, choices=Evaluation, blank=True)
    evaluation_comment = models.TextField("評価の意見", max_length=TEXT_LIMIT, blank=True)
    evaluated_in = models.ForeignKey("Meeting", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="evaluations", verbose_name="評価した会議")
    decision = models.CharField("戦略本部の判断", max_length=10, choices=Decision, blank=True)
    decision_comment = models.TextField("判断の理由・指示", max_length=TEXT_LIMIT, blank=True)
    decided_in = models.ForeignKey("Meeting", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="decisions", verbose_name="判断した会議")
    targets_at_decision = models.JSONField("判断時点の目標値", default=dict, blank=True)
    sheet_version_at_decision = models.PositiveIntegerField("判断時点のシートの版", null=True, blank=True)
    reflected_sheet_version = models.PositiveIntegerField("反映したシートの版", null=True, blank=True)
    reflection_flags = models.JSONField("反映内容の注意", default=list, blank=True)

    version = models.PositiveIntegerField("版", default=1)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    history = HistoricalRecords(verbose_name="実績報告の履歴")
    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "実績報告"
        verbose_name_plural = "実績報告"
        ordering = ["cycle", "sheet__project__code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "sheet"], name="report_once_per_cycle"),
        ]

    def __str__(self):
        # The project first: in a list of one cycle's reports (the admin's choices) the
        # cycle is the same for every line.
        return f"{self.sheet.project.code} {self.sheet.project.name}({self.cycle})"

    def get_absolute_url(self):
        return reverse("governance:report_detail", kwargs={"pk": self.pk})


class IndicatorResult(PythonChecks, models.Model):
    """The actual value of one indicator for the cycle's year."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="results",
                               verbose_name="実績報告")
    # PROTECT: a reported result is a record of the year; an indicator with one is never
    # deleted with it (projects.forms refuses the deletion with a message; the empty rows
    # a cycle opens with are removed first, projects.services._save_indicators).
    indicator = models.ForeignKey("projects.Indicator", on_delete=models.PROTECT,
                                  related_name="results", verbose_name="指標")
    actual = models.DecimalField("実績値", max_digits=14, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(Decimal(0))])
    note = models.CharField("補足", max_length=400, blank=True)
    # 情報推進課's 達成/未達成 in place of the computed rate's (governance.cycles.services.override_rating).
    override_met = models.BooleanField("達成判定の変更", null=True, blank=True,
                                       choices=[(True, "達成"), (False, "未達成")])
    override_reason = models.TextField("達成判定を変更した理由", max_length=TEXT_LIMIT, blank=True)
    history = HistoricalRecords(verbose_name="指標実績の履歴")

    class Meta:
        verbose_name = "指標の実績"
        verbose_name_plural = "指標の実績"
        ordering = ["report", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="result_once_per_indicator"),
            models.CheckConstraint(condition=Q(actual__gte=0) | Q(actual__isnull=True),
                                   name="result_not_negative"),
            models.CheckConstraint(condition=Q(override_met__isnull=True) | ~Q(override_reason=""),
                                   name="result_override_has_a_reason"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.actual}"


class ReportEvent(models.Model):
    """One state change of a report, or a correction of it (from_state == to_state):
    who, when, from, to, and why."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="events",
                               verbose_name="実績報告")
    action = models.CharField("操作", max_length=20, choices=ReportAction)
    from_state = models.CharField("変更前", max_length=12, choices=ReportState)
    to_state = models.CharField("変更後", max_length=12, choices=ReportState)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="操作した人")
    at = models.DateTimeField("日時", auto_now_add=True)
    comment = models.TextField("コメント", max_length=TEXT_LIMIT, blank=True)

    class Meta:
        verbose_name = "実績報告の状態変更"
        verbose_name_plural = "実績報告の状態変更"
        ordering = ["report", "at", "pk"]

    def __str__(self):
        return f"{self.report} {self.get_from_state_display()}→{self.get_to_state_display()}"


class Meeting(models.Model):
    """A meeting of the 検討会議 or the 戦略本部, with its agenda and what it concluded."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings", verbose_name="会議体")
    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="meetings",
                              verbose_name="進行管理")
    title = models.CharField("会議名", max_length=200)
    held_on = models.DateField("開催日")
    place = models.CharField("場所", max_length=200, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="meetings",
                                       verbose_name="出席者")
    agenda = models.ManyToManyField(AnnualReport, through="AgendaItem", related_name="meetings",
                                    verbose_name="議題(実績報告)")
    minutes = models.TextField("議事録", max_length=20000, blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="準備した人")

    class Meta:
        verbose_name = "会議"
        verbose_name_plural = "会議"
        ordering = ["-held_on", "pk"]

    def __str__(self):
        return f"{self.title}({self.held_on:%Y/%m/%d})"

    def get_absolute_url(self):
        return reverse("governance:meeting_detail", kwargs={"pk": self.pk})


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items", verbose_name="会議")
    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="agenda_items",
                               verbose_name="実績報告")
    position = models.PositiveSmallIntegerField("順番")

    class Meta:
        verbose_name = "議題"
        verbose_name_plural = "議題"
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "report"], name="agenda_once_per_meeting"),
        ]

    def __str__(self):
        return f"議題{self.position} {self.report.sheet.project.name}"


class ReminderLog(models.Model):
    """A reminder sent for a section and cycle, so that cron does not repeat it the same day."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="reminders")
    section = models.ForeignKey("accounts.Section", on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField("送信日")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    recipients = models.PositiveSmallIntegerField("宛先数", default=0)

    class Meta:
        verbose_name = "督促の送信記録"
        verbose_name_plural = "督促の送信記録"
        constraints = [
            models.UniqueConstraint(fields=["cycle", "section", "sent_on"], name="reminder_once_a_day"),
        ]


class BookKind(models.TextChoices):
    PLAN = "plan", "計画書"
    REPORT = "report", "進行管理報告書"
    PAPERS = "papers", "会議資料"


class BookStatus(models.TextChoices):
    QUEUED = "queued", "作成待ち"
    RUNNING = "running", "作成中"
    DONE = "done", "完成"
    FAILED = "failed", "失敗"


class BookJob(models.Model):
    """A PDF book ordered by a user and rendered in the background."""

    kind = models.CharField("種類", max_length=10, choices=BookKind)
    params = models.JSONField("条件", default=dict)
    title = models.CharField("表題", max_length=200)
    status = models.CharField("状態", max_length=10, choices=BookStatus, default=BookStatus.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                     related_name="book_jobs", verbose_name="依頼した人")
    created_at = models.DateTimeField("依頼日時", auto_now_add=True)
    started_at = models.DateTimeField("開始日時", null=True, blank=True)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)
    file = models.FileField("ファイル", upload_to="books/%Y/%m/", blank=True)
    size = models.PositiveIntegerField("大きさ(バイト)", default=0)
    error = models.TextField("失敗の理由", blank=True)
    error_detail = models.TextField("エラーの詳細", blank=True,
                                    help_text="技術的な内容(情報推進課向け。ワーカーのログにも記録)")
    worker = models.CharField("作成したワーカー", max_length=200, blank=True,
                              help_text="ホスト名:プロセス番号:開始時刻")
    task_id = models.UUIDField("タスクの ID", null=True, blank=True)

    objects = BookJobQuerySet.as_manager()

    class Meta:
        verbose_name = "PDF の作成"
        verbose_name_plural = "PDF の作成"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("governance:book_detail", kwargs={"pk": self.pk})

    # A job the worker left behind (process killed, machine restarted) is shown as
    # failed; reading it changes nothing. The next worker to start marks it failed
    # (services.fail_vanished_jobs).
    ABANDONED_MESSAGE = "作成が時間内に終わりませんでした。「もう一度作成」で依頼し直してください。"
    VANISHED_MESSAGE = ("PDF を作るワーカーが作成の途中で止まりました(再起動・強制終了など)。"
                        "「もう一度作成」で依頼し直してください。")

    @property
    def left_behind(self) -> str:
        """Why a job that is not finished never will be; "" while it still may."""
        if self.status not in (BookStatus.QUEUED, BookStatus.RUNNING):
            return ""
        # The task's own state, where the queryset read it (BookJobQuerySet.with_task_status):
        # ended, or gone from the queue, without finishing the job.
        if self.task_id and getattr(self, "task_status", "READY") not in ("READY", "RUNNING"):
            return self.VANISHED_MESSAGE
        if self.status != BookStatus.RUNNING:
            return ""
        from governance.books import workers

        if self.worker and workers.is_gone(self.worker):
            return self.VANISHED_MESSAGE
        limit = timedelta(seconds=settings.BOOK_RENDER_TIME_LIMIT + 120)
        if self.started_at is not None and timezone.now() - self.started_at > limit:
            return self.ABANDONED_MESSAGE
        return ""

    @property
    def shown_status(self) -> str:
        return BookStatus.FAILED if self.left_behind else self.status

    @property
    def shown_status_label(self) -> str:
        return BookStatus(self.shown_status).label

    @property
    def shown_error(self) -> str:
        return self.left_behind or self.error

    @property
    def unfinished(self) -> bool:
        return self.shown_status in (BookStatus.QUEUED, BookStatus.RUNNING)

    def same_book(self, other) -> bool:
        return (self.requested_by_id, self.kind, self.params) == (other.requested_by_id, other.kind, other.params)

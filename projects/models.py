"""情報化事業シート (図3-2, plan p.27): one sheet per project, with its indicators,
their yearly targets and the yearly schedule. Every change is kept in history."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core import fiscal
from core.constraints import PythonChecks
from projects.querysets import SheetQuerySet
from projects.revisions import RevisionFields

TEXT_LIMIT = 2000


class SheetStatus(models.TextChoices):
    DRAFT = "draft", "下書き"
    COMPLETE = "complete", "完成"


class ProjectSheet(PythonChecks, models.Model):
    """情報化事業シート: 基本データ and 事業概要 of one project."""

    project = models.OneToOneField(
        "plans.Project", on_delete=models.CASCADE, related_name="sheet", verbose_name="事業"
    )
    # 基本データ
    section = models.ForeignKey(
        "accounts.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sheets",
        verbose_name="担当部署(課)",
    )
    master_plan_code = models.ForeignKey(
        "plans.MasterPlanCode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sheets",
        verbose_name="第五次総合基本計画コード",
    )
    legal_basis = models.TextField("実施根拠", max_length=TEXT_LIMIT, blank=True,
                                   help_text="事業の根拠となる法令・計画・規則など")
    policy_major = models.CharField("政策項目(大項目)", max_length=100, blank=True)
    policy_middle = models.CharField("政策項目(中項目)", max_length=100, blank=True)
    start_year = models.PositiveSmallIntegerField("事業期間(開始年度)", null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(
        "事業期間(終了年度)", null=True, blank=True, help_text="空欄は終了年度を定めない事業"
    )
    # 事業概要
    target = models.TextField("目的<対象者、対象物>", max_length=TEXT_LIMIT, blank=True)
    objective = models.TextField("目的<目標>", max_length=TEXT_LIMIT, blank=True)
    activities = models.TextField("実施内容", max_length=TEXT_LIMIT, blank=True)

    status = models.CharField("状態", max_length=10, choices=SheetStatus, default=SheetStatus.DRAFT)
    # Optimistic lock: every save checks and increments it (projects.services.save_sheet).
    version = models.PositiveIntegerField("版", default=1)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="更新者",
    )

    history = HistoricalRecords(verbose_name="情報化事業シートの履歴", bases=[RevisionFields])
    objects = SheetQuerySet.as_manager()

    class Meta:
        verbose_name = "情報化事業シート"
        verbose_name_plural = "情報化事業シート"
        ordering = ["project__plan", "project__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=models.F("start_year")),
                name="sheet_period_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.project.name}"

    def get_absolute_url(self):
        return reverse("projects:sheet_detail", kwargs={"plan": self.project.plan.code, "code": self.project.code})

    @property
    def department(self):
        return self.section.department if self.section_id else None

    @property
    def period_label(self):
        if self.start_year is None:
            return ""
        return fiscal.fy_range(self.start_year, self.end_year)


class IndicatorKind(models.TextChoices):
    OUTPUT = "output", "活動指標"
    OUTCOME = "outcome", "成果指標"


class ImprovementDirection(models.TextChoices):
    """改善の方向 of an indicator (not governance.vocab.Direction, a report's 今後の方向性)."""

    UP = "up", "上向き(大きいほど良い)"
    DOWN = "down", "下向き(小さいほど良い)"


class AchievementMethod(models.TextChoices):
    """How an indicator's achievement rate is computed (governance.achievement)."""

    RATIO = "ratio", "目標値に対する割合"
    PROGRESS = "progress", "基準値からの進捗"


class Indicator(models.Model):
    """活動指標 (output) or 成果指標 (outcome), with a target per fiscal year."""

    sheet = models.ForeignKey(ProjectSheet, on_delete=models.CASCADE, related_name="indicators",
                              verbose_name="情報化事業シート")
    position = models.PositiveSmallIntegerField("表示順", default=1)
    kind = models.CharField("種類", max_length=10, choices=IndicatorKind, default=IndicatorKind.OUTPUT)
    name = models.CharField("指標名", max_length=200)
    unit = models.CharField("単位", max_length=30, blank=True)
    baseline_value = models.DecimalField(
        "基準値", max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    baseline_year = models.PositiveSmallIntegerField("基準年度", null=True, blank=True)
    direction = models.CharField("改善の方向", max_length=4, choices=ImprovementDirection, default=ImprovementDirection.UP)
    achievement_method = models.CharField("達成率の算定方法", max_length=10, choices=AchievementMethod,
                                          default=AchievementMethod.RATIO)
    data_source = models.CharField("数値の出典", max_length=200, blank=True)
    is_qualitative = models.BooleanField("定性的な指標", default=False)
    qualitative_reason = models.TextField(
        "定量化できない理由", max_length=TEXT_LIMIT, blank=True
    )

    history = HistoricalRecords(verbose_name="指標の履歴", bases=[RevisionFields])

    class Meta:
        verbose_name = "指標"
        verbose_name_plural = "指標"
        ordering = ["sheet", "position", "pk"]

    def __str__(self):
        return self.name


class IndicatorTarget(PythonChecks, models.Model):
    """目標値: an indicator's target for one fiscal year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets",
                                  verbose_name="指標")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    value = models.DecimalField("目標値", max_digits=14, decimal_places=2,
                                validators=[MinValueValidator(Decimal(0))])

    history = HistoricalRecords(verbose_name="目標値の履歴", bases=[RevisionFields])

    class Meta:
        verbose_name = "目標値"
        verbose_name_plural = "目標値"
        ordering = ["indicator", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "fiscal_year"], name="target_once_per_year"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
        ]

    def __str__(self):
        value = "" if self.value is None else f"{self.value.normalize():f}"  # 10, not 10.00
        return f"{fiscal.fy_era(self.fiscal_year)} {value}"


class ScheduleEntry(models.Model):
    """スケジュール: what is planned for a fiscal year and, once it is over, what was done."""

    sheet = models.ForeignKey(ProjectSheet, on_delete=models.CASCADE, related_name="schedule",
                              verbose_name="情報化事業シート")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    planned = models.TextField("予定", max_length=TEXT_LIMIT, blank=True)
    actual = models.TextField("実績", max_length=TEXT_LIMIT, blank=True)

    history = HistoricalRecords(verbose_name="スケジュールの履歴", bases=[RevisionFields])

    class Meta:
        verbose_name = "スケジュール"
        verbose_name_plural = "スケジュール"
        ordering = ["sheet", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "fiscal_year"], name="schedule_once_per_year"),
        ]

    def __str__(self):
        return fiscal.fy_era(self.fiscal_year)

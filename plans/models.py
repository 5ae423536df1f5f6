"""The plan and its five-level hierarchy: 基本理念 → 目標 → 基本方針 → 情報化施策 → 事業.

Codes are printed as the plan prints them (Ⅱ, Ⅱ-3, Ⅱ-3-1) and stored as numbers,
so that ordering and uniqueness are database constraints.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core import fiscal
from core.constraints import PythonChecks
from plans.querysets import MeasureQuerySet, PlanQuerySet, ProjectQuerySet

ROMAN = ["", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "Ⅵ", "Ⅶ", "Ⅷ", "Ⅸ", "Ⅹ"]

# 事業コード: the home measure's numbers and a serial, e.g. 2-3-1-04 is the
# fourth project listed under 情報化施策 Ⅱ-3-1.
PROJECT_CODE_RE = r"^\d{1,2}-\d{1,2}-\d{1,2}-\d{2,3}$"


class Plan(PythonChecks, models.Model):
    """情報化推進計画: one plan period with its 基本理念."""

    code = models.SlugField("計画コード", max_length=20, unique=True)
    name = models.CharField("計画名", max_length=100)
    start_year = models.PositiveSmallIntegerField("計画期間(開始年度)")
    end_year = models.PositiveSmallIntegerField("計画期間(終了年度)")
    published = models.CharField("策定", max_length=40, blank=True, help_text="例:平成28年(2016年)5月")
    parent_plan = models.CharField("上位計画", max_length=100, blank=True)
    philosophy = models.CharField("基本理念", max_length=200, blank=True)
    philosophy_subtitle = models.CharField("基本理念(副題)", max_length=200, blank=True)
    philosophy_text = models.TextField("基本理念(説明)", blank=True)
    is_current = models.BooleanField(
        "現行計画", default=False, help_text="計画体系の画面で最初に表示する計画です。"
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "計画"
        verbose_name_plural = "計画"
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="plan_period_in_order"
            ),
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="plan_one_current"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("plans:plan_tree", kwargs={"plan": self.code})

    @property
    def era(self):
        """The era the plan was written in: its short year labels use it (「32年度」)."""
        return fiscal.era_of(self.start_year)

    @property
    def years(self):
        return list(range(self.start_year, self.end_year + 1))

    @property
    def period_label(self):
        return fiscal.fy_range(self.start_year, self.end_year)


class Goal(PythonChecks, models.Model):
    """目標 (Ⅰ, Ⅱ, Ⅲ)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals", verbose_name="計画")
    number = models.PositiveSmallIntegerField("番号")
    title = models.CharField("目標", max_length=200)
    subtitle = models.CharField("副題", max_length=100, blank=True, help_text="例:顧客としての市民")
    description = models.TextField("説明", blank=True)

    class Meta:
        verbose_name = "目標"
        verbose_name_plural = "目標"
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="goal_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=10), name="goal_number_range"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("plans:goal_detail", kwargs={"plan": self.plan.code, "number": self.number})

    @property
    def code(self):
        return ROMAN[self.number]


class Policy(PythonChecks, models.Model):
    """基本方針 (Ⅰ-1)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="policies", verbose_name="目標")
    number = models.PositiveSmallIntegerField("番号")
    title = models.CharField("基本方針", max_length=200)

    class Meta:
        verbose_name = "基本方針"
        verbose_name_plural = "基本方針"
        ordering = ["goal__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "number"], name="policy_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="policy_number_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse(
            "plans:policy_detail", kwargs={"plan": self.goal.plan.code, "path": self.path}
        )

    @property
    def code(self):
        return f"{self.goal.code}-{self.number}"

    @property
    def path(self):
        return f"{self.goal.number}-{self.number}"


class Measure(PythonChecks, models.Model):
    """情報化施策 (Ⅰ-1-1), with the plan's paragraph of intent."""

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="measures", verbose_name="基本方針"
    )
    number = models.PositiveSmallIntegerField("番号")
    title = models.CharField("情報化施策", max_length=200)
    description = models.TextField("施策の内容", blank=True)
    reposted_from = models.ForeignKey(
        "self",
        # RESTRICT: the original cannot be deleted alone, but a whole plan can.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="reposts",
        verbose_name="再掲元の施策",
        help_text="施策全体が他の施策の再掲である場合(例:Ⅰ-3-3 は Ⅰ-2-2 の再掲)。",
    )

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = "情報化施策"
        verbose_name_plural = "情報化施策"
        ordering = ["policy__goal__number", "policy__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="measure_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="measure_number_positive"),
            models.CheckConstraint(
                condition=~Q(reposted_from=models.F("pk")), name="measure_not_repost_of_itself"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse(
            "plans:measure_detail",
            kwargs={"plan": self.policy.goal.plan.code, "path": self.path},
        )

    @property
    def code(self):
        return f"{self.policy.code}-{self.number}"

    @property
    def path(self):
        return f"{self.policy.path}-{self.number}"

    @property
    def is_repost(self):
        return self.reposted_from_id is not None

    @property
    def hidden_project_count(self):
        """Projects left out where a page lists only the first few (plans.views)."""
        total = getattr(self, "project_count", None)
        return 0 if total is None else total - len(getattr(self, "listed_placements", []))

    def clean(self):
        if self.reposted_from_id and self.reposted_from.policy.goal.plan_id != self.policy.goal.plan_id:
            raise ValidationError({"reposted_from": "再掲元は同じ計画の施策から選んでください。"})


class SecurityMeasureKind(models.TextChoices):
    """The kinds of security measure the plan groups Ⅱ-3-1's projects by (pp.8-10, 20)."""

    ORGANISATIONAL = "organisational", "組織的・人的対策"
    TECHNICAL = "technical", "技術的対策"
    PHYSICAL = "physical", "物理的対策"


class Project(models.Model):
    """事業: one project of a plan, listed under one or more measures (placements)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="projects", verbose_name="計画")
    code = models.CharField(
        "事業コード",
        max_length=20,
        validators=[RegexValidator(PROJECT_CODE_RE, "事業コードは「1-2-1-01」の形式です。")],
        help_text="主たる掲載施策の番号と連番(例:2-3-1-04 は施策Ⅱ-3-1の4番目の事業)。",
    )
    name = models.CharField("事業名", max_length=200)
    is_planned = models.BooleanField(
        "予定事業", default=False, help_text="計画策定時に未着手の事業。計画書では〔予定事業〕と表示。"
    )
    since_year = models.PositiveSmallIntegerField(
        "開始年度(計画書の表記)",
        null=True,
        blank=True,
        help_text="計画書に「(平成26年度~)」と開始年度が付記されている事業。",
    )
    security_kind = models.CharField(
        "セキュリティ対策の種類", max_length=20, choices=SecurityMeasureKind, blank=True
    )
    measures = models.ManyToManyField(
        Measure, through="Placement", related_name="projects", verbose_name="掲載施策"
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "事業"
        verbose_name_plural = "事業"
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="project_unique_code_in_plan"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("plans:project_detail", kwargs={"plan": self.plan.code, "code": self.code})

    @property
    def since_label(self):
        """「平成26年度〜」 as the plan prints it."""
        if self.since_year is None:
            return ""
        return f"{fiscal.fy_era(self.since_year)}〜"


class Placement(models.Model):
    """A project listed under a measure. One placement is the project's home; the
    others are printed 「(再掲)」."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="placements", verbose_name="事業"
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="placements", verbose_name="情報化施策"
    )
    position = models.PositiveSmallIntegerField("掲載順")
    is_home = models.BooleanField("主たる掲載", default=False)

    class Meta:
        verbose_name = "事業の掲載"
        verbose_name_plural = "事業の掲載"
        ordering = ["measure__policy__goal__number", "measure__policy__number", "measure__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "measure"], name="placement_once_per_measure"),
            models.UniqueConstraint(fields=["measure", "position"], name="placement_unique_position"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(is_home=True), name="placement_one_home_per_project"
            ),
        ]

    def __str__(self):
        return f"{self.measure.code} {self.project.name}{'' if self.is_home else '(再掲)'}"

    @property
    def is_repost(self):
        return not self.is_home

    def clean(self):
        if self.measure.policy.goal.plan_id != self.project.plan_id:
            raise ValidationError({"measure": "事業と同じ計画の施策を選んでください。"})


class MasterPlanCode(models.Model):
    """第五次総合基本計画コード: the city master plan's measures that a project serves (p.11).

    情報推進課 keeps this list; sheets may only pick from it.
    """

    code = models.CharField("施策コード", max_length=20, unique=True)
    title = models.CharField("施策名", max_length=200)
    is_active = models.BooleanField("使用中", default=True)

    class Meta:
        verbose_name = "第五次総合基本計画コード"
        verbose_name_plural = "第五次総合基本計画コード"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.title}"
